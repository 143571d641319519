"""SMS backends, chosen by ``settings.SMS_BACKEND``."""

import logging

logger = logging.getLogger(__name__)


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
