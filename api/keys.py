"""Making and checking API keys (the secret itself is never stored)."""

import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone

from office.roles import is_office_admin

from .models import ApiKey

PREFIX_BYTES = 6  # 12 hex characters, shown in admin to tell keys apart
SECRET_BYTES = 40


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_key_create(*, name: str, communities, access: str, created_by) -> tuple[ApiKey, str]:
    """A new key and its full text, which is shown once and never again."""
    prefix = secrets.token_hex(PREFIX_BYTES)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    key = ApiKey.objects.create(
        name=name, prefix=prefix, secret_hash=_hash(secret), access=access, created_by=created_by
    )
    key.communities.set(communities)
    return key, f"{prefix}.{secret}"


def api_key_issue(*, key: ApiKey) -> str:
    """Give an unsaved key (built by the admin form) its prefix and secret; returns the text."""
    key.prefix = secrets.token_hex(PREFIX_BYTES)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    key.secret_hash = _hash(secret)
    return f"{key.prefix}.{secret}"


@transaction.atomic
def api_key_revoke(*, key: ApiKey) -> ApiKey:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


def api_key_check(text: str) -> ApiKey | None:
    """The live key behind ``text`` or None (unknown, wrong secret, expired, revoked, or its
    creator no longer an active office administrator)."""
    prefix, dot, secret = text.partition(".")
    if not dot or not prefix or not secret or len(prefix) > 16:
        return None
    key = ApiKey.objects.select_related("created_by").filter(prefix=prefix).first()
    if key is None or not hmac.compare_digest(key.secret_hash, _hash(secret)):
        return None
    if key.revoked_at is not None or api_key_expired(key=key):
        return None
    # The key acts for its creator: once they are no office administrator (or no longer
    # active), neither is the key.
    if not is_office_admin(key.created_by):
        return None
    return key


def api_key_expired(*, key: ApiKey, today=None) -> bool:
    """Past its last valid day (``expires_on``, inclusive, in the office's time zone)."""
    today = today or timezone.localdate()
    return key.expires_on is not None and key.expires_on < today


def api_key_touch(*, key: ApiKey) -> None:
    """Record the last use, at most once a minute (no write per request under load)."""
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now


def community_ids(key: ApiKey) -> list[int]:
    cached = getattr(key, "_community_ids", None)
    if cached is None:
        cached = sorted(key.communities.values_list("pk", flat=True))
        key._community_ids = cached
    return cached
