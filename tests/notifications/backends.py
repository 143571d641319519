from django.core.mail.backends.base import BaseEmailBackend

from notifications.sms import BaseSmsBackend


class FailingEmailBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("Connection refused")


class FailingSmsBackend(BaseSmsBackend):
    def send(self, *, to, text):
        raise TimeoutError("gateway timeout")
