"""`/healthcheck/` for the load balancer and monitoring: database, cache and file storage.

No login, no personal data, JSON; 200 when every dependency answers, 503 otherwise (with the
failing part named, never the error's details, which stay in the log). Answered whatever the
Host header (``HealthCheckMiddleware``): a load balancer probes each app server by its address.
"""

import logging
import time
import uuid

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone()[0] != 1:
            raise RuntimeError("unexpected answer")


def _cache() -> None:
    # The Redis cache ignores its own errors (a miss instead of a 500), so check a round trip.
    key, value = f"healthcheck:{uuid.uuid4().hex}", "ok"
    cache.set(key, value, timeout=30)
    if cache.get(key) != value:
        raise RuntimeError("value not read back")
    cache.delete(key)


def _storage() -> None:
    default_storage.exists("healthcheck/probe")  # a round trip to disk or the S3 endpoint


CHECKS = {"database": _database, "cache": _cache, "storage": _storage}


@never_cache
@require_GET
def healthcheck(request):
    results, healthy = {}, True
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            check()
        except Exception:
            logger.exception("Health check %s failed", name)
            results[name] = {"status": "error"}
            healthy = False
        else:
            results[name] = {"status": "ok", "ms": round((time.monotonic() - started) * 1000, 1)}
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": results}, status=200 if healthy else 503
    )


class HealthCheckMiddleware:
    """Answers ``GET /healthcheck/`` before Django checks the Host against ``ALLOWED_HOSTS``.

    A load balancer probes each app server by its own address (``Host: 10.0.0.5:8000``), not
    the portal's name; CommonMiddleware would refuse that with a 400, and the server would be
    taken out of rotation. The answer holds no data of anyone, and nothing else is let through.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "GET" and request.path_info == "/healthcheck/":
            return healthcheck(request)
        return self.get_response(request)
