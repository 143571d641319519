"""SMS backends, chosen by ``settings.SMS_BACKEND``.

``ConsoleSmsBackend`` logs (development), ``MemorySmsBackend`` keeps messages for tests and
``SmsApiBackend`` sends through SMSAPI.pl with its official client (``smsapi-client``).
"""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string

from lib import phones

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """The gateway refused or could not take the message; the outbox retries it."""


class BaseSmsBackend:
    def send(self, *, to: str, text: str) -> str:
        """Send one SMS; return the gateway's message id. Raise on failure."""
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    def send(self, *, to: str, text: str) -> str:
        logger.info("SMS do %s: %s", to, text)
        return "console"


class MemorySmsBackend(BaseSmsBackend):
    """For tests: messages land in ``MemorySmsBackend.outbox``."""

    outbox: list[tuple[str, str]] = []

    def send(self, *, to: str, text: str) -> str:
        self.outbox.append((to, text))
        return f"memory-{len(self.outbox)}"


class SmsApiBackend(BaseSmsBackend):
    """SMSAPI.pl (https://www.smsapi.pl) through its maintained Python client.

    Needs ``SMSAPI_TOKEN`` (an OAuth token from the SMSAPI panel); ``SMS_SENDER`` is a sender
    name registered there (empty: the account's default).
    """

    def __init__(self, client=None):
        if client is None:
            from smsapi.client import SmsApiPlClient

            client = SmsApiPlClient(access_token=settings.SMSAPI_TOKEN)
        self.client = client

    def send(self, *, to: str, text: str) -> str:
        from smsapi.exception import SmsApiException

        params = {"to": normalize_phone(to), "message": text, "encoding": "utf-8"}
        if getattr(settings, "SMS_SENDER", ""):
            params["from_"] = settings.SMS_SENDER
        try:
            result = self.client.sms.send(**params)
        except SmsApiException as exc:
            raise SmsError(f"SMSAPI: {exc.message} (kod {exc.code})") from exc
        except OSError as exc:  # network errors from requests are OSError subclasses
            raise SmsError(f"SMSAPI: {exc}") from exc
        results = list(getattr(result, "results", []) or [])
        if not results:
            raise SmsError("SMSAPI: brak potwierdzenia wysłania")
        if results[0].error:
            raise SmsError(f"SMSAPI: błąd {results[0].error}")
        return str(results[0].id)


def normalize_phone(phone: str) -> str:
    """The number as the gateway wants it: the stored E.164 without its "+" (48601200300)."""
    try:
        return phones.normalize_phone(phone).removeprefix("+")
    except ValidationError:  # not a number: the gateway refuses it with its own error
        return "".join(ch for ch in phone if ch.isdigit())


def get_sms_backend() -> BaseSmsBackend:
    return import_string(settings.SMS_BACKEND)()
