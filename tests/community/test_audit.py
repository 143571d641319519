"""Audit trail: who changed an announcement, and when, is recorded and viewable in admin."""

import pytest
from django.utils import timezone

from community.models import Announcement
from office.services import community_role_assign
from premises.models import CommunityRole
from tests.factories import AnnouncementFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def board(community):
    user = UserFactory(username="zarzad", first_name="Jan", last_name="Prezesowski")
    community_role_assign(user=user, community=community, role=CommunityRole.Role.BOARD)
    return user


def test_change_in_admin_records_who_changed_the_announcement(client, board, community):
    announcement = AnnouncementFactory(community=community, title="Przegląd gazowy")
    client.force_login(board)
    publish_at = timezone.localtime(announcement.publish_at)
    response = client.post(
        f"/admin/community/announcement/{announcement.pk}/change/",
        {
            "community": community.pk,
            "source": announcement.source,
            "title": "Przegląd gazowy – nowy termin",
            "body": announcement.body,
            "publish_at_0": publish_at.strftime("%d.%m.%Y"),
            "publish_at_1": publish_at.strftime("%H:%M:%S"),
            "attachments-TOTAL_FORMS": "0",
            "attachments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    first, *changes = announcement.history.order_by("history_date", "history_id")
    assert (first.history_type, first.title) == ("+", "Przegląd gazowy")
    assert changes and all(h.history_type == "~" for h in changes)
    assert all(h.history_user == board for h in changes)
    assert changes[0].title == "Przegląd gazowy – nowy termin"

    page = client.get(f"/admin/community/announcement/{announcement.pk}/history/")
    assert page.status_code == 200
    assert "zarzad" in page.content.decode()


def test_board_cannot_open_the_history_of_another_communitys_announcement(client, board, stranger):
    foreign = stranger.ownerships.get().premises.building.community
    announcement = AnnouncementFactory(community=foreign)
    client.force_login(board)
    response = client.get(f"/admin/community/announcement/{announcement.pk}/history/")
    assert response.status_code in (403, 404)
    assert Announcement.history.filter(id=announcement.pk).count() == 1
