"""Writes on the register done by the office."""

from django.db import transaction
from django.utils import timezone

from office.roles import roles_sync_user

from .models import Community, CommunityRole, Ownership


@transaction.atomic
def community_role_assign(
    *, user, community: Community, role: str, function: str = ""
) -> CommunityRole:
    """Make someone office staff for, or a board member of, a community (and let them in admin)."""
    assigned, _ = CommunityRole.objects.update_or_create(
        user=user, community=community, role=role, defaults={"function": function}
    )
    roles_sync_user(user=user)
    return assigned


@transaction.atomic
def ownership_add(*, user, premises, role: str, valid_from=None) -> Ownership:
    """Record that a person holds a premises (owner, co-owner, tenant, member) from a day."""
    return Ownership.objects.create(
        user=user, premises=premises, role=role, valid_from=valid_from or timezone.localdate()
    )
