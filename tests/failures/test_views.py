import pytest
from django.test.utils import CaptureQueriesContext

from failures.models import FailureReport
from failures.services import failure_change_status
from tests.factories import make_report, read_streamed

from ..factories import OwnershipFactory, PremisesFactory, UserFactory
from ..utils import count_queries

pytestmark = pytest.mark.django_db


def test_list_shows_building_failures_newest_first_and_marks_own(
    resident_client, resident, premises, building, neighbour_report
):
    own = make_report(resident, building=building, description="Nie działa domofon.")
    content = resident_client.get("/awarie/").content.decode()
    assert content.index("Nie działa domofon.") < content.index("Zaciek na suficie w kuchni.")
    assert own.number in content and neighbour_report.number in content
    assert content.count("Twoje zgłoszenie") == 1
    assert "część wspólna" in content and "lokal 14" in content
    assert "zgłoszona" in content
    assert "Zgłoś awarię" in content


def test_neighbours_never_see_reporter_name_or_phone(resident_client, neighbour, neighbour_report):
    for path in ("/awarie/", f"/awarie/{neighbour_report.pk}/"):
        content = resident_client.get(path).content.decode()
        assert "Zaciek na suficie w kuchni." in content
        assert "Sąsiad" not in content and neighbour.username not in content
        assert "699 888 777" not in content and neighbour.email not in content
        assert "Twoje zgłoszenie" not in content


def test_own_report_page_shows_own_contact_phone(client, neighbour, neighbour_report):
    client.force_login(neighbour)
    content = client.get(f"/awarie/{neighbour_report.pk}/").content.decode()
    assert "+48 699 888 777" in content and "Twoje zgłoszenie" in content


def test_failures_of_other_buildings_are_not_listed(
    resident_client, stranger, other_building_resident
):
    for user in (stranger, other_building_resident):
        premises = user.ownerships.get().premises
        make_report(user, building=premises.building, description=f"Awaria u {user.last_name}")
    content = resident_client.get("/awarie/").content.decode()
    assert "Awaria u" not in content
    assert "nie zgłoszono jeszcze żadnej awarii" in content


def test_report_and_photos_of_another_building_answer_404(
    client, stranger, other_building_resident, neighbour_report
):
    photo = neighbour_report.photos.get()
    paths = [
        f"/awarie/{neighbour_report.pk}/",
        f"/awarie/{neighbour_report.pk}/zdjecia/{photo.pk}/",
        f"/awarie/{neighbour_report.pk}/zdjecia/{photo.pk}/miniatura/",
    ]
    for user in (stranger, other_building_resident):
        client.force_login(user)
        for path in paths:
            assert client.get(path).status_code == 404, (user, path)


def test_photo_is_served_to_a_neighbour_only_through_the_checked_view(
    resident_client, neighbour_report
):
    photo = neighbour_report.photos.get()
    response = resident_client.get(f"/awarie/{neighbour_report.pk}/zdjecia/{photo.pk}/miniatura/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline")
    assert read_streamed(response)[:2] == b"\xff\xd8"
    content = resident_client.get("/awarie/").content.decode()
    assert f"/awarie/{neighbour_report.pk}/zdjecia/{photo.pk}/miniatura/" in content
    assert "/media/" not in content and photo.image.name not in content


def test_photo_with_mismatched_report_answers_404(
    resident_client, resident, building, neighbour_report
):
    own = make_report(resident, building=building)
    photo = neighbour_report.photos.get()
    assert resident_client.get(f"/awarie/{own.pk}/zdjecia/{photo.pk}/").status_code == 404


def test_report_page_shows_status_history_with_office_comments(resident_client, neighbour_report):
    # A name no page text contains (a random short one such as "Cal" is in "Call Center").
    office = UserFactory(is_staff=True, first_name="Zenobiusz", last_name="Dyspozytorski")
    S = FailureReport.Status
    failure_change_status(
        report=neighbour_report,
        to_status=S.ACCEPTED,
        comment="Hydraulik w czwartek.",
        changed_by=office,
    )
    failure_change_status(report=neighbour_report, to_status=S.IN_PROGRESS, changed_by=office)
    content = resident_client.get(f"/awarie/{neighbour_report.pk}/").content.decode()
    assert "Historia statusu" in content
    history = content[content.index("Historia statusu") :]
    assert history.index("zgłoszona") < history.index("przyjęta") < history.index("w realizacji")
    assert "Hydraulik w czwartek." in history
    assert office.last_name not in content and office.first_name not in content


