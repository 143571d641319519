import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from failures.models import FailureReport, FailureStatusChange
from failures.services import failure_change_status
from tests.factories import make_report

from ..factories import PremisesFactory, UserFactory

pytestmark = pytest.mark.django_db

S = FailureReport.Status


@pytest.fixture
def office():
    return UserFactory(first_name="Ewa", last_name="Biurowa", is_staff=True)


def test_reports_get_consecutive_numbers_per_year(resident, building):
    at_2026 = timezone.make_aware(datetime.datetime(2026, 3, 1, 10))
    at_2027 = timezone.make_aware(datetime.datetime(2027, 1, 2, 10))
    first = make_report(resident, building=building, at=at_2026)
    second = make_report(resident, building=building, at=at_2026)
    next_year = make_report(resident, building=building, at=at_2027)
    assert (first.number, second.number) == ("AW/2026/00001", "AW/2026/00002")
    assert next_year.number == "AW/2027/00001"


def test_new_report_starts_as_reported_with_history(resident, building):
    report = make_report(resident, building=building)
    assert report.status == S.REPORTED
    assert list(report.status_changes.values_list("from_status", "to_status")) == [("", S.REPORTED)]


def test_premises_of_another_building_is_refused(resident, building):
    elsewhere = PremisesFactory()
    with pytest.raises(ValidationError, match="nie należy do wybranego budynku"):
        make_report(resident, building=building, premises=elsewhere)
    assert not FailureReport.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        [S.ACCEPTED, S.IN_PROGRESS, S.DONE],
        [S.REJECTED],
        [S.ACCEPTED, S.REJECTED],
    ],
)
def test_every_allowed_transition(resident, building, office, path):
    report = make_report(resident, building=building)
    for status in path:
        failure_change_status(report=report, to_status=status, comment="ok", changed_by=office)
        report.refresh_from_db()
        assert report.status == status
    history = list(report.status_changes.values_list("from_status", "to_status"))
    expected_from = [S.REPORTED, *path[:-1]]
    assert history[1:] == list(zip(expected_from, path, strict=True))


@pytest.mark.parametrize(
    ("steps", "refused"),
    [
        ([], S.IN_PROGRESS),
        ([], S.DONE),
        ([], S.REPORTED),
        ([S.ACCEPTED], S.DONE),
        ([S.ACCEPTED], S.REPORTED),
        ([S.ACCEPTED, S.IN_PROGRESS], S.REJECTED),
        ([S.ACCEPTED, S.IN_PROGRESS], S.ACCEPTED),
        ([S.ACCEPTED, S.IN_PROGRESS, S.DONE], S.IN_PROGRESS),
        ([S.REJECTED], S.ACCEPTED),
        ([], "naprawiona"),
    ],
)
def test_invalid_transition_is_refused_and_changes_nothing(
    resident, building, office, steps, refused
):
    report = make_report(resident, building=building)
    for status in steps:
        failure_change_status(report=report, to_status=status, changed_by=office, notify=False)
    before = report.status_changes.count()
    with pytest.raises(ValidationError, match="nie można zmienić na") as error:
        failure_change_status(report=report, to_status=refused, changed_by=office)
    assert "Zgłoszenia o statusie" in error.value.messages[0]
    report.refresh_from_db()
    assert report.status == (steps[-1] if steps else S.REPORTED)
    assert report.status_changes.count() == before


def test_status_change_emails_the_reporter_after_commit(
    resident, building, office, django_capture_on_commit_callbacks
):
    report = make_report(resident, building=building)
    with django_capture_on_commit_callbacks(execute=True):
        failure_change_status(
            report=report,
            to_status=S.ACCEPTED,
            comment="Hydraulik przyjdzie w czwartek.",
            changed_by=office,
        )
        assert mail.outbox == []  # nothing leaves before the commit
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [resident.email]
    assert report.number in message.subject and "przyjęta" in message.subject
    assert "Hydraulik przyjdzie w czwartek." in message.body
    assert building.address in message.body


def test_refused_transition_sends_no_email(
    resident, building, office, django_capture_on_commit_callbacks
):
    report = make_report(resident, building=building)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        failure_change_status(report=report, to_status=S.DONE, changed_by=office)
    assert mail.outbox == []
    assert not FailureStatusChange.objects.filter(to_status=S.DONE).exists()
