"""Pulling what residents did: readings (with photos), failures, messages; failure status."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from correspondence.services import thread_start
from failures.models import FailureReport, FailureStatusChange
from failures.services import failure_change_status
from meters.models import Reading
from meters.services import readings_invalidate
from tests.factories import MeterFactory, ReadingFactory, make_report, read_streamed

from ..factories import OwnershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident_a(premises_a):
    user = UserFactory(first_name="Anna", last_name="Nowak")
    OwnershipFactory(user=user, premises=premises_a)
    return user


@pytest.fixture
def resident_b(premises_b):
    user = UserFactory(first_name="Obcy", last_name="Mieszkaniec")
    OwnershipFactory(user=user, premises=premises_b)
    return user


def _reading(premises, serial, photo=True):
    reading = ReadingFactory(
        meter=MeterFactory(premises=premises, serial_number=serial),
        source=Reading.Source.RESIDENT,
    )
    if photo:
        reading.photo.save("licznik.jpg", ContentFile(b"\xff\xd8zdjecie"), save=True)
    return reading


def test_readings_only_residents_of_key_communities_with_photo(api, key_a, premises_a, premises_b):
    mine = _reading(premises_a, "ZW-A1")
    ReadingFactory(meter=MeterFactory(premises=premises_a), source=Reading.Source.OFFICE)
    theirs = _reading(premises_b, "ZW-B1")
    body = api("get", "/api/v1/readings/", key_a).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert (row["meter_serial_number"], row["premises_number"], row["value"]) == (
        "ZW-A1",
        "12",
        "10.000",
    )
    assert row["photo_url"].endswith(f"/api/v1/readings/{mine.pk}/photo/")
    photo = api("get", f"/api/v1/readings/{mine.pk}/photo/", key_a)
    assert photo.status_code == 200
    assert read_streamed(photo) == b"\xff\xd8zdjecie"
    other = api("get", f"/api/v1/readings/{theirs.pk}/photo/", key_a)
    assert other.status_code == 404
    assert api("get", f"/api/v1/readings/{mine.pk}/photo/", None).status_code == 401


def test_readings_updated_since_and_bad_cursor(api, key_a, premises_a):
    old = _reading(premises_a, "ZW-OLD", photo=False)
    two_days_ago = timezone.now() - datetime.timedelta(days=2)
    Reading.objects.filter(pk=old.pk).update(created_at=two_days_ago)
    Reading.history.filter(id=old.pk).update(history_date=two_days_ago)
    _reading(premises_a, "ZW-NEW", photo=False)
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    body = api("get", "/api/v1/readings/", key_a, data={"updated_since": since}).json()
    assert [r["meter_serial_number"] for r in body["results"]] == ["ZW-NEW"]
    bad = api("get", "/api/v1/readings/", key_a, data={"updated_since": "wczoraj"})
    assert bad.status_code == 400
    assert bad.json()["updated_since"] == [
        "Nieprawidłowa data i godzina (np. 2026-11-28T02:00:00Z)."
    ]


def test_failures_list_with_history_scoped(
    api, key_a, building_a, building_b, resident_a, resident_b
):
    make_report(resident_a, building=building_a, description="Cieknie kran w piwnicy.")
    make_report(resident_b, building=building_b, description="Obca awaria.")
    body = api("get", "/api/v1/failures/", key_a).json()
    assert [f["description"] for f in body["results"]] == ["Cieknie kran w piwnicy."]
    report = body["results"][0]
    assert report["status_label"] == "zgłoszona"
    assert [h["to_status"] for h in report["history"]] == ["zgloszona"]


def test_failure_status_patch_uses_admin_rules(
    api, key_a, key_a_read, building_a, building_b, resident_a, resident_b, office_admin
):
    report = make_report(resident_a, building=building_a)
    foreign = make_report(resident_b, building=building_b)
    url = f"/api/v1/failures/{report.pk}/"
    response = api("patch", url, key_a, json={"status": "przyjeta", "comment": "Hydraulik jutro."})
    assert response.status_code == 200, response.json()
    assert response.json()["status_label"] == "przyjęta"
    change = FailureStatusChange.objects.filter(report=report).last()
    assert (change.to_status, change.comment, change.changed_by) == (
        "przyjeta",
        "Hydraulik jutro.",
        office_admin,
    )
    # A transition the admin may not make either.
    response = api("patch", url, key_a, json={"status": "zgloszona"})
    assert response.status_code == 400
    assert response.json()["status"] == [
        "Zgłoszenia o statusie „przyjęta” nie można zmienić na „zgłoszona”."
    ]
    # Another community's report: 404 for reading and writing; read-only key: 403.
    assert api("get", f"/api/v1/failures/{foreign.pk}/", key_a).status_code == 404
    response = api("patch", f"/api/v1/failures/{foreign.pk}/", key_a, json={"status": "przyjeta"})
    assert response.status_code == 404
    assert FailureReport.objects.get(pk=foreign.pk).status == "zgloszona"
    response = api("patch", url, key_a_read, json={"status": "w_realizacji"})
    assert response.status_code == 403
    assert FailureReport.objects.get(pk=report.pk).status == "przyjeta"


def test_threads_scoped_with_messages(api, key_a, premises_a, premises_b, resident_a, resident_b):
    thread_start(user=resident_a, premises=premises_a, subject="Wymiana okien", body="Kiedy?")
    thread_start(user=resident_b, premises=premises_b, subject="Obca sprawa", body="x")
    body = api("get", "/api/v1/threads/", key_a).json()
    assert [t["subject"] for t in body["results"]] == ["Wymiana okien"]
    assert [m["body"] for m in body["results"][0]["messages"]] == ["Kiedy?"]


@pytest.mark.parametrize("count", [1, 5])
def test_failures_list_query_count_fixed(
    api, key_a, building_a, resident_a, django_assert_num_queries, count
):
    for _ in range(count):
        make_report(resident_a, building=building_a)
    # key, last use, key's communities, count, page, status history
    with django_assert_num_queries(6):
        assert api("get", "/api/v1/failures/", key_a).json()["count"] == count


def _all_pages(api, key, url, **params):
    """Follow ``next`` to the end, as an integrator's sync does; the rows in the order given."""
    seen, body = [], api("get", url, key, data=params).json()
    while True:
        seen += body["results"]
        if not body["next"]:
            return seen
        body = api("get", body["next"], key).json()


