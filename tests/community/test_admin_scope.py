"""Wspólnota admin: choices follow the office roles (office.roles), one mechanism for all."""

import pytest
from django.utils import timezone

from community.models import Announcement
from office.roles import ADMIN_GROUP, groups_sync
from office.services import community_role_assign
from premises.models import CommunityRole
from tests.factories import UserFactory


@pytest.fixture
def foreign_building(stranger):
    return stranger.ownerships.get().premises.building


@pytest.fixture
def staff_client(client, community):
    user = UserFactory(username="pracownik", is_staff=True)
    community_role_assign(user=user, community=community, role=CommunityRole.Role.OFFICE_STAFF)
    client.force_login(user)
    return client


@pytest.fixture
def board_client(client, community):
    user = UserFactory(username="zarzad")
    community_role_assign(user=user, community=community, role=CommunityRole.Role.BOARD)
    client.force_login(user)
    return client


@pytest.fixture
def office_admin_client(db, client):
    """A member of "Administrator biura" who is not a superuser and holds no community role."""
    user = UserFactory(username="adminbiura", is_staff=True, is_superuser=False)
    user.groups.add(groups_sync()[ADMIN_GROUP])
    client.force_login(user)
    return client


def _choices(client, field):
    response = client.get("/admin/community/announcement/add/")
    assert response.status_code == 200
    return set(response.context["adminform"].form.fields[field].queryset)


def test_staff_announcement_form_offers_only_their_community(
    staff_client, community, building, foreign_building
):
    assert _choices(staff_client, "community") == {community}
    assert _choices(staff_client, "building") == {building}


def test_board_announcement_form_offers_only_their_community(
    board_client, community, foreign_building
):
    assert _choices(board_client, "community") == {community}


def test_office_admin_group_member_sees_every_community(
    office_admin_client, community, building, foreign_building
):
    assert _choices(office_admin_client, "community") == {community, foreign_building.community}
    assert _choices(office_admin_client, "building") == {building, foreign_building}


def _announcement_data(community):
    now = timezone.localtime()
    return {
        "community": community.pk,
        "source": "office",
        "title": "Wymiana wodomierzy",
        "body": "Prosimy o udostępnienie lokali.",
        "publish_at_0": now.strftime("%d.%m.%Y"),
        "publish_at_1": now.strftime("%H:%M:%S"),
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
    }


def test_staff_cannot_publish_for_another_community(staff_client, foreign_building):
    response = staff_client.post(
        "/admin/community/announcement/add/", _announcement_data(foreign_building.community)
    )
    assert response.status_code == 200
    assert "Wybierz poprawną wartość" in response.content.decode()
    assert not Announcement.objects.exists()


def test_office_admin_group_member_publishes_for_any_community(
    office_admin_client, foreign_building
):
    response = office_admin_client.post(
        "/admin/community/announcement/add/", _announcement_data(foreign_building.community)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Announcement.objects.get().community == foreign_building.community


def test_board_can_pick_their_building_for_an_announcement(
    board_client, building, foreign_building
):
    assert _choices(board_client, "building") == {building}
