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
    def send(self, *, to: str, text: str, idx: str = "") -> str:
        """Send one SMS; return the gateway's message id. Raise on failure.

        ``idx`` is the message's idempotency key: a gateway that knows it never sends the same
        key twice, so a retry after a crash cannot double the SMS.
        """
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    def send(self, *, to: str, text: str, idx: str = "") -> str:
        logger.info("SMS do %s: %s", to, text)
        return "console"


class MemorySmsBackend(BaseSmsBackend):
    """For tests: messages land in ``MemorySmsBackend.outbox`` (and their keys in ``idxs``)."""

    outbox: list[tuple[str, str]] = []
    idxs: list[str] = []

    def send(self, *, to: str, text: str, idx: str = "") -> str:
        self.outbox.append((to, text))
        self.idxs.append(idx)
        return f"memory-{len(self.outbox)}"


class SmsApiBackend(BaseSmsBackend):
    """SMSAPI.pl (https://www.smsapi.pl) through its maintained Python client.

    Needs ``SMSAPI_TOKEN`` (an OAuth token from the SMSAPI panel); ``SMS_SENDER`` is a sender
    name registered there (empty: the account's default); ``SMSAPI_URL`` the API address.
    Each SMS carries ``idx`` with ``check_idx=1``: SMSAPI refuses a second SMS with the same
    key (error 53), which here means "already sent" - a retry after a crash sends nothing.
    """

    DUPLICATE_IDX = 53  # "Not unique idx parameter, message with the same idx already sent"

    def __init__(self, client=None):
        if client is None:
            from smsapi.client import Client

            client = Client(settings.SMSAPI_URL, access_token=settings.SMSAPI_TOKEN)
        self.client = client

    def send(self, *, to: str, text: str, idx: str = "") -> str:
        from smsapi.exception import SmsApiException

        from .services import SMS_MAX_PARTS

        params = {
            "to": normalize_phone(to),
            "message": text,
            "encoding": "utf-8",
            "max_parts": SMS_MAX_PARTS,
        }
        if idx:
            params.update(idx=idx, check_idx=1)
        if getattr(settings, "SMS_SENDER", ""):
            params["from_"] = settings.SMS_SENDER
        try:
            result = self.client.sms.send(**params)
        except SmsApiException as exc:
            if idx and str(exc.code) == str(self.DUPLICATE_IDX):
                return f"idx:{idx}"  # sent by an earlier attempt that did not record it
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
