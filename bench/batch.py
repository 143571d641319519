"""Batch work timed by ``make bench`` (issue 17), after the pages are measured.

Each job calls the code the office or the worker runs (services, tasks, import previews and
``import_apply``, the API's batch functions) inside a transaction that is rolled back at the
end, so nothing it writes stays in the benchmark database and no page measured later (or in
the next run) sees it. Messages, PDFs and letters queued by a job go with the rollback: tasks
are handed over only after a commit, which never happens. The reminder jobs are the exception
(``_committed``): they commit as cron does, with tasks held back, and delete what they stored.

Sizes follow ``BENCH_SCALE``: ``full`` runs the issue's sizes, ``small`` a tenth, ``ci`` a few
rows so the CI step stays short. A job's budget is the issue's, scaled to the job's size where
the issue gives a size (e.g. "10 000 fee-notice PDFs < 10 min" becomes 60 ms per PDF).
"""

from __future__ import annotations

import datetime
import os
import resource
import time
from dataclasses import dataclass, field
from decimal import Decimal

SIZES = {
    # job: (ci, small, full)
    "fee_notices": (10, 100, 1_000),
    "logins": (30, 100, 500),
    "statement": (500, 1_000, 10_000),
    "charges": (2_000, 10_000, 100_000),
    "api_charges": (500, 1_000, 10_000),
}
FEE_NOTICES_TARGET = 10_000  # the issue: 10 000 PDFs < 10 min on 2 cores
FEE_NOTICES_BUDGET_S = 600.0
WORKERS = 2


@dataclass
class BatchResult:
    name: str
    size: str
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # this process only (not the database server)
    budget: str = ""
    peak_rss_mib: float = 0.0
    note: str = ""
    broken: list[str] = field(default_factory=list)
    slow: list[str] = field(default_factory=list)  # time budgets; broken unless ENFORCE=all


class _Rollback(Exception):
    """Raised at the end of each job: its transaction is rolled back."""


def _size(job: str, scale: str) -> int:
    ci, small, full = SIZES[job]
    return {"ci": ci, "small": small, "full": full}.get(scale, small)


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(result: BatchResult, job, *, budget_s: float | None) -> BatchResult:
    """Run ``job()`` in a transaction that is rolled back; fill in time and peak memory."""
    from django.db import transaction

    started, cpu_started = time.perf_counter(), time.process_time()
    try:
        with transaction.atomic():
            note = job()
            if note:
                result.note = note
            result.seconds = time.perf_counter() - started
            result.cpu_seconds = time.process_time() - cpu_started
            raise _Rollback
    except _Rollback:
        pass
    except Exception as exc:  # a failing job is a broken budget, not a crashed benchmark
        result.seconds = time.perf_counter() - started
        result.cpu_seconds = time.process_time() - cpu_started
        result.broken.append(f"{type(exc).__name__}: {exc}"[:200])
    result.peak_rss_mib = _peak_rss_mib()
    if budget_s is not None and result.seconds > budget_s and not result.broken:
        result.slow.append(f"{result.seconds:.1f} s > {budget_s:.0f} s")
    return result


def _office_user():
    from accounts.models import User

    user, _ = User.objects.get_or_create(
        username="bench-admin",
        defaults={"is_staff": True, "is_superuser": True, "first_name": "Bench"},
    )
    return user


def _bench_community():
    from premises.models import Community

    return Community.objects.order_by("pk").first()


# --- Jobs -----------------------------------------------------------------------------------


