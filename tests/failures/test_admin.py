import datetime

import pytest
from django.core import mail
from django.utils import timezone

from failures.models import FailurePhoto, FailureReport
from failures.services import failure_change_status
from office.roles import roles_sync_user
from premises.models import CommunityRole
from tests.factories import jpeg_bytes, make_report, read_streamed, upload

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/failures/failurereport/"
S = FailureReport.Status
EMPTY_INLINES = {
    f"{prefix}-{key}": 0
    for prefix in ("status_changes", "photos")
    for key in ("TOTAL_FORMS", "INITIAL_FORMS")
}


@pytest.fixture
def office(client):
    client.force_login(UserFactory(username="biuro", is_staff=True, is_superuser=True))
    return client


def change_data(client, report, **extra):
    """The change form as the browser would submit it (inline management forms included)."""
    response = client.get(f"{CHANGELIST}{report.pk}/change/")
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    for form in forms:
        for bound in form:
            value = bound.value()
            if value is None or bound.name in ("repair_photo", "new_status", "status_comment"):
                continue
            data[bound.html_name] = value
    return {**data, **extra}


def test_office_sees_reporter_contact_data(office, resident, building):
    report = make_report(resident, building=building, phone="+48 601 555 444")
    listing = office.get(CHANGELIST).content.decode()
    assert report.number in listing and "+48 601 555 444" in listing
    page = office.get(f"{CHANGELIST}{report.pk}/change/").content.decode()
    assert resident.get_full_name() in page and resident.email in page


