"""Progressive delay after failed attempts, kept in the shared cache.

Instead of locking a subject (e.g. a login) out for a fixed time after N failures, which lets
anyone who knows the login keep its owner out, each failure beyond the free ones doubles the
wait before the next attempt is even checked, up to a short cap. Attempts refused during the
wait are not counted, so an attacker cannot push the wait past the cap; a success resets it.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.core.cache import cache


def _now() -> float:
    return time.time()


@dataclass(frozen=True)
class ProgressiveDelay:
    namespace: str
    free_attempts: int = 5
    base_seconds: float = 1.0
    max_seconds: float = 60.0
    # Failures older than this are forgotten altogether.
    window_seconds: int = 60 * 60

    def _key(self, subject: str) -> str:
        digest = hashlib.sha256(subject.strip().lower().encode("utf-8")).hexdigest()
        return f"throttle:{self.namespace}:{digest}"

    def delay_after(self, failures: int) -> float:
        if failures < self.free_attempts:
            return 0.0
        return min(self.base_seconds * 2 ** (failures - self.free_attempts), self.max_seconds)

    def wait_seconds(self, subject: str) -> int:
        """Whole seconds to wait before the next attempt may be checked (0: go ahead)."""
        failures, last = cache.get(self._key(subject), (0, 0.0))
        remaining = last + self.delay_after(failures) - _now()
        return math.ceil(remaining) if remaining > 0 else 0

    def record_failure(self, subject: str) -> None:
        key = self._key(subject)
        failures, _last = cache.get(key, (0, 0.0))
        cache.set(key, (failures + 1, _now()), self.window_seconds)

    def reset(self, subject: str) -> None:
        cache.delete(self._key(subject))
