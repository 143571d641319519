"""Reads of a resident's money. Everything starts from ``premises_for_user``.

Sign convention: the balance (saldo) is payments minus charges, so a negative balance is what
the resident still owes and a positive one is an overpayment.

A resident's account (kartoteka) starts on their holding start (``holding_starts_for_user``: the
day they acquired or took over the premises). For them, only charges with ``due_date`` and
payments with ``booked_on`` on or after that day exist; the balance starts at 0 on that day. A
seller's charges, payments and arrears stay the seller's. Office reads (``balances_for_premises``
without ``since``, ``charges_for_month``) stay premises-wide.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    DecimalField,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from premises.models import Premises
from premises.selectors import communities_for_user, holding_starts_for_user, premises_for_user

from .models import Charge, Fund, FundAccount, ImportBatch, Payment

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
_MONEY = DecimalField(max_digits=12, decimal_places=2)


def _money(value) -> Decimal:
    """A database sum as Decimal with two places (SQLite hands back floats for raw SQL)."""
    if value is None:
        return ZERO
    if isinstance(value, float):
        value = repr(value)
    return Decimal(value).quantize(CENT)


def _sum_of(queryset, field_name="amount"):
    """A correlated subquery: the sum of ``field_name`` over ``queryset`` per outer premises."""
    total = (
        queryset.filter(premises=OuterRef("pk"))
        .order_by()
        .values("premises")
        .annotate(total=Sum(field_name))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=_MONEY), Value(ZERO), output_field=_MONEY)


# --- Scoped querysets -----------------------------------------------------------------------

Since = dict[int, datetime.date]  # {premises_id: holding start}, from holding_starts_for_user


def held_since(since: Since, date_field: str) -> Q:
    """Rows of the given premises dated on or after each premises' holding start."""
    condition = Q(pk__in=[])
    for premises_id, start in since.items():
        condition |= Q(premises_id=premises_id, **{f"{date_field}__gte": start})
    return condition


def charges_for_user(user, since: Since | None = None) -> QuerySet[Charge]:
    """Charges the user sees: due on or after their holding start of each premises."""
    since = holding_starts_for_user(user) if since is None else since
    return Charge.objects.filter(premises__in=premises_for_user(user)).filter(
        held_since(since, "due_date")
    )


def payments_for_user(user, since: Since | None = None) -> QuerySet[Payment]:
    """Payments the user sees: booked on or after their holding start of each premises."""
    since = holding_starts_for_user(user) if since is None else since
    return Payment.objects.filter(premises__in=premises_for_user(user)).filter(
        held_since(since, "booked_on")
    )


def charges_for_month(*, premises_ids, year: int, month: int) -> QuerySet[Charge]:
    """Charges concerning one month for the given premises (e.g. for fee notices)."""
    return (
        Charge.objects.filter(premises_id__in=premises_ids, period=datetime.date(year, month, 1))
        .select_related("premises__building__community")
        .order_by("premises_id", "category", "pk")
    )


# --- Balances -------------------------------------------------------------------------------


@dataclass
class FundBalance:
    fund: str
    label: str
    charges_due: Decimal = ZERO
    charges_total: Decimal = ZERO
    payments_total: Decimal = ZERO
    bank_account: str = ""

    @property
    def amount_due(self) -> Decimal:
        return max(self.charges_due - self.payments_total, ZERO)

    @property
    def overpayment(self) -> Decimal:
        return max(self.payments_total - self.charges_due, ZERO)

    @property
    def balance(self) -> Decimal:
        return self.payments_total - self.charges_total