def test_anonymous_user_is_sent_to_login(client, neighbour_report):
    for path in ("/awarie/", "/awarie/zglos/", f"/awarie/{neighbour_report.pk}/"):
        response = client.get(path)
        assert response.status_code == 302 and "/logowanie/" in response["Location"]


def test_list_is_paginated(resident_client, resident, building):
    for number in range(12):
        make_report(resident, building=building, description=f"Usterka numer {number:02d}")
    first = resident_client.get("/awarie/").content.decode()
    second = resident_client.get("/awarie/?page=2").content.decode()
    assert "Usterka numer 11" in first and "Usterka numer 00" not in first
    assert "Usterka numer 00" in second and "Strona 2 z 2" in second


def _fill(resident, building, count):
    flat = PremisesFactory(building=building)
    for number in range(count):
        make_report(
            resident,
            building=building,
            premises=flat if number % 2 else None,
            photos=2 if number % 3 == 0 else 0,
        )


def test_list_query_count_does_not_grow_with_reports_and_photos(
    client, resident, building, django_assert_max_num_queries
):
    client.force_login(resident)
    _fill(resident, building, 1)
    client.get("/awarie/")  # warms the cached company row, as every later request finds it
    one = count_queries(client, "/awarie/")
    _fill(resident, building, 9)
    many = count_queries(client, "/awarie/")
    assert one == many
    # session, user, the user's premises (their buildings' ids filter the reports; they tell
    # whether the user may report), count, page of reports (with building and premises),
    # photos; the layout's company footer comes from the cache
    with django_assert_max_num_queries(6):
        client.get("/awarie/")


def test_list_shows_reports_of_all_my_buildings(
    client, resident, building, neighbour_report, other_building_resident, stranger
):
    """An owner of premises in two buildings: both buildings' reports, no one else's."""
    other_premises = other_building_resident.ownerships.get().premises
    OwnershipFactory(user=resident, premises=PremisesFactory(building=other_premises.building))
    other = make_report(other_building_resident, building=other_premises.building)
    foreign = make_report(stranger, building=stranger.ownerships.get().premises.building)
    client.force_login(resident)
    content = client.get("/awarie/").content.decode()
    assert other.number in content and neighbour_report.number in content
    assert foreign.number not in content
    assert content.index(other.number) < content.index(neighbour_report.number)


def test_list_without_premises_reads_no_reports(client, django_assert_num_queries):
    client.force_login(UserFactory())
    client.get("/awarie/")
    # the session with its user, the (empty) premises; was 4: a COUNT and an EXISTS over no
    # buildings, then 3: the user read on its own
    with django_assert_num_queries(2):
        content = client.get("/awarie/").content.decode()
    assert "nie zgłoszono jeszcze żadnej awarii" in content
    assert "Zgłoś awarię" not in content


def test_detail_query_count_does_not_grow_with_history(client, resident, building):
    from django.db import connection

    client.force_login(resident)
    report = make_report(resident, building=building, photos=1)
    client.get(
        f"/awarie/{report.pk}/"
    )  # warms the cached company row, as every later request finds it
    with CaptureQueriesContext(connection) as before:
        client.get(f"/awarie/{report.pk}/")
    office = UserFactory(is_staff=True)
    for status in (FailureReport.Status.ACCEPTED, FailureReport.Status.IN_PROGRESS):
        failure_change_status(report=report, to_status=status, changed_by=office, notify=False)
    make_report(resident, building=building, photos=3)
    with CaptureQueriesContext(connection) as after:
        client.get(f"/awarie/{report.pk}/")
    assert len(before) == len(after)
