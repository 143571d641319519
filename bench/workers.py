"""A real fee-notice run through the task workers (issue 17: "10 000 fee-notice PDFs < 10 min
on 2 cores, in the worker, in parallel where useful").

``make bench`` times the notices in one process and projects the run; this script runs it as
production does, so the projection can be checked:

1. creates a fresh PostgreSQL database (``strefa_bench_workers``), migrates it and puts the CI
   data set in it (``seed_scale --scale ci``) plus a community of ``BENCH_FEE_NOTICES`` flats
   (10 000) with this month's charges;
2. saves a fee-notice run for that community as the admin does: the run is queued in chunks
   (``FEE_NOTICE_CHUNK`` premises each) in the database task backend;
3. starts ``BENCH_WORKERS`` (2) ``manage.py db_worker --batch`` processes and waits until they
   have taken every chunk and exited;
4. checks that every flat got exactly one notice and every task succeeded, prints the wall time
   and exits 1 when the run failed or took longer than 10 minutes; drops the database.

Run it with ``.venv/bin/python bench/workers.py`` on an otherwise idle machine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import SERVER_ENV  # noqa: E402

DB_NAME = os.environ.get("BENCH_WORKERS_DB", "strefa_bench_workers")
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
COUNT = int(os.environ.get("BENCH_FEE_NOTICES", "10000"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
BUDGET_S = 600.0


def _env(media_root: str) -> dict[str, str]:
    return {
        **os.environ,
        **SERVER_ENV,
        "DATABASE_URL": f"{SERVER}/{DB_NAME}",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "MEDIA_ROOT": media_root,
        "EMAIL_URL": "consolemail://",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
    }


def _psql(sql: str) -> None:
    command = ["psql", f"{SERVER}/postgres", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql]
    subprocess.run(command, check=True)  # noqa: S603,S607 (our own fixed commands)


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def setup_run() -> None:
    """Inside Django (``--queue``): the flats, their charges and the run, queued as the admin
    queues it (one task per chunk, handed to the workers on commit)."""
    import django

    django.setup()
    from django.db import transaction

    from bench.batch import fee_notice_fixture
    from correspondence.fee_notices import fee_notice_run_generate_later

    with transaction.atomic():
        run = fee_notice_fixture(COUNT)
        fee_notice_run_generate_later(run=run)
    print(f"run {run.pk}: {COUNT} flats queued", flush=True)


def check_run() -> int:
    """Inside Django (``--check``): one notice per flat, every task succeeded."""
    import django

    django.setup()
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    from correspondence.models import FeeNoticeRun, Letter

    run = FeeNoticeRun.objects.order_by("-pk").first()
    letters = Letter.objects.filter(fee_notice_run=run).count()
    distinct = Letter.objects.filter(fee_notice_run=run).values("premises_id").distinct().count()
    statuses = dict(DBTaskResult.objects.order_by().values_list("status").annotate(n=Count("id")))
    print(f"letters {letters} (premises {distinct}), tasks {statuses}", flush=True)
    ok = letters == distinct == COUNT and set(statuses) == {"SUCCESSFUL"}
    return 0 if ok else 1


def main() -> int:
    media_root = tempfile.mkdtemp(prefix="strefa-bench-workers-")
    env = _env(media_root)
    _psql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    _psql(f'CREATE DATABASE "{DB_NAME}"')
    try:
        _manage(env, "migrate", "--noinput", "-v", "0")
        _manage(env, "seed_scale", "--scale", "ci")
        subprocess.run([sys.executable, __file__, "--queue"], cwd=ROOT, env=env, check=True)  # noqa: S603
        started = time.perf_counter()
        workers = [
            subprocess.Popen(  # noqa: S603
                [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
            )
            for _ in range(WORKERS)
        ]
        codes = [worker.wait() for worker in workers]
        seconds = time.perf_counter() - started
        checked = subprocess.run([sys.executable, __file__, "--check"], cwd=ROOT, env=env)  # noqa: S603
        pdfs = sum(1 for _ in Path(media_root).rglob("*.pdf"))
        verdict = "ok" if seconds <= BUDGET_S else f"{seconds / 60:.1f} min > 10 min"
        if checked.returncode or any(codes):
            verdict = f"failed (workers {codes}, check {checked.returncode})"
        print(
            f"| fee-notice run, {WORKERS} db_workers | {COUNT} PDFs ({pdfs} files) "
            f"| {seconds:.0f} s ({seconds / 60:.1f} min, {seconds / COUNT * 1000:.0f} ms per PDF "
            f"per run) | {verdict} |",
            flush=True,
        )
        return 0 if verdict == "ok" else 1
    finally:
        if not os.environ.get("BENCH_KEEP"):
            _psql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
            shutil.rmtree(media_root, ignore_errors=True)


if __name__ == "__main__":
    if "--queue" in sys.argv:
        setup_run()
    elif "--check" in sys.argv:
        sys.exit(check_run())
    else:
        sys.exit(main())
