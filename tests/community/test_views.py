import datetime
import re

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from community.models import AnnouncementAttachment, AnnouncementRead, Resolution, Vote
from community.services import vote_cast
from premises.models import CommunityRole
from tests.factories import (
    AnnouncementFactory,
    BuildingFactory,
    OwnershipFactory,
    PremisesFactory,
    ResolutionFactory,
    UserFactory,
)
from tests.utils import count_queries

from .helpers import close_at_end

PDF = b"%PDF-1.4\n% test\n"


def now():
    return timezone.now()


# --- /wspolnota/ -----------------------------------------------------------------------------


def test_index_shows_community_data_board_and_office(resident_client, community, company):
    community.nip, community.regon, community.office_hours = "5252248481", "123456785", "wt. 16–18"
    community.save()
    company.office_hours = "pon.–pt. 8:00–16:00"
    company.save()
    board = UserFactory(first_name="Jan", last_name="Prezes")
    CommunityRole.objects.create(user=board, community=community, role="board", function="prezes")
    staff = UserFactory(first_name="Ewa", last_name="Biurowa")
    CommunityRole.objects.create(user=staff, community=community, role="staff")

    content = resident_client.get("/wspolnota/").content.decode()

    assert community.name in content
    assert "wspólnota mieszkaniowa" in content
    assert "5252248481" in content and "123456785" in content
    assert "61 1090 1014 0000 0712 1981 2874" in content  # |nrb
    assert "Jan Prezes – prezes" in content
    assert "Ewa Biurowa" not in content  # office staff are not the board
    assert company.phone in content and "pon.–pt. 8:00–16:00" in content
    assert "wt. 16–18" in content


def test_index_without_premises_shows_empty_state(client, db):
    client.force_login(UserFactory())
    content = client.get("/wspolnota/").content.decode()
    assert "nie należysz do żadnej wspólnoty" in content


def test_announcements_scoping_expiry_and_order(resident_client, community, building, stranger):
    other_building = BuildingFactory(community=community)
    stranger_community = stranger.ownerships.get().premises.building.community
    AnnouncementFactory(community=community, title="Dla całej wspólnoty")
    AnnouncementFactory(community=community, building=building, title="Dla mojego budynku")
    AnnouncementFactory(community=community, building=other_building, title="Dla innego budynku")
    AnnouncementFactory(community=stranger_community, title="Obca wspólnota")
    AnnouncementFactory(
        community=community,
        title="Wygasłe",
        publish_at=now() - datetime.timedelta(days=10),
        expires_at=now() - datetime.timedelta(minutes=1),
    )
    AnnouncementFactory(
        community=community, title="Przyszłe", publish_at=now() + datetime.timedelta(hours=1)
    )
    AnnouncementFactory(
        community=community,
        title="Przypięte stare",
        pinned=True,
        publish_at=now() - datetime.timedelta(days=30),
    )

    content = resident_client.get("/wspolnota/").content.decode()

    for title in ("Dla całej wspólnoty", "Dla mojego budynku", "Przypięte stare"):
        assert title in content
    for title in ("Dla innego budynku", "Obca wspólnota", "Wygasłe", "Przyszłe"):
        assert title not in content
    assert content.index("Przypięte stare") < content.index("Dla całej wspólnoty")


def test_announcement_unread_marker_goes_away_after_reading(resident_client, community, resident):
    announcement = AnnouncementFactory(community=community, title="Przegląd kominiarski")
    index = resident_client.get("/wspolnota/").content.decode()
    assert 'badge--new">nowe' in index

    detail = resident_client.get(f"/wspolnota/ogloszenia/{announcement.pk}/").content.decode()

    assert "Przegląd kominiarski" in detail
    assert AnnouncementRead.objects.filter(user=resident, announcement=announcement).exists()
    assert 'badge--new">nowe' not in resident_client.get("/wspolnota/").content.decode()


def test_announcement_of_another_community_answers_404(client, stranger, community, building):
    announcement = AnnouncementFactory(community=community)
    for_building = AnnouncementFactory(community=community, building=building)
    client.force_login(stranger)
    assert client.get(f"/wspolnota/ogloszenia/{announcement.pk}/").status_code == 404
    assert client.get(f"/wspolnota/ogloszenia/{for_building.pk}/").status_code == 404


def test_building_announcement_hidden_from_other_building_of_same_community(
    client, community, building
):
    other_resident = UserFactory()
    OwnershipFactory(
        user=other_resident,
        premises=PremisesFactory(building=BuildingFactory(community=community)),
    )
    announcement = AnnouncementFactory(community=community, building=building)
    client.force_login(other_resident)
    assert client.get(f"/wspolnota/ogloszenia/{announcement.pk}/").status_code == 404


