"""Build a large, realistic data set for the scale benchmark (``make bench``).

Everything is inserted in bulk (``bulk_create`` in batches), so the full size (200 communities,
20 000 premises, 2 000 000 ledger rows, 500 000 readings, 200 000 letters, 50 000 failures) takes
minutes on PostgreSQL, not hours. Every resident gets the same precomputed password hash, so no
password is hashed per user. The command refuses to run twice on the same database (the
benchmark data is recognised by its company name) unless ``--force`` is given.

Two residents are printed for the benchmark: a typical one (one flat) and a landlord holding
``--heavy-premises`` premises.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from correspondence.models import Letter
from failures.models import FailureReport
from finance.models import Charge, Payment
from finance.services import ledger_totals_refresh
from meters.models import Meter, Reading
from premises.models import Building, Community, Company, Ownership, Premises

BENCH_COMPANY = "Zarządca Skala (dane testu wydajności)"
BENCH_PASSWORD = "Strefa-bench-2026"  # noqa: S105 (benchmark data only, printed on purpose)
TYPICAL_LOGIN = "b0000001"
HEAVY_LOGIN = "b9000001"

SCALES = {
    # name: communities, premises, ledger rows, readings, letters, failures
    "ci": (5, 500, 20_000, 5_000, 2_000, 500),  # the CI step: query budgets only, < 3 min
    "small": (20, 2_000, 200_000, 50_000, 20_000, 5_000),
    "full": (200, 20_000, 2_000_000, 500_000, 200_000, 50_000),
}
BATCH = 5_000


def _years_before(day: datetime.date, years: int) -> datetime.date:
    """The same day ``years`` earlier; 29 February becomes the 28th in a common year."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def table_statistics_refresh() -> None:
    """VACUUM (ANALYZE) after the bulk inserts (PostgreSQL), as autovacuum does in production.

    Without statistics the planner guessed a few hundred rows for tables of tens of thousands
    (where autovacuum is off or has not run yet) and chose e.g. a backward scan of every letter
    for the start page; without a vacuum no page is marked all-visible, so a count that an
    index answers alone (the start page's open failures) re-read the table (issue 17).
    VACUUM cannot run in a transaction: inside one (a test) the tables are only analysed.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")


class Command(BaseCommand):
    help = "Tworzy duży zbiór danych do testu wydajności (make bench)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument("--communities", type=int)
        parser.add_argument("--premises", type=int)
        parser.add_argument("--ledger", type=int, help="charges + payments in all")
        parser.add_argument("--readings", type=int)
        parser.add_argument("--letters", type=int)
        parser.add_argument("--failures", type=int)
        parser.add_argument("--heavy-premises", type=int, default=40)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--force", action="store_true", help="add to existing bench data")

    def handle(self, *args, **opts):
        sizes = dict(
            zip(
                ("communities", "premises", "ledger", "readings", "letters", "failures"),
                SCALES[opts["scale"]],
                strict=True,
            )
        )
        for key in sizes:
            if opts.get(key) is not None:
                sizes[key] = opts[key]
        if Company.objects.filter(name=BENCH_COMPANY).exists() and not opts["force"]:
            raise CommandError("Dane testu wydajności już są w tej bazie (użyj --force).")
        if sizes["premises"] < opts["heavy_premises"] + 1 or sizes["communities"] < 1:
            raise CommandError("Za mało lokali dla podanej liczby wspólnot i lokali właściciela.")
        self.rng = random.Random(opts["seed"])  # noqa: S311 (reproducible test data)
        started = timezone.now()
        with transaction.atomic():
            self._build(sizes, opts["heavy_premises"])
        table_statistics_refresh()
        took = (timezone.now() - started).total_seconds()
        self.stdout.write(
            self.style.SUCCESS(
                f"Gotowe w {took:.0f} s: "
                + ", ".join(f"{k}={v}" for k, v in sizes.items())
                + f". Loginy: {TYPICAL_LOGIN} (typowy), {HEAVY_LOGIN} (właściciel "
                f"{opts['heavy_premises']} lokali), hasło {BENCH_PASSWORD}"
            )
        )

    # --- building blocks ---------------------------------------------------------------------

    def _log(self, msg: str) -> None:
        self.stdout.write(f"  {msg}")
        self.stdout.flush()

    def _build(self, sizes: dict[str, int], heavy: int) -> None:
        rng = self.rng
        today = timezone.localdate()
        company = Company.objects.create(name=BENCH_COMPANY, phone="+48 22 100 20 30")
        n_comm = sizes["communities"]
        kinds = Community.Kind
        Community.objects.bulk_create(
            [
                Community(
                    company=company,
                    kind=kinds.COOPERATIVE if i % 10 == 9 else kinds.HOUSING_COMMUNITY,
                    name=f"Wspólnota Mieszkaniowa Skala {i + 1}",
                    street=f"ul. Testowa {i + 1}",
                    postal_code="00-950",
                    city="Warszawa",
                )
                for i in range(n_comm)
            ]
        )
        communities = list(Community.objects.filter(company=company).order_by("pk"))
        per_building = 50
        n_prem = sizes["premises"]
        n_build = max(n_comm, (n_prem + per_building - 1) // per_building)
        Building.objects.bulk_create(
            [
                Building(
                    community=communities[i % n_comm],
                    street=f"ul. Skalowa {i + 1}",
                    postal_code="00-950",
                    city="Warszawa",
                )
                for i in range(n_build)
            ],
            batch_size=BATCH,
        )
        buildings = list(Building.objects.filter(community__company=company).order_by("pk"))
        self._log(f"{len(communities)} wspólnot, {len(buildings)} budynków")

        Premises.objects.bulk_create(
            [
                Premises(
                    building=buildings[i % n_build],
                    number=str(i // n_build + 1),
                    area=Decimal(rng.randrange(2500, 12000)) / 100,
                    persons=rng.randrange(1, 5),
                    share_numerator=1,
                    share_denominator=max(1, n_prem // n_comm),
                )
                for i in range(n_prem)
            ],
            batch_size=BATCH,
        )
        premises = list(
            Premises.objects.filter(building__community__company=company)
            .order_by("pk")
            .values_list("pk", "building_id")
        )
        self._log(f"{len(premises)} lokali")

        # One owner per premises, except the landlord, who holds the last ``heavy`` premises.
        password = make_password(BENCH_PASSWORD)
        now = timezone.now()
        owners = n_prem - heavy
        users = [
            User(
                username=f"b{i + 1:07d}",
                first_name="Jan",
                last_name=f"Testowy {i + 1}",
                email=f"b{i + 1:07d}@example.com",
                password=password,
                login_issued_at=now,
                statement_received_at=now,
            )
            for i in range(owners)
        ]
        users.append(
            User(
                username=HEAVY_LOGIN,
                first_name="Henryk",
                last_name="Właściciel",
                email="landlord@example.com",
                password=password,
                login_issued_at=now,
                statement_received_at=now,
            )
        )
        User.objects.bulk_create(users, batch_size=BATCH)
        user_ids = dict(User.objects.filter(username__startswith="b").values_list("username", "pk"))
        heavy_id = user_ids[HEAVY_LOGIN]
        since = _years_before(today, 8)
        Ownership.objects.bulk_create(
            [
                Ownership(
                    user_id=user_ids[f"b{i + 1:07d}"] if i < owners else heavy_id,
                    premises_id=pk,
                    role=Ownership.Role.OWNER,
                    valid_from=since,
                )
                for i, (pk, _b) in enumerate(premises)
            ],
            batch_size=BATCH,
        )
        self._log(f"{len(users)} mieszkańców i ich własności")

        self._ledger(premises, sizes["ledger"], today)
        self._readings(premises, sizes["readings"], today)
        self._letters(premises, buildings, sizes["letters"], user_ids, heavy_id, owners)
        self._failures(premises, sizes["failures"], user_ids, heavy_id, owners)

    def _months_back(self, today: datetime.date, count: int) -> list[datetime.date]:
        first = today.replace(day=1)
        months = []
        for _ in range(count):
            months.append(first)
            first = (first - datetime.timedelta(days=1)).replace(day=1)
        return months[::-1]

    def _ledger(self, premises, total: int, today: datetime.date) -> None:
        per_premises = max(2, total // len(premises))
        months = self._months_back(today, per_premises // 2)
        charges, payments, made = [], [], 0
        for pk, _b in premises:
            base = Decimal(self.rng.randrange(30000, 90000)) / 100
            late = self.rng.random() < 0.1  # one in ten premises is in arrears
            for n, period in enumerate(months):
                charges.append(
                    Charge(
                        premises_id=pk,
                        category=Charge.Category.MANAGEMENT,
                        title="Zaliczka na koszty zarządu",
                        period=period,
                        due_date=period.replace(day=10),
                        amount=base,
                    )
                )
                if late and n >= len(months) - 3:
                    continue
                payments.append(
                    Payment(
                        premises_id=pk,
                        booked_on=period.replace(day=8),
                        amount=base,
                        title=f"Opłaty {period:%m/%Y}",
                    )
                )
            if len(charges) >= BATCH:
                made += self._flush(Charge, charges) + self._flush(Payment, payments)
        made += self._flush(Charge, charges) + self._flush(Payment, payments)
        ledger_totals_refresh()  # bulk_create sends no signals
        self._log(f"{made} pozycji księgowych")

    def _flush(self, model, rows: list) -> int:
        count = len(rows)
        if rows:
            model.objects.bulk_create(rows, batch_size=BATCH)
            rows.clear()
        return count

    def _readings(self, premises, total: int, today: datetime.date) -> None:
        meters = []
        for i, (pk, _b) in enumerate(premises):
            for kind in (Meter.Kind.COLD_WATER, Meter.Kind.HOT_WATER):
                meters.append(
                    Meter(
                        premises_id=pk,
                        kind=kind,
                        serial_number=f"SK{i:07d}{kind[0].upper()}",
                        unit=Meter.Unit.CUBIC_METRE,
                        installed_on=_years_before(today, 6),
                    )
                )
        Meter.objects.bulk_create(meters, batch_size=BATCH)
        meter_ids = list(
            Meter.objects.filter(serial_number__startswith="SK").values_list("pk", flat=True)
        )
        per_meter = max(1, total // len(meter_ids))
        months = self._months_back(today, per_meter + 1)[:-1]
        rows, made = [], 0
        for pk in meter_ids:
            value = Decimal(0)
            for month in months:
                value += Decimal(self.rng.randrange(100, 900)) / 100
                rows.append(
                    Reading(
                        meter_id=pk,
                        read_on=month.replace(day=25),
                        value=value,
                        source=Reading.Source.REMOTE,
                    )
                )
            if len(rows) >= BATCH:
                made += self._flush(Reading, rows)
        made += self._flush(Reading, rows)
        self._log(f"{len(meter_ids)} liczników, {made} odczytów")

    def _letters(self, premises, buildings, total, user_ids, heavy_id, owners):
        community_of = {b.pk: b.community_id for b in buildings}
        per_premises = max(1, total // len(premises))
        now = timezone.now()
        rows, made = [], 0
        for i, (pk, building_id) in enumerate(premises):
            recipient = user_ids[f"b{i + 1:07d}"] if i < owners else heavy_id
            for n in range(per_premises):
                published = now - datetime.timedelta(days=30 * n + self.rng.randrange(0, 30))
                rows.append(
                    Letter(
                        community_id=community_of[building_id],
                        premises_id=pk,
                        recipient_id=recipient,
                        kind=Letter.Kind.INFORMATION,
                        subject=f"Informacja nr {n + 1}",
                        body="Uprzejmie informujemy o planowanych pracach w budynku.",
                        created_at=published,
                        published_at=published,
                        delivery_channel=Letter.Channel.POST,
                        delivery_reason=Letter.Reason.NO_CONSENT,
                    )
                )
            if len(rows) >= BATCH:
                made += self._flush(Letter, rows)
        made += self._flush(Letter, rows)
        self._log(f"{made} pism")

    def _failures(self, premises, total, user_ids, heavy_id, owners):
        year = timezone.localdate().year
        now = timezone.now()
        rows, made = [], 0
        statuses = list(FailureReport.Status)
        for n in range(total):
            i = self.rng.randrange(len(premises))
            pk, building_id = premises[i]
            created = now - datetime.timedelta(days=self.rng.randrange(0, 3 * 365))
            rows.append(
                FailureReport(
                    number=f"S/{n + 1}/{year}",
                    building_id=building_id,
                    premises_id=pk if n % 3 else None,
                    reporter_id=user_ids[f"b{i + 1:07d}"] if i < owners else heavy_id,
                    description="Cieknie woda spod zlewu.",
                    contact_phone="+48601200300",
                    status=self.rng.choice(statuses),
                    created_at=created,
                    status_changed_at=created,
                )
            )
            if len(rows) >= BATCH:
                made += self._flush(FailureReport, rows)
        made += self._flush(FailureReport, rows)
        self._log(f"{made} zgłoszeń awarii")
