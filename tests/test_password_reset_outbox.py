"""Password reset mails go through the outbox: SMTP down changes nothing the visitor sees."""

import datetime

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from accounts.adapter import reset_link_validity
from notifications.models import Message
from notifications.services import messages_retry_due

pytestmark = pytest.mark.django_db

FAILING_EMAIL = "tests.notifications.backends.FailingEmailBackend"
SAME_ANSWER = "Jeśli login i adres e-mail pasują do aktywnego konta"


def _request_reset(client, username, email, **extra):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            "/nie-pamietam-hasla/", {"login": username, "email": email}, follow=True, **extra
        )


def test_reset_with_smtp_down_answers_like_an_unknown_login_and_retries_later(
    client, resident, settings
):
    settings.EMAIL_BACKEND = FAILING_EMAIL
    known = _request_reset(client, resident.username, resident.email)
    unknown = _request_reset(client, "00000000", resident.email)
    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain
    assert SAME_ANSWER in known.content.decode() and SAME_ANSWER in unknown.content.decode()

    message = Message.objects.get()
    assert (message.status, message.attempts) == (Message.Status.QUEUED, 1)
    assert message.recipient == resident and message.to_address == resident.email

    # The mail server is back: the periodic retry delivers the link.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert messages_retry_due(now=timezone.now() + datetime.timedelta(hours=1)) == 1
    [email] = mail.outbox
    assert "/nie-pamietam-hasla/klucz/" in email.body
    assert email.subject == "[Strefa] Ustawienie nowego hasła do Strefy Klienta"


def test_reset_link_uses_portal_url_not_the_request_host(client, resident, settings):
    settings.PORTAL_URL = "https://strefa.example.pl"
    settings.ALLOWED_HOSTS = ["testserver", "evil.example.com"]
    _request_reset(client, resident.username, resident.email, HTTP_HOST="evil.example.com")
    [email] = mail.outbox
    assert "https://strefa.example.pl/nie-pamietam-hasla/klucz/" in email.body
    assert "evil.example.com" not in email.body


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (86400, "24 godziny"),
        (3600, "1 godzinę"),
        (2 * 3600, "2 godziny"),
        (5 * 3600, "5 godzin"),
        (12 * 3600, "12 godzin"),
        (22 * 3600, "22 godziny"),
        (3 * 86400, "3 dni"),
        (900, "15 minut"),
        (120, "2 minuty"),
        (60, "1 minutę"),
    ],
)
def test_validity_is_said_in_polish_with_plural_forms(seconds, text):
    assert reset_link_validity(seconds) == text


def test_reset_mail_states_the_configured_validity(client, resident, settings):
    settings.PASSWORD_RESET_TIMEOUT = 2 * 3600
    _request_reset(client, resident.username, resident.email)
    [email] = mail.outbox
    assert "Link jest jednorazowy i ważny przez 2 godziny." in email.body
    assert "24 godzin" not in email.body
