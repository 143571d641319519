import datetime
import io
import os
import subprocess
import sys

import pytest
from django.contrib.admin.sites import site
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import RequestFactory
from django.utils import timezone

from notifications.admin import MessageAdmin
from notifications.models import Message
from notifications.services import message_queue, messages_retry_due, notify_sms, notify_user
from notifications.sms import MemorySmsBackend, SmsApiBackend, SmsError, normalize_phone
from tests.factories import UserFactory

FAILING_EMAIL = "tests.notifications.backends.FailingEmailBackend"


@pytest.fixture(autouse=True)
def _clean_sms_outbox():
    MemorySmsBackend.outbox.clear()


@pytest.fixture
def person(db):
    return UserFactory(first_name="Anna", email="anna@example.com", phone="601 200 300")


def test_notify_user_stores_message_and_sends_after_commit(
    person, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        [message] = notify_user(user=person, template="notifications/test", context={"text": "Ala"})
        assert mail.outbox == []  # nothing leaves before the transaction commits
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.attempts == 1
    assert message.sent_at is not None
    [email] = mail.outbox
    assert email.to == ["anna@example.com"]
    assert email.subject == "Wiadomość testowa ze Strefy"
    assert email.body.startswith("Dzień dobry,\n") and "Ala" in email.body
    assert "Anna" not in email.body  # no vocative guessed from the first name


def test_notify_user_rolled_back_sends_nothing(person, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify_user(user=person, template="notifications/test", context={})
        raise RuntimeError
    assert Message.objects.count() == 0
    assert mail.outbox == []


def test_notify_sms_channel(person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify_sms(
            user=person,
            to_address=person.phone,
            template="notifications/test",
            context={"text": "x"},
        )
    assert MemorySmsBackend.outbox == [("601 200 300", "Strefa: wiadomość testowa. x")]
    assert Message.objects.get().status == Message.Status.SENT


def test_notify_user_without_address_skips_channel(db):
    user = UserFactory(email="", phone="")
    assert notify_user(user=user, template="notifications/test", context={}) == []
    assert Message.objects.count() == 0


def test_failing_mail_server_keeps_message_retries_and_marks_failed(
    person, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = FAILING_EMAIL
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    with django_capture_on_commit_callbacks(execute=True):
        [message] = notify_user(user=person, template="notifications/test", context={})
    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED
    assert message.attempts == 1
    assert "Connection refused" in message.last_error
    assert message.next_attempt_at > timezone.now()

    # Not yet due: nothing is retried.
    assert messages_retry_due() == 0
    later = timezone.now() + datetime.timedelta(days=1)
    assert messages_retry_due(now=later) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.QUEUED, 2)
    assert messages_retry_due(now=later) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.FAILED, 3)
    assert message.next_attempt_at is None
    assert messages_retry_due(now=later) == 0  # failed for good, kept for the office

    # The mail server is back; the office sends it again from admin.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    staff = UserFactory(is_staff=True, is_superuser=True)
    request = RequestFactory().post("/")
    request.user = staff
    request._messages = type("M", (), {"add": lambda *a, **k: None})()
    with django_capture_on_commit_callbacks(execute=True):
        MessageAdmin(Message, site).resend(request, Message.objects.filter(pk=message.pk))
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert len(mail.outbox) == 1


def test_backoff_grows_between_attempts(person, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = FAILING_EMAIL
    with django_capture_on_commit_callbacks(execute=True):
        [message] = notify_user(user=person, template="notifications/test", context={})
    message.refresh_from_db()
    first_delay = message.next_attempt_at - timezone.now()
    messages_retry_due(now=timezone.now() + datetime.timedelta(days=1))
    message.refresh_from_db()
    second_delay = message.next_attempt_at - timezone.now()
    assert second_delay > first_delay


def test_retry_command_sends_due_messages(person, django_capture_on_commit_callbacks):
    message = message_queue(channel="email", to_address="a@example.com", subject="T", body="B")
    # The task was never run (e.g. the worker was down): the command picks the message up.
    out = io.StringIO()
    call_command("retry_due_messages", stdout=out)
    assert "Ponownie wysłano 1 wiadomość." in out.getvalue()
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert mail.outbox[0].subject == "T"


def test_failing_sms_gateway_keeps_message(person, settings, django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = "tests.notifications.backends.FailingSmsBackend"
    with django_capture_on_commit_callbacks(execute=True):
        message = notify_sms(
            user=person, to_address=person.phone, template="notifications/test", context={}
        )
    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED
    assert "gateway timeout" in message.last_error


class _FakeSmsApi:
    def __init__(self, error=None):
        self.calls = []
        self.error = error
        self.sms = self

    def send(self, **params):
        self.calls.append(params)
        if self.error:
            raise self.error
        result = type("R", (), {"id": "ABC123", "error": None})()
        return type("C", (), {"results": [result]})()


def test_smsapi_backend_sends_through_client(settings):
    settings.SMS_SENDER = "Strefa"
    client = _FakeSmsApi()
    backend = SmsApiBackend(client=client)
    assert backend.send(to="601 200 300", text="Awaria wody", idx="strefa-7") == "ABC123"
    assert client.calls == [
        {
            "to": "48601200300",
            "message": "Awaria wody",
            "encoding": "utf-8",
            "max_parts": 3,
            "idx": "strefa-7",
            "check_idx": 1,
            "from_": "Strefa",
        }
    ]


def test_smsapi_backend_error_is_an_sms_error():
    from smsapi.exception import SendException

    backend = SmsApiBackend(client=_FakeSmsApi(error=SendException("Invalid number", 13)))
    with pytest.raises(SmsError, match="Invalid number"):
        backend.send(to="123", text="x")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("601200300", "48601200300"),
        ("+48 601-200-300", "48601200300"),
        ("0048601200300", "48601200300"),
    ],
)
def test_normalize_phone(raw, expected):
    assert normalize_phone(raw) == expected


def test_gateway_without_token_fails_at_start_up():
    env = {
        **os.environ,
        "SMS_BACKEND": "notifications.sms.SmsApiBackend",
        "SMSAPI_TOKEN": "",
        "SECRET_KEY": "x",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import portal.settings"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SMSAPI_TOKEN" in result.stderr


def test_message_admin_lists_with_status_filter(admin_client, person):
    message_queue(channel="email", to_address="x@example.com", subject="Nieudana", body="b")
    Message.objects.update(status=Message.Status.FAILED, last_error="SMTP down")
    response = admin_client.get("/admin/notifications/message/?status__exact=failed")
    assert "Nieudana" in response.content.decode()