def test_office_changes_status_with_comment_and_reporter_gets_email(
    office, resident, building, django_capture_on_commit_callbacks
):
    report = make_report(resident, building=building)
    with django_capture_on_commit_callbacks(execute=True):
        response = office.post(
            f"{CHANGELIST}{report.pk}/change/",
            change_data(office, report, new_status=S.ACCEPTED, status_comment="Ekipa jutro."),
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    report.refresh_from_db()
    assert report.status == S.ACCEPTED
    assert report.status_changes.last().comment == "Ekipa jutro."
    assert report.status_changes.last().changed_by.username == "biuro"
    assert len(mail.outbox) == 1 and report.number in mail.outbox[0].subject


def test_office_cannot_skip_a_status(office, resident, building):
    report = make_report(resident, building=building)
    response = office.post(
        f"{CHANGELIST}{report.pk}/change/", change_data(office, report, new_status=S.DONE)
    )
    assert response.status_code == 200
    assert "nie można zmienić na „zakończona”" in response.content.decode()
    report.refresh_from_db()
    assert report.status == S.REPORTED


def test_office_attaches_an_after_repair_photo(office, resident, building):
    report = make_report(resident, building=building, photos=1)
    response = office.post(
        f"{CHANGELIST}{report.pk}/change/",
        change_data(office, report, repair_photo=upload(jpeg_bytes(gps=True))),
    )
    assert response.status_code == 302
    photo = report.photos.get(added_by_office=True)
    assert photo.added_by.username == "biuro"
    thumb = office.get(f"{CHANGELIST}{report.pk}/zdjecie/{photo.pk}/?miniatura=1")
    assert read_streamed(thumb)[:2] == b"\xff\xd8"
    assert thumb["Content-Type"] == "image/jpeg"


def test_office_photo_that_is_not_an_image_is_refused(office, resident, building):
    report = make_report(resident, building=building)
    fake = upload(b"<?php echo 1; ?>" * 20, "po-naprawie.jpg")
    response = office.post(
        f"{CHANGELIST}{report.pk}/change/", change_data(office, report, repair_photo=fake)
    )
    assert "nie jest obrazem" in response.content.decode()
    assert not FailurePhoto.objects.exists()


def test_office_records_a_report_taken_by_phone(office, resident, building, premises):
    response = office.post(
        f"{CHANGELIST}add/",
        {
            "building": building.pk,
            "premises": premises.pk,
            "reporter": resident.pk,
            "description": "Zgłoszenie telefoniczne: cieknie grzejnik.",
            "contact_phone": "601200300",
            **EMPTY_INLINES,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    report = FailureReport.objects.get()
    assert report.number.startswith("AW/") and report.status == S.REPORTED
    assert report.contact_phone == "+48601200300"  # E.164
    assert report.status_changes.get().changed_by.username == "biuro"


def test_age_status_and_community_filters(office, resident, building, stranger):
    now = timezone.now()
    fresh = make_report(resident, building=building, at=now - datetime.timedelta(days=2))
    middle = make_report(resident, building=building, at=now - datetime.timedelta(days=12))
    old = make_report(resident, building=building, at=now - datetime.timedelta(days=45))
    other_building = stranger.ownerships.get().premises.building
    elsewhere = make_report(stranger, building=other_building)

    def numbers(query):
        return {r.number for r in office.get(f"{CHANGELIST}?{query}").context["cl"].result_list}

    assert numbers("wiek=do7") == {fresh.number, elsewhere.number}
    assert numbers("wiek=7-30") == {middle.number}
    assert numbers("wiek=ponad30") == {old.number}
    assert numbers(f"building__community__id__exact={building.community_id}") == {
        fresh.number,
        middle.number,
        old.number,
    }
    assert numbers(f"building__id__exact={other_building.pk}") == {elsewhere.number}
    assert numbers("status__exact=zgloszona") == {
        fresh.number,
        middle.number,
        old.number,
        elsewhere.number,
    }


def test_changelist_queries_do_not_grow(office, resident, building, django_assert_max_num_queries):
    make_report(resident, building=building)
    with django_assert_max_num_queries(20) as one:
        office.get(CHANGELIST)
    for _ in range(10):
        make_report(resident, building=building)
    with django_assert_max_num_queries(len(one)):
        office.get(CHANGELIST)


def _office_user(community, role):
    user = UserFactory(is_staff=True)
    CommunityRole.objects.create(user=user, community=community, role=role)
    roles_sync_user(user=user)
    return user


def test_office_staff_work_only_in_their_community(client, resident, building, stranger):
    client.force_login(_office_user(building.community, CommunityRole.Role.OFFICE_STAFF))
    own = make_report(resident, building=building, photos=1)
    other = make_report(stranger, building=stranger.ownerships.get().premises.building, photos=1)
    listing = client.get(CHANGELIST).content.decode()
    assert own.number in listing and other.number not in listing
    assert other.building.street not in listing  # not even in the filters
    assert client.get(f"{CHANGELIST}{other.pk}/change/").status_code == 404
    photo = other.photos.get()
    assert client.get(f"{CHANGELIST}{other.pk}/zdjecie/{photo.pk}/").status_code == 404
    own_photo = client.get(f"{CHANGELIST}{own.pk}/zdjecie/{own.photos.get().pk}/")
    read_streamed(own_photo)
    assert own_photo.status_code == 200
    foreign = client.post(
        f"{CHANGELIST}add/",
        {
            "building": other.building_id,
            "reporter": resident.pk,
            "description": "Próba zgłoszenia w cudzej wspólnocie.",
            "contact_phone": "601200300",
            **EMPTY_INLINES,
        },
    )
    assert foreign.status_code == 200 and "Wybierz poprawną wartość" in foreign.content.decode()
    assert not FailureReport.objects.filter(description__startswith="Próba").exists()


def test_board_member_reads_reports_but_cannot_change_status(client, resident, building):
    client.force_login(_office_user(building.community, CommunityRole.Role.BOARD))
    report = make_report(resident, building=building)
    page = client.get(f"{CHANGELIST}{report.pk}/change/").content.decode()
    assert report.number in page and 'name="new_status"' not in page
    client.post(f"{CHANGELIST}{report.pk}/change/", {"new_status": S.ACCEPTED})
    report.refresh_from_db()
    assert report.status == S.REPORTED


def test_bulk_action_changes_what_it_can_and_names_the_rest(
    office, resident, building, django_capture_on_commit_callbacks
):
    fresh = make_report(resident, building=building)
    closed = make_report(resident, building=building)
    for status in (S.ACCEPTED, S.IN_PROGRESS, S.DONE):
        failure_change_status(report=closed, to_status=status, changed_by=None, notify=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = office.post(
            CHANGELIST,
            {"action": "mark_accepted", "_selected_action": [fresh.pk, closed.pk]},
            follow=True,
        )
    content = response.content.decode()
    assert "Zgłoszenia przeniesione do statusu „przyjęta”: 1." in content
    assert f"nie można przenieść do statusu „przyjęta”: {closed.number}" in content
    fresh.refresh_from_db()
    closed.refresh_from_db()
    assert (fresh.status, closed.status) == (S.ACCEPTED, S.DONE)
    assert len(mail.outbox) == 1