@dataclass
class PremisesBalance:
    """Money figures of one premises on a given day."""

    premises: Premises
    today: datetime.date
    charges_due: Decimal
    charges_total: Decimal
    payments_total: Decimal
    # The resident's holding start; None for office (premises-wide) figures.
    since: datetime.date | None = None
    # Filled only where the community keeps some fund on its own account.
    funds: list[FundBalance] = field(default_factory=list)

    @property
    def amount_due(self) -> Decimal:
        """Kwota do zapłaty: charges due on or before today minus all payments, if positive."""
        return max(self.charges_due - self.payments_total, ZERO)

    @property
    def overpayment(self) -> Decimal:
        return max(self.payments_total - self.charges_due, ZERO)

    @property
    def not_yet_due(self) -> Decimal:
        return self.charges_total - self.charges_due

    @property
    def balance(self) -> Decimal:
        """Saldo including charges not yet due (negative = owed)."""
        return self.payments_total - self.charges_total

    @property
    def to_pay_now_or_soon(self) -> Decimal:
        """What a payment today should cover: the amount due, else what falls due next."""
        return self.amount_due if self.amount_due > 0 else max(-self.balance, ZERO)

    @property
    def separate_funds(self) -> bool:
        return bool(self.funds)

    @property
    def payment_account(self) -> str:
        """Where to pay: the premises' individual account, else the community's account."""
        return self.premises.bank_account or self.premises.building.community.bank_account


def _with_sums(premises_qs, today: datetime.date, since: Since | None):
    charges, payments = Charge.objects.all(), Payment.objects.all()
    if since is not None:
        charges = charges.filter(held_since(since, "due_date"))
        payments = payments.filter(held_since(since, "booked_on"))
    return premises_qs.annotate(
        charges_due=_sum_of(charges.filter(due_date__lte=today)),
        charges_total=_sum_of(charges),
        payments_total=_sum_of(payments),
    )


def _fund_breakdown(
    balances: list[PremisesBalance], today: datetime.date, since: Since | None
) -> None:
    """Per-fund figures for premises whose community keeps separate fund accounts (3 queries)."""
    community_ids = {b.premises.building.community_id for b in balances}
    accounts = defaultdict(dict)
    for fund_account in FundAccount.objects.filter(community_id__in=community_ids):
        accounts[fund_account.community_id][fund_account.fund] = fund_account.bank_account
    split = [b for b in balances if accounts.get(b.premises.building.community_id)]
    if not split:
        return
    ids = [b.premises.pk for b in split]
    charges = Charge.objects.filter(premises_id__in=ids)
    payments = Payment.objects.filter(premises_id__in=ids)
    if since is not None:
        charges = charges.filter(held_since(since, "due_date"))
        payments = payments.filter(held_since(since, "booked_on"))
    charge_rows = (
        charges.order_by()
        .values("premises_id", "fund")
        .annotate(
            due=Coalesce(Sum("amount", filter=Q(due_date__lte=today)), Value(ZERO)),
            total=Sum("amount"),
        )
    )
    payment_rows = (
        payments.order_by()
        .annotate(
            fund_or_default=Case(
                When(fund="", then=Value(Fund.OPERATING)),
                default=F("fund"),
                output_field=CharField(),
            )
        )
        .values("premises_id", "fund_or_default")
        .annotate(total=Sum("amount"))
    )
    by_premises = {}
    for balance in split:
        own = accounts[balance.premises.building.community_id]
        funds = {
            fund: FundBalance(
                fund=fund,
                label=str(label),
                bank_account=own.get(fund, "") or balance.payment_account,
            )
            for fund, label in Fund.choices
        }
        by_premises[balance.premises.pk] = funds
        balance.funds = list(funds.values())
    for row in charge_rows:
        fund_balance = by_premises[row["premises_id"]][row["fund"]]
        fund_balance.charges_due += _money(row["due"])
        fund_balance.charges_total += _money(row["total"])
    for row in payment_rows:
        # An empty fund means the operating account; "" and "operating" may come as two rows.
        fund = row["fund_or_default"] or Fund.OPERATING
        by_premises[row["premises_id"]][fund].payments_total += _money(row["total"])


def balances_for_premises(
    premises_qs, today: datetime.date, since: Since | None = None
) -> list[PremisesBalance]:
    """Figures of the given premises; premises-wide unless ``since`` (holding starts) is given."""
    balances = [
        PremisesBalance(
            premises=p,
            today=today,
            charges_due=_money(p.charges_due),
            charges_total=_money(p.charges_total),
            payments_total=_money(p.payments_total),
            since=None if since is None else since.get(p.pk),
        )
        for p in _with_sums(premises_qs, today, since)
    ]
    _fund_breakdown(balances, today, since)
    return balances


