"""Reads of the register. ``premises_for_user`` is the one scope every resident query builds on."""

import datetime
from typing import NamedTuple

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from lib.collation import polish

from .models import Building, Community, Company, Ownership, Premises

# The signed-in resident's premises, shared within one request (issue 17). Resident views
# switch it on for ``request.user`` (``remember_scope``); once a page has read the premises
# list anyway (the start page, Finanse: ``held_premises_for_user``), the scoped queries after it
# filter on those ids instead of nesting the ownership subquery again, which cost Django more
# time to build than PostgreSQL took to run. Nothing is read only for this, so no page runs an
# extra query; outside a request (jobs, tests, other users) the scope stays a subquery.
SCOPE_MEMO = "_strefa_held_premises"
ROLES_MEMO = "_strefa_held_roles"  # the user's roles, by day (``held_roles_for_user``)


def remember_scope(user) -> None:
    """Let the scoping below share ``user``'s premises list (for one request: the user object)."""
    if user.is_authenticated and getattr(user, SCOPE_MEMO, None) is None:
        setattr(user, SCOPE_MEMO, {})
        setattr(user, ROLES_MEMO, {})


def remembered_premises(user) -> list[Premises] | None:
    """The premises the request has read already (``held_premises_for_user``), or None: a
    selector given them filters on plain ids instead of nesting the scope's subquery."""
    memo = getattr(user, SCOPE_MEMO, None)
    return memo.get(timezone.localdate()) if memo else None


def _held_ids(user) -> list[int] | None:
    """Ids of the premises the user holds today, when the request has read them already: the
    premises themselves, or the user's roles (``held_roles_for_user`` reads the roles on exactly
    the premises ``Premises.objects.held_by`` names); else None."""
    held = remembered_premises(user)
    if held is not None:
        return [p.pk for p in held]
    memo = getattr(user, ROLES_MEMO, None)
    rows = memo.get(timezone.localdate()) if memo else None
    return None if rows is None else sorted({row[0] for row in rows})


def premises_for_user(user) -> QuerySet[Premises]:
    """Premises in which the user currently holds a role (owner, co-owner, tenant, member).

    Once the request has read the user's premises or roles, on their plain ids: the nested
    ownership subquery cost PostgreSQL more to plan than to run (issue 17)."""
    ids = _held_ids(user)
    if ids is None:
        return Premises.objects.held_by(user).select_related("building__community")
    return Premises.objects.filter(pk__in=ids).select_related("building__community")


def held_premises_for_user(user) -> list[Premises]:
    """``premises_for_user`` read into a list (one query), remembered for the rest of the
    request when the view allows it (``remember_scope``)."""
    held = remembered_premises(user)
    if held is None:
        held = list(premises_for_user(user))
        memo = getattr(user, SCOPE_MEMO, None)
        if memo is not None:
            memo.clear()
            memo[timezone.localdate()] = held
    return held


def premises_for_request(request) -> list[Premises]:
    """The signed-in user's premises, fetched once per request and shared by the start page's
    list and its panels (issue 17: the same premises were read up to three times)."""
    remember_scope(request.user)
    return held_premises_for_user(request.user)


def buildings_for_user(user) -> QuerySet[Building]:
    held = remembered_premises(user)
    if held is None:
        return Building.objects.filter(premises__in=premises_for_user(user)).distinct()
    return Building.objects.filter(pk__in={p.building_id for p in held})


def communities_for_user(user) -> QuerySet[Community]:
    held = remembered_premises(user)
    if held is None:
        return Community.objects.filter(buildings__premises__in=premises_for_user(user)).distinct()
    return Community.objects.filter(pk__in={p.building.community_id for p in held})


def ownerships_for_user(user) -> QuerySet[Ownership]:
    """The user's own current roles, with their premises."""
    return (
        Ownership.objects.current()
        .filter(user=user)
        .select_related("premises__building__community")
    )


def current_holders() -> QuerySet[Ownership]:
    """Current holders by role, then by name in Polish order (Łukasiewicz after Lis)."""
    return (
        Ownership.objects.current()
        .select_related("user")
        .order_by("role", polish("user__last_name"), polish("user__first_name"))
    )


def premises_with_holders_for_user(user) -> QuerySet[Premises]:
    """The user's premises by street (Polish order) and number (2 before 10), each with
    ``current_ownerships`` (all current holders) prefetched."""
    return (
        premises_for_user(user)
        .order_by(polish("building__street"), polish("number"))
        .prefetch_related(
            Prefetch("ownerships", queryset=current_holders(), to_attr="current_ownerships")
        )
    )


def with_roles_of(premises_list, user):
    """Split each premises' prefetched holders into the user's roles and the other people."""
    for premises in premises_list:
        holders = premises.current_ownerships
        premises.my_roles = [o for o in holders if o.user_id == user.pk]
        premises.other_holders = [o for o in holders if o.user_id != user.pk]
    return premises_list


COMPANY_CACHE_KEY = "strefa:company:v1"
COMPANY_CACHE_SECONDS = 300


