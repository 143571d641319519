"""Reads of a resident's money. Everything starts from ``premises_for_user``.

Sign convention: the balance (saldo) is payments minus charges, so a negative balance is what
the resident still owes and a positive one is an overpayment.

A resident's account (kartoteka) is their holding period (``holding_periods_for_user``: from
the day they acquired or took over the premises to the day their role ends, if it is known:
a sale recorded ahead, a tenancy with a fixed end). For them, only charges with ``due_date`` and
payments with ``booked_on`` within it exist (``within_period``); the balance starts at 0 on its
first day. A seller's charges, payments and arrears stay the seller's, a buyer's the buyer's.
Office reads (``balances_for_premises`` without ``periods``, ``charges_for_month``) stay
premises-wide.
"""

import calendar
import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    DecimalField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from lib import workdays
from premises.models import Premises
from premises.selectors import (
    HoldingPeriod,
    communities_for_user,
    held_premises_for_user,
    holding_periods_for_premises,
    holding_periods_for_user,
    premises_for_user,
)

from .models import Charge, Fund, FundAccount, ImportBatch, LedgerTotal, Payment

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


# --- Scoped querysets -----------------------------------------------------------------------

Periods = dict[int, HoldingPeriod]  # {premises_id: holding period}, holding_periods_for_user


def within_period(period: HoldingPeriod, date_field: str) -> Q:
    """Rows dated within one holder's account period: the one account-period rule (its SQL
    twin is ``_period_sql``). A plain range on the date, served by the (premises, date) index."""
    condition = Q(**{f"{date_field}__gte": period.start})
    if period.end is not None:
        condition &= Q(**{f"{date_field}__lte": period.end})
    return condition


def _by_period(periods: Periods) -> dict[HoldingPeriod, list[int]]:
    by_period: dict[HoldingPeriod, list[int]] = defaultdict(list)
    for premises_id, period in periods.items():
        by_period[period].append(premises_id)
    return by_period


def held_within(periods: Periods, date_field: str) -> Q:
    """Rows of the given premises dated within each premises' holding period.

    Premises sharing a period are grouped, so the SQL grows with the number of distinct
    periods, not with the number of premises.
    """
    condition = Q(pk__in=[])
    for period, ids in _by_period(periods).items():
        condition |= Q(premises_id__in=ids) & within_period(period, date_field)
    return condition


def charges_for_user(user, periods: Periods | None = None) -> QuerySet[Charge]:
    """Charges the user sees: due within their holding period of each premises."""
    periods = holding_periods_for_user(user) if periods is None else periods
    return Charge.objects.filter(premises__in=premises_for_user(user)).filter(
        held_within(periods, "due_date")
    )


def payments_for_user(user, periods: Periods | None = None) -> QuerySet[Payment]:
    """Payments the user sees: booked within their holding period of each premises."""
    periods = holding_periods_for_user(user) if periods is None else periods
    return Payment.objects.filter(premises__in=premises_for_user(user)).filter(
        held_within(periods, "booked_on")
    )


def charges_for_month(*, premises_ids, year: int, month: int) -> QuerySet[Charge]:
    """The monthly fee's charges of one month for the given premises (fee notices).

    Corrections (negative amounts) are left out, as in ``fee_breakdown``: a notice states what
    the monthly fee is made of, not a one-off credit booked for that month.
    """
    return (
        Charge.objects.filter(
            premises_id__in=premises_ids, period=datetime.date(year, month, 1), amount__gt=0
        )
        .select_related("premises__building__community")
        .order_by("premises_id", "category", "pk")
    )


def fund_accounts(community_ids) -> dict[int, dict[str, str]]:
    """``{community_id: {fund: account}}`` for the funds communities keep on their own account."""
    accounts: dict[int, dict[str, str]] = defaultdict(dict)
    for community_id, fund, account in FundAccount.objects.filter(
        community_id__in=community_ids
    ).values_list("community_id", "fund", "bank_account"):
        accounts[community_id][fund] = account
    return dict(accounts)


def fund_payment_account(premises: Premises, fund: str, own: dict[str, str]) -> str:
    """Where to pay ``fund`` of ``premises``: the fund's own account where its community keeps
    one (``own``: that community's ``fund_accounts``), else the premises' individual account,
    else the community's."""
    return own.get(fund, "") or premises.bank_account or premises.building.community.bank_account


# --- Due dates ------------------------------------------------------------------------------


def due_date_for(community, period: datetime.date) -> datetime.date:
    """The nominal due date of a monthly charge: the community's due day in that month."""
    last = calendar.monthrange(period.year, period.month)[1]
    return period.replace(day=min(community.payment_due_day, last))


def payment_deadline(due_date: datetime.date) -> datetime.date:
    """The last day to pay a charge due on ``due_date`` (moved off a day off, art. 115 k.c.)."""
    return workdays.deadline(due_date)


def due_cutoff(today: datetime.date) -> datetime.date:
    """Charges with ``due_date`` on or before this day are due ("Kwota do zapłaty") on
    ``today``: their deadline, moved off a day off, is today or has passed. A charge due on
    Saturday 10.10.2026 is due from Monday 12.10 and until then is the coming instalment."""
    return workdays.last_nominal_due_date_due_on(today)


def overdue_cutoff(today: datetime.date) -> datetime.date:
    """Charges with ``due_date`` on or before this day are arrears on ``today``."""
    return workdays.last_nominal_due_date_overdue_on(today)