def balances_for_user(user, today: datetime.date) -> list[PremisesBalance]:
    """Amount due, overpayment and balance of each of the user's premises, counted from the
    user's holding start of each (≤ 5 queries)."""
    since = holding_starts_for_user(user, today)
    balances = balances_for_premises(premises_for_user(user), today, since)
    return [balance for balance in balances if balance.since]  # fail closed


def data_as_of(user, since: Since | None = None) -> datetime.date | None:
    """ "Stan na dzień": the latest booking the user sees or the latest import."""
    since = holding_starts_for_user(user) if since is None else since
    paid = payments_for_user(user, since).aggregate(m=Max("booked_on"))["m"]
    charged = charges_for_user(user, since).aggregate(m=Max("created_at"))["m"]
    # Bank statements span communities (no community set); charge imports have one.
    imported = ImportBatch.objects.filter(
        Q(community__isnull=True) | Q(community__in=communities_for_user(user))
    ).aggregate(m=Max("created_at"))["m"]
    days = [paid] + [_local_date(value) for value in (charged, imported) if value]
    days = [day for day in days if day]
    return max(days) if days else None


def _local_date(value: datetime.datetime) -> datetime.date:
    return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()


# --- Ledger ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerEntry:
    kind: str  # "charge" or "payment"
    pk: int
    date: datetime.date
    period: datetime.date | None
    title: str
    label: str  # category of a charge, source of a payment (code)
    amount: Decimal  # as booked: a charge's amount or a payment's amount
    balance: Decimal  # running balance after this entry (payments minus charges)

    @property
    def is_charge(self) -> bool:
        return self.kind == "charge"

    @property
    def label_display(self) -> str:
        choices = Charge.Category if self.is_charge else Payment.Source
        try:
            return str(choices(self.label).label)
        except ValueError:
            return self.label


def _as_date(value) -> datetime.date | None:
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


class Ledger:
    """Charges and payments of one premises with a running balance, computed in one SQL query.

    The running balance is a window function over the whole history, so a period filter or a
    page shows the true balance after each entry. Sliceable and countable, so Django's
    Paginator pages it with two queries whatever the history's length.
    """

    def __init__(
        self,
        premises_id: int,
        *,
        since: datetime.date | None = None,
        date_from: datetime.date | None = None,
        date_to: datetime.date | None = None,
        newest_first: bool = True,
    ):
        self.premises_id = premises_id
        self.since = since
        self.date_from = date_from
        self.date_to = date_to
        self.newest_first = newest_first

    def _where(self) -> tuple[str, list]:
        clauses, params = [], []
        if self.date_from:
            clauses.append("entry_date >= %s")
            params.append(self.date_from)
        if self.date_to:
            clauses.append("entry_date <= %s")
            params.append(self.date_to)
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params

    def _entries_sql(self) -> tuple[str, list]:
        charge = Charge._meta.db_table
        payment = Payment._meta.db_table
        charge_since = payment_since = ""
        since_params = []
        if self.since:
            # The account starts at the holding start: the running balance starts at 0 there.
            charge_since, payment_since = " AND due_date >= %s", " AND booked_on >= %s"
            since_params = [self.since]
        # On a day, charges come before payments, so a same-day payment settles them.
        sql = f"""
            SELECT entry_kind, entry_id, entry_date, entry_period, title, label, amount,
                   SUM(signed) OVER (
                       ORDER BY entry_date, sort_key, entry_id
                       ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
                   ) AS balance,
                   sort_key
            FROM (
                SELECT 'charge' AS entry_kind, id AS entry_id, due_date AS entry_date,
                       period AS entry_period, title, category AS label, amount,
                       -amount AS signed, 0 AS sort_key
                FROM {charge} WHERE premises_id = %s{charge_since}
                UNION ALL
                SELECT 'payment', id, booked_on, NULL, title, source, amount, amount, 1
                FROM {payment} WHERE premises_id = %s{payment_since}
            ) AS entries
        """  # noqa: S608 (table names come from model meta; values are parameters)
        return sql, [self.premises_id, *since_params, self.premises_id, *since_params]

    def count(self) -> int:
        inner, params = self._entries_sql()
        where, where_params = self._where()
        sql = f"SELECT COUNT(*) FROM ({inner}) AS ledger{where}"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, params + where_params)
            return cursor.fetchone()[0]

    def __len__(self) -> int:
        return self.count()

    def _fetch(self, offset: int, limit: int | None) -> list[LedgerEntry]:
        inner, params = self._entries_sql()
        where, where_params = self._where()
        direction = "DESC" if self.newest_first else "ASC"
        sql = (
            f"SELECT * FROM ({inner}) AS ledger{where} "  # noqa: S608
            f"ORDER BY entry_date {direction}, sort_key {direction}, entry_id {direction}"
        )
        extra = []
        if limit is not None:
            sql += " LIMIT %s OFFSET %s"
            extra = [limit, offset]
        with connection.cursor() as cursor:
            cursor.execute(sql, params + where_params + extra)
            rows = cursor.fetchall()
        return [
            LedgerEntry(
                kind=row[0],
                pk=row[1],
                date=_as_date(row[2]),
                period=_as_date(row[3]),
                title=row[4],
                label=row[5],
                amount=_money(row[6]),
                balance=_money(row[7]),
            )
            for row in rows
        ]

    def __getitem__(self, key):
        if isinstance(key, slice):
            start = key.start or 0
            limit = None if key.stop is None else max(key.stop - start, 0)
            return self._fetch(start, limit)
        return self._fetch(key, 1)[0]

    def __iter__(self):
        return iter(self._fetch(0, None))


