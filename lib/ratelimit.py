"""Per-key rate limits in the shared cache (fixed windows), e.g. reports per user per hour.

The cache must be shared between app servers (Redis or the database cache) for the limit to
hold across them; with the local-memory default it holds per process.
"""

import time

from django.core.cache import cache


def rate_limit_hit(*, scope: str, key, limit: int, period: int) -> bool:
    """Count one attempt; True while the key made at most ``limit`` in the current window."""
    window = int(time.time() // period)
    cache_key = f"strefa:rl:{scope}:{key}:{window}"
    if cache.add(cache_key, 1, timeout=period + 1):
        return limit >= 1
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=period + 1)
        count = 1
    return count <= limit
