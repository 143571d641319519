"""Resident pages kept rendered in the shared cache until the database changes.

A signed-in resident's page (the start page, Finanse, Lokale, …) is rendered from 4–8 queries
and a dozen templates: 5–30 ms of CPU, where reading the session with its user costs 1 ms. The
same page asked for again, by the same person, with nothing written to the database in between,
is the same page; it is served from the cache (``CACHES["default"]``, Redis) instead.

What makes a kept page right, never stale:

- **Any write to the database makes every kept page old.** Every SQL statement Django sends
  passes through ``watch_writes`` (a connection's execute wrapper). A statement that writes
  (anything but SELECT and transaction control) sets a new *generation*, a random token kept in
  the cache, once its transaction has committed (at once in autocommit). A page is kept with the
  generation read before it was rendered, and served only while that is still the generation.
  The office's imports, a payment booked through the API, a reading, a vote, the daily jobs: all
  write through Django, in whichever process. Writes that no page shows are left out: the
  session table (each page's key holds the session's data instead) and a login's ``last_login``
  (with its row in the office's history of the account).
- **A page is kept only if nothing was written while it was rendered** (the generation read
  again afterwards is unchanged) and only if it set no cookie. So a page whose view writes on
  every visit (a letter marked as read) is never served from the cache.
- **A request in a transaction that has written and not yet committed** reads and keeps nothing.
- **The key** holds the user, the session's key and data, the CSRF cookie (forms on the page
  carry a token of it), the language, today's date and the full path with its query. A page
  with messages to show (after a form was sent) is rendered, never served from the cache.
- **Time**: a page is kept ``PAGE_CACHE_SECONDS`` (60 s) at most, so what depends on the clock
  (a vote closing at 12:00) is at most that late, as if the page had been open that long. A
  write made outside Django (``psql``), or a generation lost with Redis down at the moment of a
  write, is likewise seen within that time.

Only a cache shared by every process can hold the generation, so this is on by default only
with Redis (``CACHE_URL``); ``PAGE_CACHE=false`` turns it off. Every process that writes (web,
worker, ``manage.py`` commands, cron) must run with the same setting.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from operator import itemgetter

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.utils import timezone, translation

GENERATION_KEY = "strefa:pages:generation"

# Statements that change nothing. Anything else (INSERT, UPDATE, DELETE, DDL, a WITH that may
# write, a PRAGMA) counts as a write: when unsure, the kept pages are dropped.
_READ_ONLY = re.compile(
    r"[\s(]*(SELECT|SAVEPOINT|RELEASE|ROLLBACK|COMMIT|BEGIN|SET|SHOW|EXPLAIN|DECLARE|FETCH|CLOSE)\b",
    re.IGNORECASE,
)
_NOT_SHOWN = re.compile(
    r'\s*(?:(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?accounts_session"?\s'
    r'|UPDATE\s+"?accounts_user"?\s+SET\s+"?last_login"?\s*=\s*%s\s+WHERE'
    r'|INSERT\s+INTO\s+"?accounts_historicaluser"?\s)',  # the office's history of a login
    re.IGNORECASE,
)
# The resident tabs whose pages are kept (URL namespaces), and the pages outside them.
NAMESPACES = frozenset(
    {
        "premises",
        "finance",
        "meters",
        "failures",
        "correspondence",
        "community",
        "documents",
        "accounts",
    }
)
URL_NAMES = frozenset({"home", "about"})


def new_generation() -> None:
    """Make every kept page old (the database has changed)."""
    cache.set(GENERATION_KEY, secrets.token_hex(8), None)


def _is_shown_write(sql: str) -> bool:
    return not _READ_ONLY.match(sql) and not _NOT_SHOWN.match(sql)


def watch_writes(execute, sql, params, many, context):
    """Execute wrapper: a write makes the kept pages old once it is committed."""
    result = execute(sql, params, many, context)
    if _is_shown_write(sql):
        db = context["connection"]
        if not db.in_atomic_block:
            new_generation()
        elif not _writes_pending(db):
            db.on_commit(new_generation)
    return result


def _writes_pending(db) -> bool:
    """Whether ``db``'s open transaction has written (its commit will set a new generation)."""
    return any(func is new_generation for _sids, func, _robust in db.run_on_commit)


def install(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: watch the new connection's writes."""
    if settings.PAGE_CACHE and watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch_writes)


def _key(request) -> str:
    session = request.session
    data = sorted(session.items(), key=itemgetter(0))
    parts = (
        str(request.user.pk),
        session.session_key or "",
        repr(data),
        request.META.get("CSRF_COOKIE", ""),
        translation.get_language() or "",
        timezone.localdate().isoformat(),
        request.get_full_path(),
    )
    digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()
    return f"strefa:pages:{request.user.pk}:{digest}"


def _applies(request) -> bool:
    match = request.resolver_match
    return (
        request.method == "GET"
        and match is not None
        and (match.namespace in NAMESPACES or (not match.namespace and match.url_name in URL_NAMES))
        and request.user.is_authenticated
        and not _writes_pending(connection)
        and not len(getattr(request, "_messages", ()))
    )


class PageCacheMiddleware:
    """Serves a kept page, or keeps the page just rendered (last in ``MIDDLEWARE``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        pending = getattr(request, "_page_cache", None)
        if pending is not None and self._keepable(request, response):
            key, generation, _csrf = pending
            if cache.get(GENERATION_KEY) == generation and not _writes_pending(connection):
                cache.set(
                    key,
                    (generation, response.status_code, list(response.items()), response.content),
                    settings.PAGE_CACHE_SECONDS,
                )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.PAGE_CACHE or not _applies(request):
            return None
        key = _key(request)
        found = cache.get_many([GENERATION_KEY, key])
        generation = found.get(GENERATION_KEY)
        if generation is None:
            cache.add(GENERATION_KEY, secrets.token_hex(8), None)
            generation = cache.get(GENERATION_KEY)
            if generation is None:  # the cache is down: render, keep nothing
                return None
        kept = found.get(key)
        if kept is not None and kept[0] == generation:
            _generation, status, headers, content = kept
            return HttpResponse(content, status=status, headers=dict(headers))
        request._page_cache = (key, generation, request.META.get("CSRF_COOKIE", ""))
        return None

    @staticmethod
    def _keepable(request, response) -> bool:
        return (
            # A page that made a new CSRF cookie or changed the session is another key's page.
            request.META.get("CSRF_COOKIE", "") == request._page_cache[2] != ""
            and not request.session.modified
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            and response.get("Content-Type", "").startswith("text/html")
        )