def ledger_for_premises(
    premises: Premises,
    *,
    since: datetime.date | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    newest_first: bool = True,
) -> Ledger:
    """Entries of a premises (already scoped by the caller) with a running balance.

    ``since`` is the resident's holding start: nothing before it is listed or counted.
    """
    return Ledger(
        premises.pk,
        since=since,
        date_from=date_from,
        date_to=date_to,
        newest_first=newest_first,
    )


@dataclass(frozen=True)
class LedgerSummary:
    opening_balance: Decimal
    charges: Decimal
    payments: Decimal

    @property
    def closing_balance(self) -> Decimal:
        return self.opening_balance + self.payments - self.charges


def ledger_summary(
    premises: Premises,
    *,
    since: datetime.date | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> LedgerSummary:
    """Opening balance, charges and payments in the period, closing balance (2 queries).

    Uses the same dates as the ledger (a charge's due date, a payment's booking date).
    """
    charge_sums, payment_sums = {"within": Sum("amount")}, {"within": Sum("amount")}
    if date_from:
        charge_sums["before"] = Sum("amount", filter=Q(due_date__lt=date_from))
        payment_sums["before"] = Sum("amount", filter=Q(booked_on__lt=date_from))
    charge_period, payment_period = Q(), Q()
    if date_from:
        charge_period &= Q(due_date__gte=date_from)
        payment_period &= Q(booked_on__gte=date_from)
    if date_to:
        charge_period &= Q(due_date__lte=date_to)
        payment_period &= Q(booked_on__lte=date_to)
    if charge_period:
        charge_sums["within"] = Sum("amount", filter=charge_period)
        payment_sums["within"] = Sum("amount", filter=payment_period)
    charges = Charge.objects.filter(premises=premises)
    payments = Payment.objects.filter(premises=premises)
    if since:
        charges = charges.filter(due_date__gte=since)
        payments = payments.filter(booked_on__gte=since)
    charges = charges.aggregate(**charge_sums)
    payments = payments.aggregate(**payment_sums)
    return LedgerSummary(
        opening_balance=_money(payments.get("before")) - _money(charges.get("before")),
        charges=_money(charges["within"]),
        payments=_money(payments["within"]),
    )