def test_failures_pages_never_skip_a_report_changed_between_pages(
    api, key_a, building_a, resident_a, office_admin
):
    reports = [make_report(resident_a, building=building_a, description=f"r{i}") for i in range(3)]
    first = api("get", "/api/v1/failures/", key_a, data={"page_size": 1}).json()
    assert [r["description"] for r in first["results"]] == ["r0"]
    # The office accepts r0 while the integrator reads: r0 moves to the end of the list.
    failure_change_status(
        report=reports[0], to_status="przyjeta", comment="", changed_by=office_admin
    )
    rest = _all_pages(api, key_a, first["next"])
    assert [(r["description"], r["status"]) for r in rest] == [
        ("r1", "zgloszona"),
        ("r2", "zgloszona"),
        ("r0", "przyjeta"),
    ]


def test_failures_changed_at_the_same_moment_are_each_given_once(
    api, key_a, building_a, resident_a
):
    reports = [make_report(resident_a, building=building_a) for _ in range(5)]
    moment = timezone.now()
    FailureReport.objects.update(status_changed_at=moment)
    rows = _all_pages(api, key_a, "/api/v1/failures/", page_size=2)
    assert [r["id"] for r in rows] == [r.pk for r in reports]
    since = _all_pages(api, key_a, "/api/v1/failures/", page_size=2, updated_since=moment)
    assert [r["id"] for r in since] == [r.pk for r in reports]


def test_pull_lists_refuse_a_time_without_offset_a_bad_cursor_and_page_numbers(api, key_a):
    for value in ("2026-11-27T02:00:00", "2026-11-27"):
        response = api("get", "/api/v1/failures/", key_a, data={"updated_since": value})
        assert response.status_code == 400
        assert response.json() == {
            "updated_since": ["Podaj strefę czasową (np. 2026-11-28T02:00:00+01:00 albo …Z)."]
        }
    response = api("get", "/api/v1/failures/", key_a, data={"cursor": "nie-kursor"})
    assert response.status_code == 400
    assert response.json() == {"cursor": ["Nieprawidłowy kursor; użyj adresu z „next”."]}
    response = api("get", "/api/v1/readings/", key_a, data={"page": "2"})
    assert response.status_code == 400
    assert response.json() == {
        "page": ["Strony mają kursor: przejdź pod adres z „next” w odpowiedzi."]
    }


def test_readings_a_corrected_reading_comes_again_no_longer_current(api, key_a, premises_a):
    old = _reading(premises_a, "ZW-1", photo=False)
    since = timezone.now()
    # What ``meters.services.reading_correct`` does to the reading it replaces.
    old.is_current = False
    old.save(update_fields=["is_current"])
    new = ReadingFactory(meter=old.meter, read_on=old.read_on, source=Reading.Source.RESIDENT)
    old.superseded_by = new
    old.save(update_fields=["superseded_by"])
    rows = _all_pages(api, key_a, "/api/v1/readings/", updated_since=since.isoformat())
    assert [(r["id"], r["is_current"], r["superseded_by"]) for r in rows] == [
        (new.pk, True, None),
        (old.pk, False, new.pk),
    ]
    assert rows[1]["updated_at"] > rows[1]["created_at"]


def test_readings_an_invalidated_reading_comes_again_no_longer_current(
    api, key_a, premises_a, office_admin
):
    reading = _reading(premises_a, "ZW-1", photo=False)
    Reading.objects.filter(pk=reading.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=2)
    )
    Reading.history.filter(id=reading.pk).update(
        history_date=timezone.now() - datetime.timedelta(days=2)
    )
    since = timezone.now()
    assert _all_pages(api, key_a, "/api/v1/readings/", updated_since=since.isoformat()) == []
    readings_invalidate(readings=Reading.objects.filter(pk=reading.pk), user=office_admin)
    rows = _all_pages(api, key_a, "/api/v1/readings/", updated_since=since.isoformat())
    assert [(r["id"], r["is_current"], r["superseded_by"]) for r in rows] == [
        (reading.pk, False, None)
    ]
    assert rows[0]["invalidated_at"] is not None
    assert rows[0]["updated_at"] == rows[0]["invalidated_at"]
