"""Reads of the register. ``premises_for_user`` is the one scope every resident query builds on."""

from django.db.models import Prefetch, QuerySet

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