# --- Balances -------------------------------------------------------------------------------
#
# Three figures, all positive amounts with their own names (never a signed "saldo" beside them):
# - "Kwota do zapłaty" (amount_due): charges whose working-day deadline is today or has
#   passed (``due_cutoff``) minus payments;
# - "Zaległość" (arrears): charges whose deadline (moved to a working day) has passed, minus
#   payments; it is never counted on the due day itself;
# - "Nadpłata" (overpayment): payments beyond the charges due.
# Where a community keeps a fund on its own bank account, each fund is settled on its own: a
# payment to the repair-fund account does not pay the operating charges, and the premises
# figures are the sums of the funds' figures.


@dataclass
class NextPayment:
    """The coming instalment: what a resident who paid everything will pay next."""

    amount: Decimal  # the instalment less any overpayment that will cover it
    instalment: Decimal  # the instalment as charged
    due_date: datetime.date  # nominal due date (e.g. the 10th)
    periods: tuple[datetime.date, ...] = ()
    projected: bool = False  # not booked yet: the current monthly charge repeated

    @property
    def deadline(self) -> datetime.date:
        return payment_deadline(self.due_date)


@dataclass
class Settlement:
    """Figures of one account a premises pays to (the whole premises, or one fund)."""

    charges_due: Decimal = ZERO
    charges_overdue: Decimal = ZERO
    charges_total: Decimal = ZERO
    payments_total: Decimal = ZERO
    next_payment: NextPayment | None = None

    @property
    def amount_due(self) -> Decimal:
        """Kwota do zapłaty: charges due by today (working-day deadline) minus payments."""
        return max(self.charges_due - self.payments_total, ZERO)

    @property
    def arrears(self) -> Decimal:
        """Zaległość: charges past their (working-day) deadline minus payments, if positive."""
        return max(self.charges_overdue - self.payments_total, ZERO)

    @property
    def overpayment(self) -> Decimal:
        return max(self.payments_total - self.charges_due, ZERO)

    @property
    def not_yet_due(self) -> Decimal:
        """Booked charges whose due date is still ahead."""
        return self.charges_total - self.charges_due

    @property
    def balance(self) -> Decimal:
        """Payments minus all booked charges (the ledger's running-balance convention)."""
        return self.payments_total - self.charges_total


@dataclass
class FundBalance(Settlement):
    fund: str = ""
    label: str = ""
    bank_account: str = ""


@dataclass
class PremisesBalance(Settlement):
    """Money figures of one premises on a given day."""

    premises: Premises = None
    today: datetime.date = None
    # The holder's account period; None for office (premises-wide) figures.
    period: HoldingPeriod | None = None
    # Filled only where the community keeps some fund on its own account.
    funds: list[FundBalance] = field(default_factory=list)
    # "Stan na dzień" of the holder's whole account (``data_as_of``), from balances_for_user.
    data_as_of: datetime.date | None = None

    @property
    def amount_due(self) -> Decimal:
        if self.funds:
            return sum((f.amount_due for f in self.funds), ZERO)
        return super().amount_due

    @property
    def arrears(self) -> Decimal:
        if self.funds:
            return sum((f.arrears for f in self.funds), ZERO)
        return super().arrears

    @property
    def overpayment(self) -> Decimal:
        if self.funds:
            return sum((f.overpayment for f in self.funds), ZERO)
        return super().overpayment

    @property
    def since(self) -> datetime.date | None:
        """The first day of the holder's account (None: premises-wide figures)."""
        return None if self.period is None else self.period.start

    @property
    def until(self) -> datetime.date | None:
        """The last day of the holder's account, when their role has a known end."""
        return None if self.period is None else self.period.end

    @property
    def separate_funds(self) -> bool:
        return bool(self.funds)

    @property
    def settlements(self) -> list[Settlement]:
        """The accounts to pay to: one per fund kept apart, else the premises as a whole."""
        return list(self.funds) if self.funds else [self]

    @property
    def payment_account(self) -> str:
        """Where to pay: the premises' individual account, else the community's account."""
        return self.premises.bank_account or self.premises.building.community.bank_account

    @property
    def next_payments(self) -> list[Settlement]:
        return [s for s in self.settlements if s.next_payment is not None]


@dataclass(frozen=True)
class Totals:
    """What a holder of several premises owes over all of them."""

    amount_due: Decimal
    arrears: Decimal


def totals_of(balances: list[PremisesBalance]) -> Totals:
    """The sums of each premises' own "Kwota do zapłaty" and arrears: an overpayment of one
    premises (or fund) never pays another's, so it is not netted."""
    return Totals(
        amount_due=sum((b.amount_due for b in balances), ZERO),
        arrears=sum((b.arrears for b in balances), ZERO),
    )


def _period_sql(period: HoldingPeriod, column: str) -> tuple[str, list]:
    """``within_period`` as SQL: `` AND``-joinable range on ``column``."""
    if period.end is None:
        return f"{column} >= %s", [period.start]
    return f"{column} >= %s AND {column} <= %s", [period.start, period.end]


def _within_sql(periods: Periods | None, column: str, *, outside: bool = False) -> tuple[str, list]:
    """``held_within`` as SQL: rows dated within each premises' holding period (``outside``:
    the rows dated before or after it, the previous and the next holders'). Each term is one
    range on the (premises, date) index."""
    if periods is None:
        return ("1 = 0" if outside else "1 = 1"), []
    by_period = _by_period(periods)
    if not by_period:
        return "1 = 0", []
    clauses, params = [], []
    for period, ids in by_period.items():
        in_ids = f"premises_id IN ({', '.join(['%s'] * len(ids))})"
        if not outside:
            range_sql, range_params = _period_sql(period, column)
            clauses.append(f"({in_ids} AND {range_sql})")
            params += [*ids, *range_params]
            continue
        clauses.append(f"({in_ids} AND {column} < %s)")
        params += [*ids, period.start]
        if period.end is not None:
            clauses.append(f"({in_ids} AND {column} > %s)")
            params += [*ids, period.end]
    return "(" + " OR ".join(clauses) + ")", params


