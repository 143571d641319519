import datetime
import re

import pytest
from django.utils import timezone

from community.models import Announcement, Resolution, Vote
from community.services import vote_cast
from correspondence.models import Letter
from notifications.models import Message
from premises.models import CommunityRole
from tests.factories import AnnouncementFactory, CommunityFactory, ResolutionFactory, UserFactory
from tests.pdf import pdf_text


@pytest.fixture
def office(db):
    return UserFactory(is_staff=True, is_superuser=True, first_name="Ewa", last_name="Biurowa")


@pytest.fixture
def office_client(client, office):
    client.force_login(office)
    return client


def test_office_records_a_paper_ballot_in_admin(office_client, resolution, premises, resident):
    response = office_client.post(
        "/admin/community/vote/add/",
        {
            "resolution": resolution.pk,
            "premises": premises.pk,
            "voter": resident.pk,
            "choice": "against",
            "cast_at_0": timezone.localdate().strftime("%d.%m.%Y"),
            "cast_at_1": "00:00:01",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    vote = Vote.objects.get()
    assert (vote.source, vote.choice, vote.recorded_by.last_name) == ("paper", "against", "Biurowa")


def test_admin_paper_ballot_of_a_tenant_shows_polish_error(office_client, resolution, tenant):
    response = office_client.post(
        "/admin/community/vote/add/",
        {
            "resolution": resolution.pk,
            "premises": tenant.ownerships.get().premises.pk,
            "voter": tenant.pk,
            "choice": "for",
            "cast_at_0": timezone.localdate().strftime("%d.%m.%Y"),
            "cast_at_1": "00:00:01",
        },
    )
    assert response.status_code == 200
    assert "Najemca nie może głosować" in response.content.decode()
    assert not Vote.objects.exists()


def test_protocol_pdf_shows_tally_and_votes(office_client, resolution, premises, resident):
    vote_cast(user=resident, resolution=resolution, premises=premises, choice="for")
    response = office_client.get(f"/admin/community/resolution/{resolution.pk}/protokol/")
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert f"Protokół z głosowania nad uchwałą nr {resolution.number}" in text
    assert "Anna" in text and "Nowak" in text  # the voter (the column may wrap)
    assert "5,00" in text  # the premises' share in percent of all shares
    assert not re.search(r"\b1/20\b", text)  # no fraction (the number "1/2026" may be)


def test_board_member_sees_only_own_community_in_admin(client, resolution, community):
    other = ResolutionFactory(community=CommunityFactory(name="WM Inna"), title="Cudza uchwała")
    board = UserFactory(is_staff=True)
    CommunityRole.objects.create(user=board, community=community, role="board")
    from django.contrib.auth.models import Permission

    board.user_permissions.set(Permission.objects.filter(content_type__app_label="community"))
    client.force_login(board)

    content = client.get("/admin/community/resolution/").content.decode()
    assert resolution.title in content
    assert "Cudza uchwała" not in content
    assert client.get(f"/admin/community/resolution/{other.pk}/protokol/").status_code == 404


def test_open_and_close_actions_ask_for_confirmation_and_notify_owners(
    office_client, voting_community, premises, resident, django_capture_on_commit_callbacks
):
    premises.share_numerator = 100_000  # the community's only premises: shares sum to 1
    premises.save()
    draft = ResolutionFactory(community=voting_community, status="draft", voting_opens_at=None)
    action = {"action": "open_voting", "_selected_action": [draft.pk]}

    confirm = office_client.post("/admin/community/resolution/", action)

    # No instant opening: a confirmation screen says what will be frozen.
    assert "Potwierdź otwarcie głosowania" in confirm.content.decode()
    assert "nie mogą być zmieniane" in confirm.content.decode()
    draft.refresh_from_db()
    assert draft.status == Resolution.Status.DRAFT

    with django_capture_on_commit_callbacks(execute=True):
        office_client.post("/admin/community/resolution/", {**action, "confirm": "yes"})
    draft.refresh_from_db()
    assert draft.status == Resolution.Status.VOTING
    assert Message.objects.filter(recipient=resident, subject__contains="Głosowanie").exists()

    vote_cast(user=resident, resolution=draft, premises=premises, choice="for")
    close = {"action": "close_voting", "_selected_action": [draft.pk], "confirm": "yes"}
    early = office_client.post("/admin/community/resolution/", close, follow=True)
    assert "wcześniej nie można go zamknąć" in early.content.decode()
    draft.refresh_from_db()
    assert draft.status == Resolution.Status.VOTING

    Resolution.objects.filter(pk=draft.pk).update(
        voting_opens_at=timezone.now() - datetime.timedelta(days=8),
        voting_closes_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    office_client.post("/admin/community/resolution/", close)
    draft.refresh_from_db()
    assert draft.status == Resolution.Status.ADOPTED
    assert Letter.objects.filter(recipient=resident, subject__contains="Wynik").exists()


def test_publishing_an_announcement_in_admin_notifies_residents(
    office_client, community, building, resident, neighbour, stranger
):
    response = office_client.post(
        "/admin/community/announcement/add/",
        {
            "community": community.pk,
            "building": building.pk,
            "source": "board",
            "title": "Przegląd gazowy",
            "body": "Prosimy o udostępnienie lokali.",
            "publish_at_0": (timezone.localdate() - datetime.timedelta(days=1)).strftime(
                "%d.%m.%Y"
            ),
            "publish_at_1": "08:00:00",
            "attachments-TOTAL_FORMS": "0",
            "attachments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    announcement = Announcement.objects.get()
    assert announcement.notified_at is not None
    recipients = set(Message.objects.values_list("recipient__username", flat=True))
    assert recipients == {resident.username, neighbour.username}


def test_future_announcement_is_notified_when_due(community, resident):
    from community.services import announcements_notify_due

    later = timezone.now() + datetime.timedelta(hours=2)
    AnnouncementFactory(community=community, publish_at=later)
    assert announcements_notify_due() == 0
    assert announcements_notify_due(now=later + datetime.timedelta(minutes=1)) == 1
    assert announcements_notify_due(now=later + datetime.timedelta(minutes=2)) == 0


@pytest.mark.parametrize(
    "url",
    [
        "/admin/community/announcement/",
        "/admin/community/announcementattachment/",
        "/admin/community/announcementread/",
        "/admin/community/resolution/",
        "/admin/community/vote/",
        "/admin/community/vote/add/",
        "/admin/documents/document/",
        "/admin/documents/document/add/",
    ],
)
def test_admin_pages_open(office_client, resolution, premises, resident, url):
    vote_cast(user=resident, resolution=resolution, premises=premises, choice="for")
    assert office_client.get(url).status_code == 200
    assert (
        office_client.get(f"/admin/community/resolution/{resolution.pk}/change/").status_code == 200
    )
