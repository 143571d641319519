"""A Redis cache (django-redis) that degrades instead of failing while Redis is down.

The cache holds rate-limit counters and locks; losing them for a while is better than refusing
every login. django-redis's ``IGNORE_EXCEPTIONS`` already turns reads into misses and writes
into no-ops; ``add`` is the exception: a failed ``add`` reads as "somebody else holds the
lock", which made allauth refuse every login (429) while Redis was down. Here it succeeds.
"""

import logging

from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted

logger = logging.getLogger(__name__)


class DegradingRedisCache(RedisCache):
    def add(self, *args, **kwargs):
        try:
            return self.client.add(*args, **kwargs)
        except ConnectionInterrupted as exc:
            logger.warning("Redis unavailable, cache add skipped: %s", exc.__cause__ or exc)
            return True
