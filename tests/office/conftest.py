"""Office roles: an administrator, staff of community A, a board member of A; B is foreign."""

import pytest
from django.test import RequestFactory

from office.services import community_role_assign
from premises.models import CommunityRole

from ..factories import UserFactory


@pytest.fixture
def other_community(stranger):
    """Community B: the stranger's, with their premises, building and ownership."""
    return stranger.ownerships.get().premises.building.community


@pytest.fixture
def office_admin(db):
    return UserFactory(username="administrator", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_a(community):
    user = UserFactory(username="pracownik", first_name="Ewa", last_name="Biurowa", is_staff=True)
    community_role_assign(user=user, community=community, role=CommunityRole.Role.OFFICE_STAFF)
    return user


@pytest.fixture
def board_a(community):
    user = UserFactory(username="zarzad", first_name="Jan", last_name="Zarządca")
    community_role_assign(
        user=user, community=community, role=CommunityRole.Role.BOARD, function="prezes zarządu"
    )
    user.refresh_from_db()
    return user


@pytest.fixture
def staff_client(client, staff_a):
    client.force_login(staff_a)
    return client


@pytest.fixture
def board_client(client, board_a):
    client.force_login(board_a)
    return client


@pytest.fixture
def admin_client_(client, office_admin):
    client.force_login(office_admin)
    return client


@pytest.fixture
def rf_request():
    """A request as the admin sees it, for a given user."""

    def make(user, path="/admin/"):
        request = RequestFactory().get(path)
        request.user = user
        return request

    return make