def _figure_rows(
    premises_sql: str,
    premises_params: list,
    community_ids,
    today: datetime.date,
    periods: Periods | None,
    *,
    next_payment: bool,
    imports: bool = False,
) -> list[tuple]:
    """Everything the balances need, in one query (issue 17: it was 4–7 per page).
    ``periods``, if given, holds the holding periods of exactly the premises ``premises_sql``
    selects.

    Rows ``(kind, key, fund, due_date, period, due, overdue, total, account, stamp)``:
    ``c`` charges per premises and fund (due by today, ``due_cutoff``; overdue; all), ``p``
    payments per premises and fund (an empty fund is the operating one), ``f`` the funds a
    community keeps on their own account (key = community), for the next payment ``u`` the
    charges not yet due per due date and month, ``l`` per premises and fund the latest
    booked month (``period``) and its charges without corrections (``total``), with
    ``imports`` the latest booking day of a payment (``due_date``) and time of a charge
    (``stamp``) of the premises,
    and ``i``: the latest import of the communities or of a bank statement (``stamp``).

    The sums never read the whole history: they start from the ledger totals
    (``LedgerTotal``, all years per premises and fund) and subtract the few rows that differ:
    the previous and next holders' (dated outside the holding period) and, for what is due or
    overdue,
    the charges due after the day. Every other figure is an index probe per premises and fund.
    """
    charge, payment = Charge._meta.db_table, Payment._meta.db_table
    fund_account, totals = FundAccount._meta.db_table, LedgerTotal._meta.db_table
    charge_held, charge_held_params = _within_sql(periods, "due_date")
    charge_other, charge_other_params = _within_sql(periods, "due_date", outside=True)
    payment_other, payment_other_params = _within_sql(periods, "booked_on", outside=True)
    operating = Fund.OPERATING.value
    cutoff = overdue_cutoff(today)  # always before today
    due_by = due_cutoff(today)  # today, or before it when today's deadlines moved ahead
    # CASTs: PostgreSQL types a NULL column of a UNION by its first branch.
    nothing = "CAST(NULL AS DATE), CAST(NULL AS DATE)"
    no_stamp = "CAST(NULL AS TIMESTAMP WITH TIME ZONE)"
    if periods is None:
        charges_where, charges_params = f"premises_id IN ({premises_sql})", premises_params
    else:  # the holding periods are of exactly these premises
        charges_where, charges_params = charge_held, charge_held_params
    parts = [
        (
            f"""SELECT 'c', g.premises_id, g.fund, {nothing}, SUM(g.due), SUM(g.overdue),
                   SUM(g.total), CAST(NULL AS TEXT), {no_stamp}
            FROM (
                SELECT premises_id, fund, charges AS due, charges AS overdue, charges AS total
                FROM {totals} WHERE premises_id IN ({premises_sql})
                UNION ALL
                SELECT premises_id, fund, -amount, -amount, -amount
                FROM {charge} WHERE {charge_other}
                UNION ALL
                SELECT premises_id, fund, CASE WHEN due_date > %s THEN -amount ELSE 0 END,
                       -amount, 0
                FROM {charge} WHERE {charges_where} AND due_date > %s
            ) g GROUP BY g.premises_id, g.fund""",  # noqa: S608 (table names from model meta; values are parameters)
            [*premises_params, *charge_other_params, due_by, *charges_params, cutoff],
        ),
        (
            f"""SELECT 'p', g.premises_id, g.fund, {nothing}, CAST(NULL AS NUMERIC),
                   CAST(NULL AS NUMERIC), SUM(g.total), CAST(NULL AS TEXT), {no_stamp}
            FROM (
                SELECT premises_id, fund, payments AS total
                FROM {totals} WHERE premises_id IN ({premises_sql})
                UNION ALL
                SELECT premises_id, CASE WHEN fund = '' THEN '{operating}' ELSE fund END,
                       -amount
                FROM {payment} WHERE {payment_other}
            ) g GROUP BY g.premises_id, g.fund""",  # noqa: S608 (table names from model meta; values are parameters)
            [*premises_params, *payment_other_params],
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
                [*charges_params, due_by],
            )
        )
    if next_payment or imports:
        # Per premises and fund of the ledger totals (every one with a charge or a payment),
        # one probe per figure on the (premises, period / due date / booking day) indexes,
        # per holding period: the premises sharing a period share a branch.
        groups = (
            [(premises_sql, premises_params, None)]
            if periods is None
            else [
                (", ".join(["%s"] * len(ids)), ids, period)
                for period, ids in _by_period(periods).items()
            ]
        )
        for ids_sql, ids_params, period in groups:
            held = paid = ""
            held_params = []
            if period is not None:
                held_range, held_params = _period_sql(period, "c.due_date")
                paid_range, _ = _period_sql(period, "c.booked_on")
                held, paid = f" AND {held_range}", f" AND {paid_range}"
            # The latest month booked (over the whole history, as the office booked it),
            # its charges counted within the holder's account. The monthly fee is what
            # ``fee_breakdown`` lists: corrections (negative amounts) are one-off, left out.
            latest = f"""(SELECT MAX(c.period) FROM {charge} c
                WHERE c.premises_id = lt.premises_id AND c.fund = lt.fund
                AND c.amount > 0)"""  # noqa: S608
            month, month_params = "CAST(NULL AS DATE)", []
            month_total, month_total_params = "CAST(NULL AS NUMERIC)", []
            if next_payment:
                month = latest
                month_total = f"""(SELECT SUM(c.amount) FROM {charge} c
                    WHERE c.premises_id = lt.premises_id AND c.fund = lt.fund
                    AND c.amount > 0 AND c.period = {latest}{held})"""  # noqa: S608
                month_total_params = held_params
            day, day_params, stamp, stamp_params = "CAST(NULL AS DATE)", [], no_stamp, []
            if imports:
                day = f"""(SELECT MAX(c.booked_on) FROM {payment} c
                    WHERE c.premises_id = lt.premises_id{paid})"""  # noqa: S608
                day_params = held_params
                stamp = f"""(SELECT MAX(c.created_at) FROM {charge} c
                    WHERE c.premises_id = lt.premises_id{held})"""  # noqa: S608
                stamp_params = held_params
            parts.append(
                (
                    f"""SELECT 'l', lt.premises_id, lt.fund, {day}, {month},
                           CAST(NULL AS NUMERIC), CAST(NULL AS NUMERIC), {month_total},
                           CAST(NULL AS TEXT), {stamp}
                    FROM {totals} lt WHERE lt.premises_id IN ({ids_sql})""",  # noqa: S608 (table names from model meta; values are parameters)
                    [
                        *day_params,
                        *month_params,
                        *month_total_params,
                        *stamp_params,
                        *ids_params,
                    ],
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


def _premises_figures(
    premises_list: list[Premises],
    premises_sql: str,
    premises_params: list,
    today: datetime.date,
    periods: Periods | None,
    *,
    next_payment: bool,
    as_of: bool = False,
) -> list[PremisesBalance]:
    """Balances of ``premises_list`` (whose ids ``premises_sql`` selects) from one query;
    ``as_of`` fills ``data_as_of`` as ``data_as_of()`` counts it."""
    if not premises_list:
        return []
    if periods is not None:
        # The figures' SQL filters by the holding periods alone (fewer lists of ids to plan).
        periods = {p.pk: periods[p.pk] for p in premises_list if p.pk in periods}
        premises_sql, premises_params = ", ".join(["%s"] * len(periods)) or "NULL", list(periods)
    community_ids = sorted({p.building.community_id for p in premises_list})
    rows = _figure_rows(
        premises_sql,
        premises_params,
        community_ids,
        today,
        periods,
        next_payment=next_payment,
        imports=as_of,
    )
    sums: dict[int, dict[str, Settlement]] = defaultdict(lambda: defaultdict(Settlement))
    accounts: dict[int, dict[str, str]] = defaultdict(dict)
    future: dict[tuple, dict[datetime.date, list]] = defaultdict(lambda: defaultdict(list))
    current: dict[tuple, list] = defaultdict(list)
    latest: list[datetime.date] = []  # "stan na dzień": the latest booking or import
    for kind, key, fund, due_date, period, due, overdue, total, account, stamp in rows:
        if as_of and stamp is not None:
            latest.append(_local_date(_as_datetime(stamp)))
        if kind == "c":
            figures = sums[key][fund]
            figures.charges_due += _money(due)
            figures.charges_overdue += _money(overdue)
            figures.charges_total += _money(total)
        elif kind == "p":
            sums[key][fund].payments_total += _money(total)
        elif kind == "f":
            accounts[key][fund] = account
        elif kind == "i":
            pass
        elif kind == "u":
            future[key, fund][_as_date(due_date)].append((_as_date(period), _money(total)))
        else:  # "l"
            if as_of and due_date is not None:
                latest.append(_as_date(due_date))
            if total is not None:  # some charge of the latest month is the holder's
                current[key, fund].append((_as_date(period), _money(total)))
    balances = []
    for premises in premises_list:
        by_fund = sums.get(premises.pk, {})
        balance = PremisesBalance(
            premises=premises,
            today=today,
            period=None if periods is None else periods.get(premises.pk),
            data_as_of=max(latest) if as_of and latest else None,
        )
        for figures in by_fund.values():
            balance.charges_due += figures.charges_due
            balance.charges_overdue += figures.charges_overdue
            balance.charges_total += figures.charges_total
            balance.payments_total += figures.payments_total
        own = accounts.get(premises.building.community_id)
        if own:
            # The community keeps some fund on its own account: each fund is settled apart.
            balance.funds = []
            for fund, label in Fund.choices:
                figures = by_fund.get(fund, Settlement())
                balance.funds.append(
                    FundBalance(
                        fund=fund,
                        label=str(label),
                        bank_account=fund_payment_account(premises, fund, own),
                        charges_due=figures.charges_due,
                        charges_overdue=figures.charges_overdue,
                        charges_total=figures.charges_total,
                        payments_total=figures.payments_total,
                    )
                )
        balances.append(balance)
    if next_payment:
        _attach_next_payments(balances, today, future, current)
    return balances


def balances_for_premises(
    premises_qs, today: datetime.date, periods: Periods | None = None
) -> list[PremisesBalance]:
    """Figures of the given premises; premises-wide unless ``periods`` (holding periods) is
    given.

    The one place every money figure comes from: resident pages, the start page, PDFs, QR
    codes, reminders, SMS, the dashboard and the arrears list (2 queries: the premises, then
    every sum in one grouped query).
    """
    premises_list = list(premises_qs.select_related("building__community"))
    premises_sql, premises_params = premises_qs.order_by().values("pk").query.sql_with_params()
    return _premises_figures(
        premises_list, premises_sql, list(premises_params), today, periods, next_payment=False
    )


def balances_for_user(
    user, today: datetime.date, *, next_payment: bool = True, premises=None
) -> list[PremisesBalance]:
    """Amount due, arrears, overpayment and the next payment of each of the user's premises,
    counted within the user's holding period of each (3 queries: holding periods, the premises,
    the sums; 2 when the caller passes the user's premises already read, ``premises_for_request``).
    """
    periods = holding_periods_for_user(user, today)
    if premises is None:
        premises = held_premises_for_user(user)
    premises = [p for p in premises if p.pk in periods]  # fail closed: no period, no figures
    ids = [p.pk for p in premises]
    return _premises_figures(
        premises,
        ", ".join(["%s"] * len(ids)) or "NULL",
        ids,
        today,
        periods,
        next_payment=next_payment,
        as_of=True,
    )


def balances_for_holders(
    premises_qs,
    today: datetime.date,
    holders: dict[int, list],
    *,
    on: datetime.date,
    until: datetime.date | None = None,
) -> list[tuple[PremisesBalance, list]]:
    """Each holder's own figures: ``[(balance, users)]`` for the users given per premises.

    A holder's account is their holding period (``holding_periods_for_premises``) on ``on``,
    or, for a holder whose role starts after ``on``, on ``until``; so a buyer is never
    reminded of the seller's debt, nor a seller of the buyer's charges. Holders of one
    premises who share a period share a balance. Queries grow with the number of distinct
    periods per premises (usually one), not with the number of premises.
    """
    periods = holding_periods_for_premises(holders.keys(), on)
    if until is not None and until != on:
        for premises_id, later in holding_periods_for_premises(holders.keys(), until).items():
            for user_id, period in later.items():
                periods.setdefault(premises_id, {}).setdefault(user_id, period)
    groups: dict[int, dict[HoldingPeriod, list]] = defaultdict(lambda: defaultdict(list))
    for premises_id, users in holders.items():
        for user in users:
            period = periods.get(premises_id, {}).get(user.pk)
            if period is not None:
                groups[premises_id][period].append(user)
    layers: list[Periods] = []
    for premises_id, by_period in groups.items():
        for depth, period in enumerate(sorted(by_period, key=_period_order)):
            if depth == len(layers):
                layers.append({})
            layers[depth][premises_id] = period
    result = []
    for layer in layers:
        for balance in balances_for_premises(premises_qs.filter(pk__in=list(layer)), today, layer):
            result.append((balance, groups[balance.premises.pk][balance.period]))
    return result


def _period_order(period: HoldingPeriod) -> tuple:
    return (period.start, period.end or datetime.date.max)


def _month_after(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def _attach_next_payments(
    balances: list[PremisesBalance],
    today: datetime.date,
    future: dict[tuple, dict[datetime.date, list]],
    current: dict[tuple, list],
) -> None:
    """The coming instalment of each settlement (no query: the rows come with the sums).

    The charges with the nearest due date not yet due (``future``: per premises and fund, due
    date → [(month, amount)]), else, when the next month is not booked yet, the latest month's
    fee as ``fee_breakdown`` lists it (``current``: no corrections) repeated on the next due
    day (projected). Any overpayment of the
    settlement is counted towards it.
    """
    due_by = due_cutoff(today)
    for balance in balances:
        community = balance.premises.building.community
        pk = balance.premises.pk
        if balance.funds:
            targets = [(s, (s.fund,)) for s in balance.funds]
        else:
            targets = [(balance, tuple(Fund.values))]
        for settlement, funds in targets:
            booked = defaultdict(list)
            for fund in funds:
                for due, rows in future.get((pk, fund), {}).items():
                    booked[due].extend(rows)
            # A credit note (a negative charge) falling due before the instalment is not an
            # instalment: it is counted towards the next one.
            credits: list[tuple[datetime.date, Decimal]] = []
            for due in sorted(booked):
                total = sum((amount for _, amount in booked[due]), ZERO)
                if total > 0:
                    rows, projected = booked[due], False
                    break
                credits.append((due, -total))
            else:
                rows = [row for fund in funds for row in current.get((pk, fund), [])]
                if not rows:
                    continue
                # The month after the latest booked, but never a due date already past.
                period = max(_month_after(max(p for p, _ in rows)), today.replace(day=1))
                if due_date_for(community, period) <= due_by:
                    period = _month_after(period)
                due, projected = due_date_for(community, period), True
                if balance.until is not None and due > balance.until:
                    continue  # due after the holder's account ends: the next holder's
                rows = [(period, amount) for _, amount in rows]
            instalment = sum((amount for _, amount in rows), ZERO)
            if instalment <= 0:
                continue
            # The overpayment now and the credit notes falling due by then count towards it.
            credit = settlement.overpayment + sum((c for day, c in credits if day <= due), ZERO)
            settlement.next_payment = NextPayment(
                amount=max(instalment - credit, ZERO),
                instalment=instalment,
                due_date=due,
                periods=tuple(sorted({period for period, _ in rows})),
                projected=projected,
            )


def unpaid_periods(balance: PremisesBalance) -> dict[str | None, tuple[datetime.date, ...]]:
    """The months the amount due of each settlement covers, by fund (``None``: the premises as
    a whole). Payments settle the oldest charges first, so these are the newest charges due.

    One query for every settlement: each fund's newest 600 charges due (50 years of months).
    """
    owing = [s for s in balance.settlements if s.amount_due > 0]
    if not owing:
        return {}
    charges = Charge.objects.filter(
        premises=balance.premises, due_date__lte=due_cutoff(balance.today)
    )
    if balance.period:
        charges = charges.filter(within_period(balance.period, "due_date"))
    newest_first = [F("due_date").desc(), F("pk").desc()]
    partition = [F("fund")] if balance.funds else None
    rows = (
        charges.annotate(row=Window(RowNumber(), partition_by=partition, order_by=newest_first))
        .filter(row__lte=600)
        .order_by(*newest_first)
        .values_list("fund", "period", "amount")
    )
    by_fund = defaultdict(list)
    for fund, period, amount in rows:
        by_fund[fund if balance.funds else None].append((period, amount))
    result = {}
    for settlement in owing:
        fund = getattr(settlement, "fund", None)
        left = settlement.amount_due
        periods = set()
        for period, amount in by_fund[fund]:
            if amount <= 0:
                continue
            periods.add(period)
            left -= amount
            if left <= 0:
                break
        result[fund] = tuple(sorted(periods))
    return result


def data_as_of(user, periods: Periods | None = None) -> datetime.date | None:
    """ "Stan na dzień": the latest booking the user sees or the latest import."""
    periods = holding_periods_for_user(user) if periods is None else periods

    def latest(queryset, field_name):  # MAX(field) as a subquery (each on its own index)
        return Subquery(queryset.order_by(f"-{field_name}").values(field_name)[:1])

    # Bank statements span communities (no community set); charge imports have one.
    imports = ImportBatch.objects.filter(
        Q(community__isnull=True) | Q(community__in=communities_for_user(user))
    )
    # One query for the three dates (issue 17: they were three round trips on every page).
    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .values(
            paid=latest(payments_for_user(user, periods), "booked_on"),
            charged=latest(charges_for_user(user, periods), "created_at"),
            imported=latest(imports, "created_at"),
        )
        .get()
    )
    paid, charged, imported = row["paid"], row["charged"], row["imported"]
    days = [paid] + [_local_date(value) for value in (charged, imported) if value]
    days = [day for day in days if day]
    return max(days) if days else None


def _as_datetime(value) -> datetime.datetime:
    """A timestamp from raw SQL (SQLite hands back UTC text)."""
    if isinstance(value, str):
        value = parse_datetime(value)
        if timezone.is_naive(value):
            value = timezone.make_aware(value, datetime.UTC)
    return value


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
        period: HoldingPeriod | None = None,
        date_from: datetime.date | None = None,
        date_to: datetime.date | None = None,
        newest_first: bool = True,
    ):
        self.premises_id = premises_id
        self.period = period
        self.date_from = date_from
        self.date_to = date_to
        self.newest_first = newest_first
        self._cached_totals = None

    def _where(self) -> tuple[str, list]:
        clauses, params = [], []
        if self.date_from:
            clauses.append("entry_date >= %s")
            params.append(self.date_from)
        if self.date_to:
            clauses.append("entry_date <= %s")
            params.append(self.date_to)
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params

    def _held(self) -> tuple[str, str, list]:
        """The holder's account period as SQL for the charges and the payments (one set of
        parameters for each); nothing for the whole premises."""
        if not self.period:
            return "", "", []
        charges, params = _period_sql(self.period, "due_date")
        payments, _ = _period_sql(self.period, "booked_on")
        return f" AND {charges}", f" AND {payments}", params

    def _entries_sql(self) -> tuple[str, list]:
        charge = Charge._meta.db_table
        payment = Payment._meta.db_table
        # The account starts at the holding start: the running balance starts at 0 there.
        charge_held, payment_held, held_params = self._held()
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
                FROM {charge} WHERE premises_id = %s{charge_held}
                UNION ALL
                SELECT 'payment', id, booked_on, NULL, title, source, amount, amount, 1
                FROM {payment} WHERE premises_id = %s{payment_held}
            ) AS entries
        """  # noqa: S608 (table names come from model meta; values are parameters)
        return sql, [self.premises_id, *held_params, self.premises_id, *held_params]

    def _totals(self) -> tuple[int, "LedgerSummary"]:
        """The number of entries in the period and the period's summary, in one query (the
        page's paginator and summary used to read the history three times)."""
        if self._cached_totals is None:
            charge, payment = Charge._meta.db_table, Payment._meta.db_table
            charge_held, payment_held, held_params = self._held()
            within, within_params = ["1 = 1"], []
            if self.date_from:
                within.append("entry_date >= %s")
                within_params.append(self.date_from)
            if self.date_to:
                within.append("entry_date <= %s")
                within_params.append(self.date_to)
            within_sql = " AND ".join(within)
            before_sql, before_params = ("entry_date < %s", [self.date_from])
            if not self.date_from:
                before_sql, before_params = "1 = 0", []
            sql = f"""
                SELECT COUNT(CASE WHEN {within_sql} THEN 1 END),
                       SUM(CASE WHEN is_charge = 1 AND {before_sql} THEN amount END),
                       SUM(CASE WHEN is_charge = 0 AND {before_sql} THEN amount END),
                       SUM(CASE WHEN is_charge = 1 AND {within_sql} THEN amount END),
                       SUM(CASE WHEN is_charge = 0 AND {within_sql} THEN amount END)
                FROM (
                    SELECT 1 AS is_charge, due_date AS entry_date, amount
                    FROM {charge} WHERE premises_id = %s{charge_held}
                    UNION ALL
                    SELECT 0, booked_on, amount
                    FROM {payment} WHERE premises_id = %s{payment_held}
                ) AS entries
            """  # noqa: S608 (table names come from model meta; values are parameters)
            params = [
                *within_params,
                *before_params,
                *before_params,
                *within_params,
                *within_params,
                self.premises_id,
                *held_params,
                self.premises_id,
                *held_params,
            ]
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                count, charges_before, payments_before, charges, payments = cursor.fetchone()
            summary = LedgerSummary(
                opening_balance=_money(payments_before) - _money(charges_before),
                charges=_money(charges),
                payments=_money(payments),
            )
            self._cached_totals = (count, summary)
        return self._cached_totals

    def count(self) -> int:
        return self._totals()[0]

    def summary(self) -> "LedgerSummary":
        """Opening balance, charges and payments in the period, closing balance."""
        return self._totals()[1]

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
    period: HoldingPeriod | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    newest_first: bool = True,
) -> Ledger:
    """Entries of a premises (already scoped by the caller) with a running balance.

    ``period`` is the resident's holding period: nothing outside it is listed or counted.
    """
    return Ledger(
        premises.pk,
        period=period,
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
    period: HoldingPeriod | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> LedgerSummary:
    """Opening balance, charges and payments in the period, closing balance (1 query, shared
    with the ledger's count: ``Ledger.summary``).

    Uses the same dates as the ledger (a charge's due date, a payment's booking date).
    """
    return Ledger(premises.pk, period=period, date_from=date_from, date_to=date_to).summary()


# --- Arrears in SQL (office lists and counts) -----------------------------------------------


def _tables():
    return {
        "charge": Charge._meta.db_table,
        "totals": LedgerTotal._meta.db_table,
        "fund_account": FundAccount._meta.db_table,
        "building": Premises._meta.get_field("building").related_model._meta.db_table,
        "premises": Premises._meta.db_table,
    }


def _settled_sql(*, owed: bool) -> str:
    """One correlated subquery: per premises, the sum over its settlements of what is owed
    (``owed``) or overpaid, counting charges due on or before the parameter date.

    A settlement is a fund where the community keeps funds on their own accounts, else the
    whole premises. It reads the premises' ledger totals (``LedgerTotal``, one row per fund)
    less its charges due after the date (few: the index on the due date), never the whole
    history. Sums are rounded to the grosz: SQLite adds amounts as floats, and a premises
    paid exactly must not owe 0,000000000000001 zł.
    """
    t = _tables()
    part = "t.total > 0 THEN t.total" if owed else "t.total < 0 THEN -t.total"
    split = f"""EXISTS (
        SELECT 1 FROM {t["fund_account"]} fa JOIN {t["building"]} b
        ON fa.community_id = b.community_id WHERE b.id = {t["premises"]}.building_id
    )"""  # noqa: S608 (table names from model meta)
    # CAST: SQLite compares an untyped expression with a Decimal parameter as text.
    return f"""
        CAST((SELECT COALESCE(SUM(CASE WHEN {part} ELSE 0 END), 0) FROM (
            SELECT u.fund_key, ROUND(SUM(u.signed), 2) AS total FROM (
                SELECT CASE WHEN {split} THEN lt.fund ELSE 'all' END AS fund_key,
                       lt.charges - lt.payments AS signed
                FROM {t["totals"]} lt WHERE lt.premises_id = {t["premises"]}.id
                UNION ALL
                SELECT CASE WHEN {split} THEN c.fund ELSE 'all' END, -c.amount
                FROM {t["charge"]} c
                WHERE c.premises_id = {t["premises"]}.id AND c.due_date > %s
            ) u GROUP BY u.fund_key
        ) t) AS NUMERIC)
    """  # noqa: S608 (table names from model meta; the date is a parameter)


def with_arrears(premises_qs, today: datetime.date, *, full: bool = False):
    """Premises (premises-wide, as the office sees them) annotated with ``arrears`` in SQL.

    The same rule as ``PremisesBalance.arrears``, as an expression the database can filter,
    count and sort on: charges past their working-day deadline minus payments, settled per
    fund where the community keeps a fund on its own account. ``full`` adds ``amount_due``,
    ``overpayment``, ``last_payment`` and the arrears more than 30 and more than 90 days late
    (``arrears_31``, ``arrears_91``: ``premises_in_arrears(older_than_days=…)``'s rule, per
    fund) for the office's balance list.
    """
    cutoff, due_by = overdue_cutoff(today), due_cutoff(today)
    qs = premises_qs.annotate(
        arrears=RawSQL(_settled_sql(owed=True), [cutoff], output_field=_MONEY)  # noqa: S611 (no user input)
    )
    if full:
        late = {days: _older_than_cutoff(today, days) for days in (30, 90)}
        last_payment = (
            Payment.objects.filter(premises=OuterRef("pk"))
            .order_by("-booked_on")
            .values("booked_on")[:1]
        )
        qs = qs.annotate(
            amount_due=RawSQL(_settled_sql(owed=True), [due_by], output_field=_MONEY),  # noqa: S611
            overpayment=RawSQL(_settled_sql(owed=False), [due_by], output_field=_MONEY),  # noqa: S611
            # Days late counted from the due date: "do 30 dni" holds 0–30, "31–90 dni" 31–90.
            arrears_31=RawSQL(_settled_sql(owed=True), [late[30]], output_field=_MONEY),  # noqa: S611
            arrears_91=RawSQL(_settled_sql(owed=True), [late[90]], output_field=_MONEY),  # noqa: S611
            last_payment=Subquery(last_payment),
        )
    return qs


@dataclass(frozen=True)
class ArrearsAge:
    up_to_30: Decimal
    from_31_to_90: Decimal
    over_90: Decimal


def arrears_age(premises) -> ArrearsAge:
    """Split a row of ``with_arrears(full=True)`` into age buckets (days since the due date).

    Payments settle the oldest charges first (per fund where funds are kept apart), so the
    arrears more than 90 days late are what the charges due by then leave unpaid, and so on:
    the same rule as the "ponad 90 dni" filter (``premises_in_arrears``).
    """
    arrears = _money(premises.arrears)
    over_30 = min(_money(premises.arrears_31), arrears)
    over_90 = min(_money(premises.arrears_91), over_30)
    return ArrearsAge(arrears - over_30, over_30 - over_90, over_90)


def _older_than_cutoff(today: datetime.date, days: int) -> datetime.date:
    """Charges due on or before this day are more than ``days`` days late on ``today`` (and
    past their working-day deadline)."""
    return min(overdue_cutoff(today), today - datetime.timedelta(days=days + 1))


def _owing_ids_sql(*, owed: bool) -> str:
    """Ids of premises with some settlement owing (``owed``) or overpaid, counting charges
    due on or before the parameter date: one grouped pass over the ledger totals and the
    charges due after the date, fast for the whole register."""
    t = _tables()
    return f"""
        SELECT g.premises_id FROM (
            SELECT premises_id, fund, charges - payments AS total FROM {t["totals"]}
            UNION ALL
            SELECT premises_id, fund, -SUM(amount)
            FROM {t["charge"]} WHERE due_date > %s GROUP BY premises_id, fund
        ) g
        JOIN {t["premises"]} pp ON pp.id = g.premises_id
        JOIN {t["building"]} b ON b.id = pp.building_id
        LEFT JOIN (SELECT DISTINCT community_id FROM {t["fund_account"]}) s
            ON s.community_id = b.community_id
        GROUP BY g.premises_id, CASE WHEN s.community_id IS NULL THEN 'all' ELSE g.fund END
        HAVING ROUND(SUM(g.total), 2) {">" if owed else "<"} 0
    """  # noqa: S608 (table names from model meta; the date is a parameter)


def premises_in_arrears(premises_qs, today: datetime.date, *, older_than_days: int = 0):
    """The given premises with arrears on ``today`` (optionally arrears more than that many
    days late, counted from the due date, as ``arrears_age`` counts them). Set-based: fast on
    the whole register."""
    cutoff = overdue_cutoff(today)
    if older_than_days:
        cutoff = _older_than_cutoff(today, older_than_days)
    ids = RawSQL(_owing_ids_sql(owed=True), [cutoff])  # noqa: S611 (no user input)
    return premises_qs.filter(pk__in=ids)


def premises_with_overpayment(premises_qs, today: datetime.date):
    ids = RawSQL(_owing_ids_sql(owed=False), [due_cutoff(today)])  # noqa: S611 (no user input)
    return premises_qs.filter(pk__in=ids)


# --- Monthly fee breakdown ("wykaz opłat") --------------------------------------------------


@dataclass(frozen=True)
class FeeBreakdown:
    period: datetime.date
    items: list  # Charge rows of that month (category, title, rate, amount, fund)
    total: Decimal


def fee_breakdown(balance: PremisesBalance) -> FeeBreakdown | None:
    """The components of the current monthly charge of one (scoped) premises (1 query).

    The month is the current one if booked, else the latest booked month before it; only
    charges within the holder's account count. Corrections (negative amounts) are left out:
    the breakdown shows what the monthly fee is made of, not the history.
    """
    month = balance.today.replace(day=1)
    charges = Charge.objects.filter(premises=balance.premises, amount__gt=0)
    if balance.period:
        charges = charges.filter(within_period(balance.period, "due_date"))
    latest = charges.filter(period__lte=month).order_by("-period").values("period")[:1]
    items = list(
        charges.filter(period=Subquery(latest))
        .order_by("fund", "category", "pk")
        .only("category", "title", "rate", "amount", "fund", "period")
    )
    if not items:
        return None
    return FeeBreakdown(
        period=items[0].period, items=items, total=sum((c.amount for c in items), ZERO)
    )


# --- Itemised arrears (payment demands) -----------------------------------------------------


@dataclass(frozen=True)
class ArrearsItem:
    fund_label: str
    period: datetime.date
    title: str
    due_date: datetime.date
    charged: Decimal
    unpaid: Decimal

    @property
    def deadline(self) -> datetime.date:
        return payment_deadline(self.due_date)


def arrears_items(balances: list[PremisesBalance]) -> dict[int, list[ArrearsItem]]:
    """``{id(balance): items}``: the overdue charges each balance's arrears consist of.

    Payments settle the oldest charges first, so the arrears are the newest overdue charges
    (per fund where funds are kept apart), oldest first in the result. One query.
    """
    wanted = [b for b in balances if b.arrears > 0]
    if not wanted:
        return {}
    today = wanted[0].today
    condition = Q(pk__in=[])
    for balance in wanted:
        rows = Q(premises_id=balance.premises.pk)
        if balance.period:
            rows &= within_period(balance.period, "due_date")
        condition |= rows
    charges = (
        Charge.objects.filter(condition, due_date__lte=overdue_cutoff(today), amount__gt=0)
        .order_by("premises_id", "-due_date", "-pk")
        .values_list("premises_id", "fund", "period", "title", "due_date", "amount", "due_date")
    )
    by_premises = defaultdict(list)
    for premises_id, fund, period, title, due_date, amount, _ in charges:
        by_premises[premises_id].append((fund, period, title, due_date, amount))
    labels = dict(Fund.choices)
    result = {}
    for balance in wanted:
        items = []
        settlements = balance.funds or [balance]
        for settlement in settlements:
            left = settlement.arrears
            fund = getattr(settlement, "fund", None)
            for row_fund, period, title, due_date, amount in by_premises[balance.premises.pk]:
                if left <= 0:
                    break
                if fund and row_fund != fund:
                    continue
                unpaid = min(_money(amount), left)
                left -= unpaid
                label = str(labels.get(row_fund, "")) if balance.funds else ""
                items.append(ArrearsItem(label, period, title, due_date, _money(amount), unpaid))
        result[id(balance)] = sorted(items, key=lambda item: (item.due_date, item.fund_label))
    return result