def fee_notice_fixture(count: int):
    """A community of ``count`` flats, one owner each, with this month's charges, and a
    fee-notice run for it (not yet built). Shared with ``bench/workers.py``."""
    from accounts.models import User
    from correspondence.models import FeeNoticeRun
    from finance.models import Charge
    from premises.models import Building, Community, Ownership, Premises

    template = _bench_community()
    community = Community.objects.create(
        name="Wspólnota wsadowa (bench)",
        company=template.company,
        street="Wsadowa 1",
        postal_code="00-001",
        city="Warszawa",
        bank_account=template.bank_account,
        nip=template.nip,
    )
    building = Building.objects.create(
        community=community, street="Wsadowa 1", city="Warszawa", postal_code="00-001"
    )
    flats = Premises.objects.bulk_create(
        Premises(
            building=building,
            number=str(i + 1),
            area=Decimal("50.00"),
            share_numerator=1,
            share_denominator=count,
        )
        for i in range(count)
    )
    people = User.objects.bulk_create(
        User(username=f"bench-batch-{i}", first_name="Jan", last_name=f"Wsadowy {i}")
        for i in range(count)
    )
    month = datetime.date.today().replace(day=1)
    Ownership.objects.bulk_create(
        Ownership(
            premises=flat,
            user=person,
            role=Ownership.Role.OWNER,
            valid_from=datetime.date(2020, 1, 1),
        )
        for flat, person in zip(flats, people, strict=True)
    )
    Charge.objects.bulk_create(
        Charge(
            premises=flat,
            category=category,
            fund=Charge.fund_for_category(category),
            title=title,
            period=month,
            due_date=month.replace(day=10),
            amount=Decimal(amount),
        )
        for flat in flats
        for category, title, amount in (
            (Charge.Category.MANAGEMENT, "Zaliczka na koszty zarządu", "312.40"),
            (Charge.Category.REPAIR_FUND, "Fundusz remontowy", "150.00"),
            (Charge.Category.WATER, "Woda i ścieki", "96.25"),
        )
    )
    run = FeeNoticeRun.objects.create(
        community=community, effective_from=month, created_by=_office_user()
    )
    return run


def _fee_notices(count: int) -> BatchResult:
    """A fee-notice run of ``count`` premises through the worker's task, in one process."""
    result = BatchResult(
        "fee-notice PDFs (task, 1 process)",
        f"{count} PDFs",
        budget=f"{FEE_NOTICES_TARGET} PDFs < {FEE_NOTICES_BUDGET_S / 60:.0f} min on {WORKERS} "
        "workers",
    )

    def job():
        from correspondence.models import Letter
        from correspondence.tasks import fee_notice_run_build

        run = fee_notice_fixture(count)
        made = fee_notice_run_build.call(run_id=run.pk)
        letters = Letter.objects.filter(fee_notice_run=run).count()
        assert made == count == letters, (made, count, letters)
        return ""

    _timed(result, job, budget_s=None)
    if not result.broken and count:
        per_pdf = result.seconds / count
        projected = per_pdf * FEE_NOTICES_TARGET / WORKERS
        result.note = (
            f"{per_pdf * 1000:.0f} ms per PDF ({result.cpu_seconds / count * 1000:.0f} ms of CPU); "
            f"{FEE_NOTICES_TARGET} PDFs ≈ {projected / 60:.1f} "
            f"min on {WORKERS} workers taking the runs' chunks in parallel"
        )
        if projected > FEE_NOTICES_BUDGET_S:
            result.slow.append(
                f"projected {projected / 60:.1f} min > {FEE_NOTICES_BUDGET_S / 60:.0f} min"
            )
    return result


def _next_day(day: int) -> datetime.date:
    """The next date (from tomorrow) whose day of the month is ``day``."""
    date = datetime.date.today() + datetime.timedelta(days=1)
    while date.day != day:
        date += datetime.timedelta(days=1)
    return date


def _committed(result: BatchResult, job, *, budget_s: float) -> BatchResult:
    """Run a reminder job as cron does (it commits 1 000 premises or people per transaction),
    with tasks held back (nothing is sent), then delete the reminders
    and messages it stored, so the next run finds the same state."""
    from django.test.utils import override_settings

    from notifications.models import Message, ReminderSent

    last_message = Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    last_reminder = ReminderSent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    started, cpu_started = time.perf_counter(), time.process_time()
    try:
        with override_settings(
            TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
        ):
            result.note = job() or ""
    except Exception as exc:
        result.broken.append(f"{type(exc).__name__}: {exc}"[:200])
    finally:
        result.seconds = time.perf_counter() - started
        result.cpu_seconds = time.process_time() - cpu_started
        Message.objects.filter(pk__gt=last_message).delete()
        ReminderSent.objects.filter(pk__gt=last_reminder).delete()
    result.peak_rss_mib = _peak_rss_mib()
    if result.seconds > budget_s and not result.broken:
        result.slow.append(f"{result.seconds:.1f} s > {budget_s:.0f} s")
    return result


