"""How ``make bench`` judges its measurements: CI's regression guard (issue 17: "so a regression
fails the build")."""

import importlib.util
import sys
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parent.parent / "bench" / "run.py"


@pytest.fixture
def bench(monkeypatch):
    spec = importlib.util.spec_from_file_location("bench_run", RUN)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "bench_run", module)  # its dataclasses look themselves up
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "ENFORCE", "ci")
    return module


def measured(bench, auth_p50: float, pages: dict[str, tuple[str, float]]) -> dict:
    results = {
        ("/_bench/bare/", "anonymous"): bench.Result(
            "bare view", "/_bench/bare/", "anonymous", "reference", p50=1.0, rps=1000
        ),
        ("/_bench/auth/", "b1"): bench.Result(
            "bare authenticated view", "/_bench/auth/", "b1", "reference", p50=auth_p50, rps=500
        ),
    }
    for path, (kind, p50) in pages.items():
        results[(path, "b1")] = bench.Result(path, path, "b1", kind, queries=5, p50=p50, rps=50)
    bench._judge(results)
    return {path: results[(path, "b1")].broken for path in pages}


def test_ci_fails_a_page_whose_median_is_over_twice_its_budget(bench):
    broken = measured(
        bench,
        auth_p50=2.5,
        pages={
            "/": ("resident", 101.0),
            "/finanse/": ("resident", 60.0),
            "/admin/": ("admin", 590.0),
            "/salda/": ("arrears", 1200.0),
        },
    )
    assert broken["/"] == ["p50 101 ms > 100 ms (regression)"]
    assert broken["/finanse/"] == [] and broken["/admin/"] == []
    assert broken["/salda/"] == ["p50 1200 ms > 1000 ms (regression)"]


def test_ci_allows_a_slower_machine_in_proportion(bench):
    """The bare authenticated view twice as slow as on the reference machine: twice the room."""
    broken = measured(bench, auth_p50=6.0, pages={"/": ("resident", 150.0)})
    assert broken["/"] == []
    broken = measured(bench, auth_p50=6.0, pages={"/": ("resident", 210.0)})
    assert broken["/"] == ["p50 210 ms > 200 ms (regression)"]


def fake_wrk(monkeypatch, bench, reports: list[dict]) -> list[list[str]]:
    """Replace wrk by canned reports, one per run; returns the commands run."""
    import json
    import subprocess

    commands = []

    def run(command, **kwargs):
        commands.append(command)
        report = {"seconds": 1.0, "errors": 0, "p50": 5.0, "p95": 6.0, "p99": 7.0}
        return subprocess.CompletedProcess(command, 0, json.dumps({**report, **reports.pop(0)}))

    monkeypatch.setattr(bench.subprocess, "run", run)
    return commands


def test_a_page_too_slow_for_wrk_s_run_is_measured_again_for_longer(bench, monkeypatch):
    commands = fake_wrk(monkeypatch, bench, [{"requests": 1}, {"requests": 4, "seconds": 10.0}])
    load = bench._load_wrk("/", None, 1)
    assert [c[3] for c in commands] == ["-d1s", "-d10s"]
    assert (load.requests, load.rps, load.errors) == (4, 0.4, 0)


def test_a_page_that_answers_nothing_fails_instead_of_measuring_zero(bench, monkeypatch):
    fake_wrk(monkeypatch, bench, [{"requests": 0}, {"requests": 0, "seconds": 10.0}])
    load = bench._load_wrk("/", None, 1)
    assert (load.p50, load.errors) == (10_000.0, 1)