def test_attachment_download_is_access_checked(resident_client, client, community, stranger):
    announcement = AnnouncementFactory(community=community)
    attachment = AnnouncementAttachment(announcement=announcement, name="Harmonogram")
    attachment.file.save("h.pdf", ContentFile(PDF))

    response = resident_client.get(f"/wspolnota/ogloszenia/zalaczniki/{attachment.pk}/")
    assert b"".join(response.streaming_content) == PDF
    assert "Harmonogram" in resident_client.get("/wspolnota/").content.decode()

    client.force_login(stranger)
    assert client.get(f"/wspolnota/ogloszenia/zalaczniki/{attachment.pk}/").status_code == 404


def test_expired_announcement_attachment_answers_404(resident_client, community):
    announcement = AnnouncementFactory(
        community=community,
        publish_at=now() - datetime.timedelta(days=3),
        expires_at=now() - datetime.timedelta(days=1),
    )
    attachment = AnnouncementAttachment(announcement=announcement, name="Stary")
    attachment.file.save("h.pdf", ContentFile(PDF))
    assert (
        resident_client.get(f"/wspolnota/ogloszenia/zalaczniki/{attachment.pk}/").status_code == 404
    )


# --- resolutions -----------------------------------------------------------------------------


def test_index_lists_resolution_under_vote_awaiting_the_user(resident_client, resolution):
    content = resident_client.get("/wspolnota/").content.decode()
    assert resolution.title in content
    assert "w głosowaniu" in content
    assert "czeka na Twój głos" in content


def test_resolution_page_shows_tally_and_vote_form(resident_client, resolution):
    content = resident_client.get(f"/wspolnota/uchwaly/{resolution.pk}/").content.decode()
    assert resolution.text in content
    assert "Oddaj głos" in content
    assert "Nie głosowały" in content
    # The only premises holds 5 000 / 100 000 of the shares and has not voted yet.
    assert 'data-tally="none">5,00%' in content
    assert 'data-premises="none">1<' in content
    # Percentages of all shares, never fractions with odd denominators.
    assert not re.search(r"\b1/20\b", content) and "5000/100000" not in content


def test_owner_votes_and_sees_receipt_and_tally(resident_client, resolution, premises, resident):
    response = resident_client.post(
        f"/wspolnota/uchwaly/{resolution.pk}/",
        {"premises": premises.pk, "choice": "for"},
        follow=True,
    )
    content = response.content.decode()
    vote = Vote.objects.get()
    assert (vote.voter, vote.choice, vote.source) == (resident, "for", "online")
    assert f"Kod potwierdzenia: {vote.receipt_code}" in content
    assert "Twój głos za lokal 12: <strong>za</strong>" in content
    assert "Zmień głos" in content

    receipt = resident_client.get(f"/wspolnota/uchwaly/{resolution.pk}/potwierdzenie/")
    assert vote.receipt_code in receipt.content.decode()


def test_co_owner_sees_who_voted_and_gets_no_form(client, resolution, premises, resident, co_owner):
    vote_cast(user=resident, resolution=resolution, premises=premises, choice="against")
    client.force_login(co_owner)
    content = client.get(f"/wspolnota/uchwaly/{resolution.pk}/").content.decode()
    assert "Za ten lokal głos oddał(a) Anna Nowak" in content
    assert "Oddaj głos" not in content

    response = client.post(
        f"/wspolnota/uchwaly/{resolution.pk}/", {"premises": premises.pk, "choice": "for"}
    )
    assert response.status_code == 200
    assert "Współwłaściciele oddają jeden głos" in response.content.decode()
    assert Vote.objects.get().choice == "against"


def test_tenant_sees_no_vote_form_and_cannot_post(client, resolution, tenant):
    premises = tenant.ownerships.get().premises
    client.force_login(tenant)
    content = client.get(f"/wspolnota/uchwaly/{resolution.pk}/").content.decode()
    assert "jako najemca nie możesz głosować" in content
    response = client.post(
        f"/wspolnota/uchwaly/{resolution.pk}/", {"premises": premises.pk, "choice": "for"}
    )
    assert response.status_code == 200
    assert not Vote.objects.exists()


def test_vote_without_choice_rerenders_with_polish_error(resident_client, resolution, premises):
    response = resident_client.post(
        f"/wspolnota/uchwaly/{resolution.pk}/", {"premises": premises.pk}
    )
    assert "Wybierz: za, przeciw albo wstrzymuję się." in response.content.decode()
    assert not Vote.objects.exists()


def test_vote_for_someone_elses_premises_is_refused(resident_client, resolution, neighbour):
    other = neighbour.ownerships.get().premises
    response = resident_client.post(
        f"/wspolnota/uchwaly/{resolution.pk}/", {"premises": other.pk, "choice": "for"}
    )
    assert "Wybierz jeden ze swoich lokali" in response.content.decode()
    assert not Vote.objects.exists()


def test_vote_on_closed_resolution_is_refused_on_the_page(
    resident_client, resolution, premises, resident
):
    premises.share_numerator = 100_000  # all the shares: "for" is a majority of all shares
    premises.save()
    vote_cast(user=resident, resolution=resolution, premises=premises, choice="for")
    close_at_end(resolution=resolution, closed_by=None)
    content = resident_client.get(f"/wspolnota/uchwaly/{resolution.pk}/").content.decode()
    assert "Zmień głos" not in content
    assert "Wynik głosowania" in content
    assert "Termin zaskarżenia" in content  # the only premises voted "for": adopted

    response = resident_client.post(
        f"/wspolnota/uchwaly/{resolution.pk}/", {"premises": premises.pk, "choice": "against"}
    )
    assert response.status_code == 200
    assert Vote.objects.get().choice == "for"


