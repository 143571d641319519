"""Storing an uploaded import file and claiming it once, when the import is applied."""

import datetime
import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import StoredUpload

UPLOAD_MAX_AGE = datetime.timedelta(hours=2)


class UploadGone(Exception):
    """The token is unknown, expired, someone else's or already applied (Polish message)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def upload_store(*, kind: str, file_name: str, content: bytes, user, community=None):
    """Keep a file for its preview; old uploads of the user are dropped on the way."""
    StoredUpload.objects.filter(
        created_by=user, created_at__lt=timezone.now() - UPLOAD_MAX_AGE
    ).delete()
    return StoredUpload.objects.create(
        kind=kind,
        file_name=file_name[:255],
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        created_by=user,
        community=community,
    )


def upload_claim(*, token: str, kind: str, user) -> StoredUpload:
    """The upload behind ``token``, locked and marked used; call inside the apply transaction.

    A second confirmation of the same preview (a double click, two tabs) waits for the first
    one's lock and then finds the upload used: it adds nothing.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("upload_claim must run inside the transaction that applies the file")
    try:
        upload = (
            StoredUpload.objects.select_for_update()
            .only("pk", "kind", "created_by_id", "created_at", "used_at")
            .get(token=token, kind=kind, created_by=user)
        )
    except (StoredUpload.DoesNotExist, ValidationError, ValueError, TypeError):
        raise UploadGone(
            _("Podgląd wygasł lub jest nieprawidłowy; wczytaj plik ponownie.")
        ) from None
    if upload.used_at is not None:
        raise UploadGone(_("Ten import został już zatwierdzony; nic nie dodano ponownie."))
    if upload.created_at < timezone.now() - UPLOAD_MAX_AGE:
        raise UploadGone(_("Podgląd wygasł lub jest nieprawidłowy; wczytaj plik ponownie."))
    # Claimed by an UPDATE guarded by used_at: even without row locks (SQLite) only one
    # transaction changes the row.
    claimed = StoredUpload.objects.filter(pk=upload.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if not claimed:
        raise UploadGone(_("Ten import został już zatwierdzony; nic nie dodano ponownie."))
    return StoredUpload.objects.get(pk=upload.pk)


def upload_peek(*, token: str, kind: str, user) -> StoredUpload | None:
    """The unused upload behind ``token`` (for showing a preview again), or None."""
    try:
        return StoredUpload.objects.get(
            token=token, kind=kind, created_by=user, used_at__isnull=True
        )
    except (StoredUpload.DoesNotExist, ValidationError, ValueError, TypeError):
        return None


def upload_plan_save(*, upload: StoredUpload, plan: dict) -> None:
    """Keep what the preview promised (e.g. the logins it showed) for applying the upload."""
    StoredUpload.objects.filter(pk=upload.pk, used_at__isnull=True).update(plan=plan)
    upload.plan = plan