def _remind_payments() -> BatchResult:
    from premises.models import Community, Premises

    count = Premises.objects.count()
    result = BatchResult("remind_payments", f"{count} premises", budget="< 60 s at 20 000")

    def job():
        from finance.reminders import payment_reminders_send

        # The day before the first community's due day (the bench data gives every community
        # the same one), so every premises is considered.
        due_day = Community.objects.order_by("pk").first().payment_due_day
        due_date = _next_day(due_day)
        sent = payment_reminders_send(today=due_date - datetime.timedelta(days=3), days=3)
        return f"{sent} premises reminded"

    return _committed(result, job, budget_s=60.0)


def _remind_readings() -> BatchResult:
    from premises.models import Community, Premises

    count = Premises.objects.count()
    result = BatchResult("remind_readings", f"{count} premises", budget="< 60 s at 20 000")

    def job():
        from meters.reminders import reading_reminders_send

        # The day the first community's reading window opens (the same in every community of
        # the bench data).
        first = Community.objects.order_by("pk").first()
        sent = reading_reminders_send(today=_next_day(first.reading_window_start_day))
        return f"{sent} people reminded"

    return _committed(result, job, budget_s=60.0)


def _export() -> BatchResult:
    from portal.management.commands.seed_scale import HEAVY_LOGIN

    result = BatchResult("data export (JSON)", f"{HEAVY_LOGIN}, 40 premises", budget="< 5 s")

    def job():
        import json

        from django.core.serializers.json import DjangoJSONEncoder

        from accounts.export import personal_data_export
        from accounts.models import User

        data = personal_data_export(User.objects.get(username=HEAVY_LOGIN))
        size = len(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False))
        return f"{size / 1024:.0f} KiB of JSON"

    return _timed(result, job, budget_s=5.0)


def _logins(count: int) -> BatchResult:
    result = BatchResult(
        "issue logins (worker: hashing + one PDF)",
        f"{count} people",
        budget="< 60 s (no request timeout)",
    )

    def job():
        from accounts.models import CredentialsSheet, User
        from accounts.services import credentials_sheet_build

        people = list(User.objects.filter(is_staff=False).order_by("pk")[:count])
        sheet = CredentialsSheet.objects.create(
            created_by=_office_user(), user_ids=[u.pk for u in people], people_count=len(people)
        )
        credentials_sheet_build(sheet_id=sheet.pk)
        sheet.refresh_from_db()
        return f"sheet {sheet.get_status_display()}"

    return _timed(result, job, budget_s=60.0)


def _statement(count: int) -> BatchResult:
    result = BatchResult(
        "bank statement import (preview + apply)", f"{count} payments", budget="< 60 s"
    )

    def job():
        from finance.imports import preview_bank_statement
        from finance.services import import_apply
        from lib.statements import nrb_from_parts
        from premises.models import Premises

        community = _bench_community()
        community.bank_account = nrb_from_parts("11402004", f"{9:016d}")
        community.save(update_fields=["bank_account"])
        numbers = list(
            Premises.objects.filter(building__community=community).values_list("number", flat=True)
        )
        lines = [":20:1", f":25:/PL{community.bank_account}"]
        for i in range(count):
            lines.append(f":61:2505050505CN{100 + i % 50},00NTRFNONREF//B{i:08d}")
            lines.append(f":86:020~20Zaliczka lokal {numbers[i % len(numbers)]}~32JAN NOWAK")
        content = "\r\n".join(lines).encode("cp1250")
        preview = preview_bank_statement(file_name="bench.sta", content=content)
        assert not preview.has_errors, preview.file_errors
        import_apply(preview=preview, user=_office_user())
        return f"{len(preview.to_create)} payments booked"

    return _timed(result, job, budget_s=60.0)


