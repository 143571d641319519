"""The balances read from the ledger totals (``LedgerTotal``) plus the slice of the ledger that
differs equal the balances summed over the whole ledger, as they were summed before.

``_figure_rows_summed`` is the grouped query the balances used until the ledger totals were
used for them (kept here verbatim as the reference); every figure of ``balances_for_user`` and
``balances_for_premises`` is compared on days around due dates, working-day deadlines and
holding starts, with funds kept together and apart.
"""

import datetime

import pytest
from django.db import connection

from finance import selectors
from finance.models import Charge, Fund, FundAccount, ImportBatch, Payment
from finance.selectors import (
    Periods,
    _within_sql,
    balances_for_premises,
    balances_for_user,
    due_cutoff,
    overdue_cutoff,
)
from premises.models import Ownership, Premises
from premises.selectors import HoldingPeriod
from tests.factories import OwnershipFactory, PremisesFactory, UserFactory, add_charge, add_payment

pytestmark = pytest.mark.django_db

D = datetime.date
SALE = D(2025, 3, 1)


def _figure_rows_summed(
    premises_sql: str,
    premises_params: list,
    community_ids,
    today: datetime.date,
    since: Periods | None,
    *,
    next_payment: bool,
    imports: bool = False,
) -> list[tuple]:
    """Everything the balances need, in one query (issue 17: it was 4–7 per page).

    Rows ``(kind, key, fund, due_date, period, due, overdue, total, account, stamp)``:
    ``c`` charges per premises and fund (due on or before today, overdue, all; the latest
    booking time as ``stamp``), ``p`` payments per premises and fund (an empty fund is the
    operating one; the latest booking day as ``due_date``), ``f`` the funds a community keeps on
    their own account (key = community), for the next payment ``u`` the charges due after today
    per due date and month and ``l`` the latest booked month's charges, and with ``imports``
    ``i``: the latest import of the communities or of a bank statement (``stamp``).
    """
    charge, payment = Charge._meta.db_table, Payment._meta.db_table
    fund_account = FundAccount._meta.db_table
    charge_since, charge_since_params = _within_sql(since, "due_date")
    payment_since, payment_since_params = _within_sql(since, "booked_on")
    operating = Fund.OPERATING.value
    # CASTs: PostgreSQL types a NULL column of a UNION by its first branch.
    nothing = "CAST(NULL AS DATE), CAST(NULL AS DATE)"
    no_stamp = "CAST(NULL AS TIMESTAMP WITH TIME ZONE)"
    charges_where = f"premises_id IN ({premises_sql}) AND {charge_since}"
    charges_params = [*premises_params, *charge_since_params]
    parts = [
        (
            f"""SELECT 'c', premises_id, fund, {nothing},
                   SUM(CASE WHEN due_date <= %s THEN amount END),
                   SUM(CASE WHEN due_date <= %s THEN amount END),
                   SUM(amount), CAST(NULL AS TEXT), MAX(created_at)
            FROM {charge} WHERE {charges_where} GROUP BY premises_id, fund""",  # noqa: S608 (table names from model meta; values are parameters)
            [due_cutoff(today), overdue_cutoff(today), *charges_params],
        ),
        (
            f"""SELECT 'p', premises_id,
                   CASE WHEN fund = '' THEN '{operating}' ELSE fund END,
                   MAX(booked_on), CAST(NULL AS DATE), CAST(NULL AS NUMERIC),
                   CAST(NULL AS NUMERIC), SUM(amount), CAST(NULL AS TEXT), {no_stamp}
            FROM {payment} WHERE premises_id IN ({premises_sql}) AND {payment_since}
            GROUP BY premises_id, CASE WHEN fund = '' THEN '{operating}' ELSE fund END""",  # noqa: S608 (table names from model meta; values are parameters)
            [*premises_params, *payment_since_params],
        ),
    ]
    if community_ids:
        parts.append(
            (
                f"""SELECT 'f', community_id, fund, {nothing}, CAST(NULL AS NUMERIC),
                       CAST(NULL AS NUMERIC), CAST(NULL AS NUMERIC), bank_account, {no_stamp}
                FROM {fund_account}
                WHERE community_id IN ({", ".join(["%s"] * len(community_ids))})""",  # noqa: S608 (table names from model meta; values are parameters)
                list(community_ids),
            )
        )
    if next_payment:
        parts.append(
            (
                f"""SELECT 'u', premises_id, fund, due_date, period, CAST(NULL AS NUMERIC),
                       CAST(NULL AS NUMERIC), SUM(amount), CAST(NULL AS TEXT), {no_stamp}
                FROM {charge} WHERE {charges_where} AND due_date > %s
                GROUP BY premises_id, fund, due_date, period""",  # noqa: S608 (table names from model meta; values are parameters)
                [*charges_params, due_cutoff(today)],
            )
        )
        # The latest month booked for each premises and fund (over the whole history, as
        # the office booked it), counted within the holder's account.
        parts.append(
            (
                f"""SELECT 'l', x.premises_id, x.fund, CAST(NULL AS DATE), x.period,
                       CAST(NULL AS NUMERIC), CAST(NULL AS NUMERIC), SUM(x.amount),
                       CAST(NULL AS TEXT), {no_stamp}
                FROM (
                    SELECT premises_id, fund, period, amount FROM {charge}
                    WHERE {charges_where}
                ) x JOIN (
                    SELECT premises_id, fund, MAX(period) AS period FROM {charge}
                    WHERE premises_id IN ({premises_sql}) GROUP BY premises_id, fund
                ) latest ON latest.premises_id = x.premises_id AND latest.fund = x.fund
                    AND latest.period = x.period
                GROUP BY x.premises_id, x.fund, x.period""",  # noqa: S608 (table names from model meta; values are parameters)
                [*charges_params, *premises_params],
            )
        )
    if imports:
        # Bank statements span communities (no community set); charge imports have one.
        in_communities = ", ".join(["%s"] * len(community_ids)) or "NULL"
        parts.append(
            (
                f"""SELECT 'i', CAST(NULL AS INTEGER), CAST(NULL AS TEXT), {nothing},
                       CAST(NULL AS NUMERIC), CAST(NULL AS NUMERIC), CAST(NULL AS NUMERIC),
                       CAST(NULL AS TEXT), MAX(created_at)
                FROM {ImportBatch._meta.db_table}
                WHERE community_id IS NULL OR community_id IN ({in_communities})""",  # noqa: S608 (table names from model meta; values are parameters)
                list(community_ids),
            )
        )
    sql = "\nUNION ALL\n".join(part for part, _ in parts)
    params = [param for _, part_params in parts for param in part_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _reference_rows(*args, **kwargs):
    """The reference rows in today's shape: the latest payment day comes on an ``l`` row."""
    rows = _figure_rows_summed(*args, **kwargs)
    extra = [
        ("l", key, fund, due_date, None, None, None, None, None, None)
        for kind, key, fund, due_date, *_ in rows
        if kind == "p" and due_date is not None
    ]
    return rows + extra


def _figures(balances):
    def settlement(s):
        next_payment = s.next_payment
        return (
            s.charges_due,
            s.charges_overdue,
            s.charges_total,
            s.payments_total,
            s.amount_due,
            s.arrears,
            s.overpayment,
            s.not_yet_due,
            s.balance,
            None
            if next_payment is None
            else (
                next_payment.amount,
                next_payment.instalment,
                next_payment.due_date,
                next_payment.periods,
                next_payment.projected,
            ),
        )

    return [
        (
            b.premises.pk,
            b.period,
            b.data_as_of,
            settlement(b),
            [(f.fund, f.bank_account, settlement(f)) for f in b.funds],
        )
        for b in balances
    ]


def _both_ways(monkeypatch, read, *args):
    new = _figures(read(*args))
    with monkeypatch.context() as patch:
        patch.setattr(selectors, "_figure_rows", _reference_rows)
        old = _figures(read(*args))
    return new, old


@pytest.fixture
def ledger(building):
    """Two flats: one sold on 1 March 2025 (the seller left arrears), one held for years by a
    landlord who also holds the first since before the sale as a co-owner; operating and
    repair-fund charges, a correction, payments with and without a fund, months booked ahead."""
    sold, kept = (PremisesFactory(building=building, number=n) for n in ("30", "31"))
    seller, buyer, landlord = UserFactory(), UserFactory(), UserFactory()
    OwnershipFactory(user=seller, premises=sold, valid_to=SALE - datetime.timedelta(days=1))
    OwnershipFactory(user=buyer, premises=sold, valid_from=SALE)
    OwnershipFactory(user=landlord, premises=kept, valid_from=D(2020, 1, 1))
    OwnershipFactory(
        user=landlord, premises=sold, role=Ownership.Role.CO_OWNER, valid_from=D(2024, 11, 15)
    )
    repair = Charge.Category.REPAIR_FUND
    for flat, base in ((sold, 400), (kept, 250)):
        for month in range(1, 13):  # December 2024 .. November 2025, due on the 10th
            period = D(2024 + (month + 10) // 12, (month + 10) % 12 + 1, 1)
            due = period.replace(day=10)
            add_charge(flat, f"{base}.00", due, title=f"Zaliczka {period:%m/%Y}")
            add_charge(flat, "55.55", due, category=repair, title=f"Remont {period:%m/%Y}")
    add_charge(sold, "-50.00", D(2025, 3, 1), title="Korekta 02/2025")
    add_charge(sold, "33.33", D(2025, 2, 28), title="Woda 02/2025")
    add_payment(sold, "300.00", D(2025, 2, 5), title="Czynsz sprzedającego")
    add_payment(sold, "450.00", D(2025, 3, 1), title="Przelew nabywcy")
    add_payment(sold, "111.10", D(2025, 5, 12), title="Remont", fund=Fund.REPAIR)
    add_payment(kept, "1000.00", D(2025, 1, 3))
    add_payment(kept, "0.01", D(2025, 5, 10))
    add_payment(kept, "600.00", D(2025, 6, 9), fund=Fund.OPERATING)
    # Booked three weeks before the due date, so "stan na dzień" depends on the held charges.
    for charge in Charge.objects.filter(premises__in=[sold, kept]):
        when = datetime.datetime.combine(charge.due_date, datetime.time(12), datetime.UTC)
        Charge.objects.filter(pk=charge.pk).update(created_at=when - datetime.timedelta(days=21))
    return sold, kept, seller, buyer, landlord


# Around the sale, due dates (10 May 2025 is a Saturday: the deadline moves to Monday 12 May),
# the last booked month and after it.
DAYS = [
    D(2025, 2, 27),
    D(2025, 2, 28),
    SALE,
    D(2025, 3, 2),
    D(2025, 3, 10),
    D(2025, 3, 11),
    D(2025, 5, 9),
    D(2025, 5, 10),
    D(2025, 5, 12),
    D(2025, 5, 13),
    D(2025, 6, 10),
    D(2025, 11, 10),
    D(2025, 11, 11),
    D(2026, 1, 15),
]


@pytest.mark.parametrize("separate_funds", [False, True])
def test_balances_from_ledger_totals_equal_the_whole_ledger_summed(
    monkeypatch, ledger, separate_funds
):
    sold, kept, seller, buyer, landlord = ledger
    if separate_funds:
        FundAccount.objects.create(
            community=sold.building.community,
            fund=Fund.REPAIR,
            bank_account="27114020040000300201355387",
        )
    flats = Premises.objects.filter(pk__in=[sold.pk, kept.pk]).order_by("pk")
    compared = 0
    for today in DAYS:
        for user in (seller, buyer, landlord):
            new, old = _both_ways(monkeypatch, balances_for_user, user, today)
            assert new == old, (user, today)
            compared += len(new)
        for since in (
            None,
            {sold.pk: HoldingPeriod(SALE), kept.pk: HoldingPeriod(D(2020, 1, 1))},
            {sold.pk: HoldingPeriod(today)},
            # A sale recorded ahead: the seller's account ends on the last day (issue: end).
            {sold.pk: HoldingPeriod(D(2024, 11, 15), D(2025, 5, 10))},
            {sold.pk: HoldingPeriod(SALE, D(2025, 3, 9)), kept.pk: HoldingPeriod(SALE)},
        ):
            premises = flats.filter(pk__in=list(since)) if since else flats
            new, old = _both_ways(monkeypatch, balances_for_premises, premises, today, since)
            assert new == old, (since, today)
            compared += len(new)
    assert compared > 100
