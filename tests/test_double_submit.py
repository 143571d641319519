"""A form sent twice (a double click, a reload that resends it, a slow connection) saves once.

The resident's failure report and messages to the office, and the office's reply, each reach the
other side once: no duplicate report for the office to close, no second e-mail.
"""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from correspondence.models import Thread, ThreadMessage
from correspondence.services import thread_office_reply, thread_reply, thread_start
from failures.models import FailureReport
from failures.services import failure_create

pytestmark = pytest.mark.django_db

FAILURE = {
    "description": "Nie działa oświetlenie na klatce schodowej.",
    "contact_phone": "601 200 300",
}


def test_a_failure_report_sent_twice_is_one_report_with_one_number(resident_client, premises):
    data = {"place": f"lokal-{premises.pk}", **FAILURE}
    first = resident_client.post("/awarie/zglos/", data)
    second = resident_client.post("/awarie/zglos/", data, follow=True)
    report = FailureReport.objects.get()
    assert first.url == f"/awarie/{report.pk}/"
    assert f"przyjęliśmy zgłoszenie nr {report.number}" in second.content.decode()


def test_the_same_failure_reported_again_later_or_elsewhere_is_a_new_report(
    resident, premises, building
):
    earlier = failure_create(
        reporter=resident,
        building=building,
        premises=premises,
        at=timezone.now() - datetime.timedelta(hours=1),
        **FAILURE,
    )
    common_part = failure_create(reporter=resident, building=building, **FAILURE)
    again = failure_create(reporter=resident, building=building, premises=premises, **FAILURE)
    assert len({earlier.pk, common_part.pk, again.pk}) == 3


def test_a_message_to_the_office_sent_twice_starts_one_thread(resident_client, premises):
    data = {"premises": premises.pk, "subject": "Nadpłata", "body": "Proszę o zwrot nadpłaty."}
    first = resident_client.post("/korespondencja/wiadomosci/nowa/", data)
    second = resident_client.post("/korespondencja/wiadomosci/nowa/", data)
    thread = Thread.objects.get()
    assert first.url == second.url == f"/korespondencja/wiadomosci/{thread.pk}/"
    assert thread.messages.count() == 1


def test_a_reply_sent_twice_is_one_message(resident_client, resident, premises):
    thread = thread_start(user=resident, premises=premises, subject="Nadpłata", body="Dzień dobry")
    for _ in range(2):
        resident_client.post(f"/korespondencja/wiadomosci/{thread.pk}/", {"body": "Dziękuję."})
    assert list(thread.messages.values_list("body", flat=True)) == ["Dzień dobry", "Dziękuję."]
    thread_reply(thread=thread, user=resident, body="Jeszcze jedno pytanie.")
    assert thread.messages.count() == 3


def test_the_office_reply_sent_twice_is_one_message_and_one_email(
    resident, premises, admin_user, django_capture_on_commit_callbacks
):
    thread = thread_start(user=resident, premises=premises, subject="Nadpłata", body="Dzień dobry")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            thread_office_reply(thread=thread, author=admin_user, body="Zwrócimy w piątek.")
    assert ThreadMessage.objects.filter(from_office=True).count() == 1
    assert len(mail.outbox) == 1
