"""Reads of the register. ``premises_for_user`` is the one scope every resident query builds on."""

import datetime

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from .models import Building, Community, Company, Ownership, Premises


def premises_for_user(user) -> QuerySet[Premises]:
    """Premises in which the user currently holds a role (owner, co-owner, tenant, member)."""
    return Premises.objects.held_by(user).select_related("building__community")


def buildings_for_user(user) -> QuerySet[Building]:
    return Building.objects.filter(premises__in=premises_for_user(user)).distinct()


def communities_for_user(user) -> QuerySet[Community]:
    return Community.objects.filter(buildings__premises__in=premises_for_user(user)).distinct()


def ownerships_for_user(user) -> QuerySet[Ownership]:
    """The user's own current roles, with their premises."""
    return (
        Ownership.objects.current()
        .filter(user=user)
        .select_related("premises__building__community")
    )


def premises_with_holders_for_user(user) -> QuerySet[Premises]:
    """The user's premises, each with ``current_ownerships`` (all current holders) prefetched."""
    holders = Ownership.objects.current().select_related("user").order_by("role", "user__last_name")
    return premises_for_user(user).prefetch_related(
        Prefetch("ownerships", queryset=holders, to_attr="current_ownerships")
    )


def with_roles_of(premises_list, user):
    """Split each premises' prefetched holders into the user's roles and the other people."""
    for premises in premises_list:
        holders = premises.current_ownerships
        premises.my_roles = [o for o in holders if o.user_id == user.pk]
        premises.other_holders = [o for o in holders if o.user_id != user.pk]
    return premises_list


def company_current() -> Company | None:
    """The licence holder shown on "O aplikacji" and on the login pages."""
    return Company.objects.order_by("pk").first()


def holding_starts_for_user(user, on=None) -> dict[int, datetime.date]:
    """``{premises_id: holding start}`` for each premises the user holds on ``on`` (today).

    The holding start is the ``valid_from`` of the user's current role, extended back through
    the same user's earlier roles on the same premises that overlap it or end the day before
    (e.g. tenant, then owner without a gap). What happened on the premises before that day
    belongs to the previous holder. One query.
    """
    if not user.is_authenticated:
        return {}
    on = on or timezone.localdate()
    rows = (
        Ownership.objects.filter(user=user, valid_from__lte=on)
        .filter(
            Exists(Ownership.objects.current(on).filter(user=user, premises=OuterRef("premises")))
        )
        .order_by("premises_id", "valid_from")
        .values_list("premises_id", "valid_from", "valid_to")
    )
    starts: dict[int, datetime.date] = {}
    chain_end: dict[int, datetime.date | None] = {}
    one_day = datetime.timedelta(days=1)
    for premises_id, valid_from, valid_to in rows:
        if premises_id in starts:
            end = chain_end[premises_id]
            if end is None or valid_from <= end + one_day:
                # Continues the chain; an open end (None) means it reaches today.
                chain_end[premises_id] = (
                    None if end is None or valid_to is None else max(end, valid_to)
                )
                continue
            if end >= on:
                continue  # the chain already covers today; later roles start after a gap
        # A gap (or the first role): a new chain starts here.
        starts[premises_id] = valid_from
        chain_end[premises_id] = valid_to
    return starts