def test_resolution_of_another_community_answers_404(client, stranger, resolution):
    client.force_login(stranger)
    for url in ("", "potwierdzenie/", "pdf/"):
        assert client.get(f"/wspolnota/uchwaly/{resolution.pk}/{url}").status_code == 404
    response = client.post(f"/wspolnota/uchwaly/{resolution.pk}/", {"choice": "for"})
    assert response.status_code == 404


def test_hidden_draft_answers_404(resident_client, voting_community):
    draft = ResolutionFactory(
        community=voting_community, status=Resolution.Status.DRAFT, published=False
    )
    assert resident_client.get(f"/wspolnota/uchwaly/{draft.pk}/").status_code == 404


def test_resolution_pdf_download(resident_client, resolution):
    resolution.pdf.save("u.pdf", ContentFile(PDF))
    response = resident_client.get(f"/wspolnota/uchwaly/{resolution.pk}/pdf/")
    assert b"".join(response.streaming_content) == PDF


def test_resolution_list_paginates(resident_client, voting_community):
    for _ in range(21):
        ResolutionFactory(community=voting_community, status="adopted")
    content = resident_client.get("/wspolnota/uchwaly/").content.decode()
    assert "Strona 1 z 2" in content


# --- bounded queries -------------------------------------------------------------------------


def _populate(community, building, count):
    for i in range(count):
        AnnouncementFactory(community=community, pinned=i % 2 == 0)
        resolution = ResolutionFactory(community=community)
        for j in range(count):
            premises = PremisesFactory(building=building, number=f"Q{i}-{j}")
            owner = UserFactory()
            OwnershipFactory(user=owner, premises=premises)
            vote_cast(user=owner, resolution=resolution, premises=premises, choice="for")
    CommunityRole.objects.create(user=UserFactory(), community=community, role="board")


@pytest.mark.parametrize("count", [1, 6])
def test_index_runs_fixed_number_of_queries(resident_client, voting_community, building, count):
    _populate(voting_community, building, count)
    # the session with its user, communities, board (prefetch), announcements, attachments
    # (prefetch), resolutions, company in the footer.
    assert count_queries(resident_client, "/wspolnota/") == 7


@pytest.mark.parametrize("count", [1, 6])
def test_resolution_page_runs_fixed_number_of_queries(
    resident_client, voting_community, building, count
):
    _populate(voting_community, building, count)
    resolution = Resolution.objects.first()
    # the session with its user, resolution, user's holdings, their votes, tally, company.
    assert count_queries(resident_client, f"/wspolnota/uchwaly/{resolution.pk}/") == 6


def test_home_panel_lists_votes_awaiting_and_announcements(resident_client, resolution, community):
    AnnouncementFactory(community=community, title="Wymiana wodomierzy")
    content = resident_client.get("/").content.decode()
    assert "Czekają na Twój głos" in content
    assert resolution.title in content
    assert "Wymiana wodomierzy" in content


@pytest.mark.parametrize("count", [1, 6])
def test_resolution_list_runs_fixed_number_of_queries(
    resident_client, voting_community, building, count
):
    _populate(voting_community, building, count)
    # the session with its user, count for pagination, the resolutions (with their community),
    # company.
    assert count_queries(resident_client, "/wspolnota/uchwaly/") == 4


@pytest.mark.parametrize("count", [1, 6])
def test_home_panel_runs_fixed_number_of_queries(
    rf, resident, voting_community, building, count, django_assert_num_queries
):
    from community.panels import home_panel

    _populate(voting_community, building, count)
    request = rf.get("/")
    request.user = resident
    # The latest announcements (with the unread marker), the open votes and the user's
    # premises in one query; the ballots on those premises in a second, whatever their number.
    with django_assert_num_queries(2):
        panel = home_panel(request)
    assert len(panel["awaiting"]) == count
    assert len(panel["announcements"]) == min(count, 3)


def test_home_panel_without_an_open_vote_runs_one_query(
    rf, resident, voting_community, building, django_assert_num_queries
):
    """No vote open: the ballots are not read at all (issue 17: building that part of the
    query was a third of the panel's time)."""
    from community.panels import home_panel

    _populate(voting_community, building, 3)
    Resolution.objects.update(status=Resolution.Status.ADOPTED)
    request = rf.get("/")
    request.user = resident
    with django_assert_num_queries(1):
        panel = home_panel(request)
    assert panel["awaiting"] == [] and len(panel["announcements"]) == 3


def test_resolution_list_hides_other_communities(client, stranger, resolution):
    client.force_login(stranger)
    content = client.get("/wspolnota/uchwaly/").content.decode()
    assert resolution.title not in content
    assert "Nie ma jeszcze żadnych uchwał." in content
