"""Logins for the register: 8 digits, easy to read over the phone and never reused.

Part of the register layer (it needs only the user model), so the register import in
``premises`` and the admin in ``accounts`` share it without ``premises`` importing a tab.
"""

import secrets

from .models import User

_LOGIN_QUERY_CHUNK = 5000


def logins_generate(count: int, *, exclude=()) -> list[str]:
    """``count`` new unique logins: 8 digits, easy to read over the phone and never reused.

    Candidates are drawn at random and checked against the existing logins in one query per
    5 000 (a login is taken only once among 90 million, so a second round is rare); none of
    them is in ``exclude`` (logins already promised elsewhere, e.g. in an import's preview).
    """
    taken = set(exclude)
    logins: list[str] = []
    while len(logins) < count:
        candidates: list[str] = []
        seen: set[str] = set()
        while len(candidates) < count - len(logins):
            login = f"{secrets.randbelow(90_000_000) + 10_000_000}"
            if login not in taken and login not in seen:
                seen.add(login)
                candidates.append(login)
        existing = set()
        for start in range(0, len(candidates), _LOGIN_QUERY_CHUNK):
            chunk = candidates[start : start + _LOGIN_QUERY_CHUNK]
            existing.update(
                User.objects.filter(username__in=chunk).values_list("username", flat=True)
            )
        for login in candidates:
            taken.add(login)
            if login not in existing:
                logins.append(login)
    return logins


def login_generate() -> str:
    """A new unique login: 8 digits, easy to read over the phone and never reused."""
    return logins_generate(1)[0]
