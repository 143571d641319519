"""What an e-mail from the outbox looks like in the resident's mailbox."""

import pytest
from django.core import mail

from failures.models import FailureReport
from notifications.services import message_queue, notify_user
from tests.factories import CompanyFactory, UserFactory


@pytest.fixture
def person(db):
    CompanyFactory(email="biuro@zarzadca.pl")
    return UserFactory(first_name="Anna", email="anna@example.com")


def _send(callback, capture):
    with capture(execute=True):
        callback()
    [email] = mail.outbox
    return email


def test_subject_with_ampersand_and_quotes_is_not_html_escaped(
    person, django_capture_on_commit_callbacks
):
    title = 'Odczyt wody & ścieków – "zaliczki" <2026>'
    email = _send(
        lambda: notify_user(
            user=person,
            template="community/email/announcement",
            context={"announcement": type("A", (), {"title": title})(), "community": None},
        ),
        django_capture_on_commit_callbacks,
    )
    assert email.subject == f"Nowe ogłoszenie: {title}"
    assert "&amp;" not in email.subject and "&quot;" not in email.subject


def test_email_has_text_and_html_parts_reply_to_and_automatic_headers(
    person, django_capture_on_commit_callbacks
):
    email = _send(
        lambda: notify_user(user=person, template="notifications/test", context={"text": "A&B"}),
        django_capture_on_commit_callbacks,
    )
    assert "A&B" in email.body
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    assert "A&amp;B" in html and "Dzień dobry," in html
    assert email.reply_to == ["biuro@zarzadca.pl"]
    assert email.extra_headers["Auto-Submitted"] == "auto-generated"
    assert (
        email.extra_headers["List-Unsubscribe"] == "<http://127.0.0.1:8000/profil/#profile-contact>"
    )
    raw = email.message().as_string()
    assert "Auto-Submitted: auto-generated" in raw
    assert "Reply-To: biuro@zarzadca.pl" in raw


def test_mail_that_cannot_be_refused_has_no_list_unsubscribe(
    person, django_capture_on_commit_callbacks
):
    email = _send(
        lambda: message_queue(channel="email", to_address="a@example.com", subject="S", body="B"),
        django_capture_on_commit_callbacks,
    )
    assert "List-Unsubscribe" not in email.extra_headers
    assert email.extra_headers["Auto-Submitted"] == "auto-generated"


def test_failure_status_mail_links_to_the_report(
    resident, premises, settings, django_capture_on_commit_callbacks
):
    from failures.services import failure_change_status, failure_create

    settings.PORTAL_URL = "https://strefa.example.pl"
    report = failure_create(
        reporter=resident,
        building=premises.building,
        premises=premises,
        description="Cieknie kran",
        contact_phone="601200300",
    )
    with django_capture_on_commit_callbacks(execute=True):
        failure_change_status(
            report=report, to_status=FailureReport.Status.ACCEPTED, changed_by=None
        )
    [email] = mail.outbox
    assert f"https://strefa.example.pl/awarie/{report.pk}/" in email.body
