import threading

from django.core.mail.backends.base import BaseEmailBackend

from notifications.sms import BaseSmsBackend


class FailingEmailBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("Connection refused")


class FailingSmsBackend(BaseSmsBackend):
    def send(self, *, to, text, idx=""):
        raise TimeoutError("gateway timeout")


class HangingEmailBackend(BaseEmailBackend):
    """A relay that accepts mail for ``hang@…`` and then never answers (until released)."""

    started = threading.Event()
    release = threading.Event()

    def send_messages(self, email_messages):
        from django.core.mail.backends.locmem import EmailBackend

        for message in email_messages:
            if message.to[0].startswith("hang@"):
                type(self).started.set()
                if not type(self).release.wait(timeout=30):
                    raise TimeoutError("relay never answered")
        return EmailBackend().send_messages(email_messages)