def company_current() -> Company | None:
    """The licence holder shown on "O aplikacji", the login pages and every page's footer.

    Read on every page, changed a few times a year: kept in the shared cache and dropped when a
    company is saved or deleted (``premises.apps``), so pages do not query it each time.
    """
    company = cache.get(COMPANY_CACHE_KEY)
    if company is None:
        company = Company.objects.order_by("pk").first()
        cache.set(COMPANY_CACHE_KEY, company or False, COMPANY_CACHE_SECONDS)
    return company or None


def company_cache_clear(**_kwargs) -> None:
    cache.delete(COMPANY_CACHE_KEY)


class HoldingPeriod(NamedTuple):
    """A holder's account period on a premises: from ``start`` to ``end``, both days included
    (``end`` None: open). Before the start the premises belonged to the previous holder, after
    the end it belongs to the next one (a sale recorded ahead, a tenancy with a fixed end)."""

    start: datetime.date
    end: datetime.date | None = None


Role = tuple[int, str, datetime.date, datetime.date | None]  # premises, role, from, to


def _roles_of(user, on: datetime.date) -> list[Role]:
    """Every role the user has had or will have on each premises they hold on ``on``, by
    premises, then start; one query, remembered for the request (``remember_scope``)."""
    memo = getattr(user, ROLES_MEMO, None)
    if memo is not None and on in memo:
        return memo[on]
    rows = list(
        Ownership.objects.filter(user=user)
        .filter(
            Exists(Ownership.objects.current(on).filter(user=user, premises=OuterRef("premises")))
        )
        .order_by("premises_id", "valid_from")
        .values_list("premises_id", "role", "valid_from", "valid_to")
    )
    if memo is not None:
        memo[on] = rows
    return rows


def held_roles_for_user(user, on=None) -> list[Role]:
    """``(premises_id, role, valid_from, valid_to)`` of every role the user has had, up to
    ``on`` (today), on each premises they hold on ``on``; by premises, then start. One query.

    Holding periods (Finanse, Liczniki) and the periods in which an owner sees a premises'
    letters (Korespondencja) both come from these rows: within a request that remembers its
    scope (``remember_scope``) they are read once for every panel of the start page.
    """
    if not user.is_authenticated:
        return []
    on = on or timezone.localdate()
    return [row for row in _roles_of(user, on) if row[2] <= on]


def holding_periods_for_user(user, on=None) -> dict[int, HoldingPeriod]:
    """``{premises_id: HoldingPeriod(start, end)}`` for each premises the user holds on ``on``
    (today).

    The period is the user's current role, extended back and forward through the same user's
    roles on the same premises that overlap it or follow it without a gap (e.g. tenant, then
    owner from the next day). What happened on the premises before the start belongs to the
    previous holder, what happens after the end to the next one. One query (the rows of
    ``held_roles_for_user``, with the roles recorded ahead).
    """
    if not user.is_authenticated:
        return {}
    on = on or timezone.localdate()
    rows = (
        (premises_id, valid_from, valid_to)
        for premises_id, _role, valid_from, valid_to in _roles_of(user, on)
    )
    return _chain_periods(rows, on)


def holding_starts_for_user(user, on=None) -> dict[int, datetime.date]:
    """``{premises_id: holding start}``: the starts of ``holding_periods_for_user``."""
    return {key: period.start for key, period in holding_periods_for_user(user, on).items()}


def holding_periods_for_premises(premises_ids, on=None) -> dict[int, dict[int, HoldingPeriod]]:
    """``{premises_id: {user_id: HoldingPeriod}}`` of every current holder of the premises.

    The same rule as ``holding_periods_for_user``, for many premises at once (office jobs such
    as payment reminders address each holder with their own account). One query.
    """
    on = on or timezone.localdate()
    rows = (
        Ownership.objects.filter(premises_id__in=list(premises_ids))
        .filter(
            Exists(
                Ownership.objects.current(on).filter(
                    user=OuterRef("user"), premises=OuterRef("premises")
                )
            )
        )
        .order_by("premises_id", "user_id", "valid_from")
        .values_list("premises_id", "user_id", "valid_from", "valid_to")
    )
    periods: dict[int, dict[int, HoldingPeriod]] = {}
    keyed = (((p, u), valid_from, valid_to) for p, u, valid_from, valid_to in rows)
    for (premises_id, user_id), period in _chain_periods(keyed, on).items():
        periods.setdefault(premises_id, {})[user_id] = period
    return periods


def _chain_periods(rows, on: datetime.date) -> dict:
    """The period of the chain of roles (ordered by key, then start) that reaches ``on``: its
    first start and its last end (None: open). Roles after a gap belong to another chain."""
    periods: dict = {}
    one_day = datetime.timedelta(days=1)
    for key, valid_from, valid_to in rows:
        if key in periods:
            start, end = periods[key]
            if end is None or valid_from <= end + one_day:
                # Continues the chain; an open end (None) means it never ends.
                end = None if end is None or valid_to is None else max(end, valid_to)
                periods[key] = HoldingPeriod(start, end)
                continue
            if end >= on:
                continue  # the chain already covers ``on``; later roles start after a gap
        # A gap (or the first role): a new chain starts here.
        periods[key] = HoldingPeriod(valid_from, valid_to)
    return periods
