"""Demo: the office roles (groups) and a board member of WM Lipowa."""

from premises.models import CommunityRole

from .roles import groups_sync, roles_sync_all
from .services import community_role_assign


def seed(ctx) -> None:
    groups_sync()
    community_role_assign(
        user=ctx.users["marek"],
        community=ctx.communities["lipowa"],
        role=CommunityRole.Role.BOARD,
        function="prezes zarządu",
    )
    # The demo's office staff member (and anyone else with a role) gets the role's permissions.
    roles_sync_all()
