"""Writes on office roles: who works for, or sits on the board of, which community."""

from django.db import transaction

from premises.models import Community, CommunityRole

from .roles import roles_sync_user


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