def _charge_rows(count: int):
    """``count`` charges for the bench community's premises, in months no one booked."""
    from premises.models import Premises

    community = _bench_community()
    flats = list(
        Premises.objects.filter(building__community=community)
        .order_by("pk")
        .values_list("pk", "number", "building__street")
    )
    categories = ["zaliczka", "fundusz remontowy", "woda", "c.o.", "odpady"]
    rows, month = [], 0
    while len(rows) < count:
        period = datetime.date(2090 + month // 12, month % 12 + 1, 1)
        for pk, number, street in flats:
            for category in categories:
                rows.append((pk, number, street, category, period))
                if len(rows) == count:
                    return community, rows
        month += 1
    return community, rows


def _charges(count: int) -> BatchResult:
    result = BatchResult(
        "charges import (preview + apply)", f"{count} rows", budget="< 60 s at 100 000"
    )

    def job():
        from finance.imports import preview_charges
        from finance.services import import_apply

        community, rows = _charge_rows(count)
        lines = ["lokal;budynek;kategoria;okres;kwota"]
        lines += [f"{n};{s};{c};{p:%Y-%m};12,34" for _pk, n, s, c, p in rows]
        content = "\r\n".join(lines).encode("utf-8")
        preview = preview_charges(community=community, file_name="bench.csv", content=content)
        assert not preview.has_errors, preview.file_errors or preview.error_rows[:1]
        import_apply(preview=preview, user=_office_user())
        return f"{len(preview.to_create)} charges booked"

    return _timed(result, job, budget_s=60.0 * count / 100_000 if count > 100_000 else 60.0)


def _api_charges(count: int) -> BatchResult:
    result = BatchResult("API batch of charges", f"{count} charges", budget="< 60 s")

    def job():
        from api.batches import charges_push
        from api.models import ApiKey

        community, rows = _charge_rows(count)
        key = ApiKey(name="bench", created_by=_office_user())
        codes = {"zaliczka": "management", "fundusz remontowy": "repair_fund", "woda": "water"}
        codes |= {"c.o.": "heating", "odpady": "waste"}
        payload = [
            {
                "premises_id": pk,
                "category": codes[category],
                "period": f"{period:%Y-%m}",
                "amount": "12.34",
            }
            for pk, _number, _street, category, period in rows
        ]
        outcome = charges_push(key=key, community=community, rows=payload)
        assert not outcome.errors, outcome.errors[:1]
        return f"{outcome.created} charges booked"

    return _timed(result, job, budget_s=60.0)


def run_batch(scale: str) -> list[BatchResult]:
    """Every batch job at the scale's size, each rolled back."""
    from django.conf import settings

    # Nothing leaves the machine: messages are rolled back anyway, these catch the rest.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "notifications.sms.MemorySmsBackend"
    jobs = {
        "fee_notices": lambda: _fee_notices(_size("fee_notices", scale)),
        "remind_payments": _remind_payments,
        "remind_readings": _remind_readings,
        "export": _export,
        "logins": lambda: _logins(_size("logins", scale)),
        "statement": lambda: _statement(_size("statement", scale)),
        "charges": lambda: _charges(_size("charges", scale)),
        "api_charges": lambda: _api_charges(_size("api_charges", scale)),
    }
    # BENCH_BATCH: "all" (default), "none", or a comma-separated list of the jobs above.
    chosen = os.environ.get("BENCH_BATCH", "all").strip()
    if chosen != "all":
        wanted = {name.strip() for name in chosen.split(",")} - {"none", ""}
        jobs = {name: job for name, job in jobs.items() if name in wanted}
    if "fee_notices" in jobs:
        _fee_notices(1)  # warm-up, not reported: loads WeasyPrint and its fonts once
    results = []
    for job in jobs.values():
        result = job()
        print(f"  {result.name:<42} {result.size:<20} {result.seconds:7.1f} s", flush=True)
        results.append(result)
    return results


def batch_table(results: list[BatchResult]) -> str:
    rows = [
        "| batch job | size | seconds | CPU s | peak RSS MiB | budget | result |",
        "|---|---|---:|---:|---:|---|---|",
    ]
    for r in results:
        notes = r.broken + [f"{slow} (not enforced)" for slow in r.slow]
        verdict = "; ".join(notes) or "ok"
        if r.note:
            verdict = f"{verdict} ({r.note})"
        rows.append(
            f"| {r.name} | {r.size} | {r.seconds:.1f} | {r.cpu_seconds:.1f} | {r.peak_rss_mib:.0f} "
            f"| {r.budget} "
            f"| {verdict} |"
        )
    return "\n".join(rows) + "\n"
