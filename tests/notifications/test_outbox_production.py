"""The outbox under production faults: a hung relay, a crash between sending and recording."""

import socket
import threading
import time

import pytest
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from notifications.models import Message
from notifications.services import message_queue, message_send, messages_retry_due
from tests.notifications.backends import HangingEmailBackend

NO_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def hanging_relay(settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.HangingEmailBackend"
    settings.TASKS = NO_TASKS  # the test plays the worker itself
    HangingEmailBackend.started.clear()
    HangingEmailBackend.release.clear()
    yield HangingEmailBackend
    HangingEmailBackend.release.set()


@pytest.mark.django_db(transaction=True)
def test_hung_relay_delays_only_its_own_message(hanging_relay):
    stuck = message_queue(channel="email", to_address="hang@example.com", subject="A", body="a")
    other = message_queue(channel="email", to_address="jan@example.com", subject="B", body="b")

    def worker():
        try:
            message_send(message_id=stuck.pk)
        finally:
            connections.close_all()

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert hanging_relay.started.wait(timeout=10), "the worker never reached the relay"
        stuck.refresh_from_db()
        assert stuck.status == Message.Status.SENDING

        if connection.vendor == "postgresql":
            # The worker waiting on the relay holds no transaction (and so no row lock).
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND state LIKE 'idle in transaction%%' AND pid <> pg_backend_pid()"
                )
                assert cursor.fetchone()[0] == 0

        # The periodic retry neither waits for the stuck message nor sends it twice.
        started = time.monotonic()
        assert messages_retry_due() == 1
        assert time.monotonic() - started < 5
        other.refresh_from_db()
        assert other.status == Message.Status.SENT
        assert [m.subject for m in mail.outbox] == ["B"]
    finally:
        hanging_relay.release.set()
        thread.join(timeout=30)
    stuck.refresh_from_db()
    assert stuck.status == Message.Status.SENT
    assert stuck.attempts == 1
    assert sorted(m.subject for m in mail.outbox) == ["A", "B"]


@pytest.mark.django_db(transaction=True)
def test_message_whose_worker_crashed_is_retried_after_its_claim_expires(settings):
    settings.TASKS = NO_TASKS
    message = message_queue(channel="email", to_address="a@example.com", subject="T", body="b")
    # A worker claimed it and died before recording anything.
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.SENDING, attempts=1, next_attempt_at=timezone.now()
    )
    assert messages_retry_due(now=timezone.now() - timezone.timedelta(seconds=1)) == 0
    assert messages_retry_due() == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.SENT, 2)


@pytest.fixture
def silent_smtp_server():
    """A TCP server that accepts connections and never says a word (a blackholed relay)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    yield server.getsockname()[1]
    server.close()


@pytest.mark.django_db
def test_smtp_timeout_frees_the_worker_and_keeps_the_message(settings, silent_smtp_server):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = silent_smtp_server
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 1
    settings.TASKS = NO_TASKS
    message = message_queue(channel="email", to_address="a@example.com", subject="T", body="b")
    started = time.monotonic()
    message = message_send(message_id=message.pk)
    assert time.monotonic() - started < 5
    assert message.status == Message.Status.QUEUED
    assert "timed out" in message.last_error
    assert message.next_attempt_at > timezone.now()


@pytest.mark.django_db(transaction=True)
def test_message_whose_worker_crashed_every_time_is_failed_not_retried_forever(settings):
    """A message that takes its worker down at each attempt (a poison message) is not claimed
    again and again: after the last attempt's claim expires it is failed, so the office sees
    it (and a letter goes back on the list to print and post)."""
    settings.TASKS = NO_TASKS
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    message = message_queue(channel="email", to_address="a@example.com", subject="T", body="b")
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.SENDING, attempts=3, next_attempt_at=timezone.now()
    )
    assert messages_retry_due() == 0
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.FAILED, 3)
    assert message.next_attempt_at is None
    assert "nie zakończyła" in message.last_error
    assert mail.outbox == []
    assert message_send(message_id=message.pk).status == Message.Status.FAILED
    assert mail.outbox == []
