"""Private files: unguessable storage names and serving only through access-checked views."""

import contextlib
import logging
import mimetypes
import os
import uuid
from collections.abc import Iterator
from urllib.parse import quote

from django.apps import apps
from django.db import models
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.deconstruct import deconstructible

from lib.files import ascii_file_name, safe_file_name

INLINE_TYPES = {"image/jpeg", "image/png", "image/webp"}

logger = logging.getLogger(__name__)


@deconstructible
class PrivateUploadTo:
    """``upload_to``: ``<prefix>/<yyyy>/<uuid4><ext>``, never the user's own file name."""

    def __init__(self, prefix: str):
        self.prefix = prefix

    def __call__(self, instance, filename: str) -> str:
        ext = os.path.splitext(filename)[1].lower()[:10]
        return f"{self.prefix}/{timezone.now():%Y}/{uuid.uuid4().hex}{ext}"

    def __eq__(self, other):
        return isinstance(other, PrivateUploadTo) and other.prefix == self.prefix

    def __hash__(self):
        return hash(self.prefix)


def content_disposition(name: str, *, inline: bool = False) -> str:
    """RFC 6266: an ASCII ``filename`` for old clients and the real one as ``filename*``."""
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_file_name(name)}\"; filename*=UTF-8''{quote(name)}"


def serve_file(field_file, *, download_name: str | None = None, inline: bool = False):
    """Stream a stored file. Call only after the view has scoped the owning object to the user.

    ``download_name`` is the name the person knows (the original file name or a title); it is
    sanitised and gets the stored file's extension, so a download never arrives as
    ``036a4db7….pdf`` nor as a name without its extension. ``inline`` is for images shown in
    pages; everything else downloads as an attachment.
    """
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    stored_ext = os.path.splitext(field_file.name)[1].lower()
    name = safe_file_name(download_name or "plik", extension=stored_ext)
    content_type = mimetypes.guess_type(f"x{stored_ext}")[0] or "application/octet-stream"
    if content_type not in INLINE_TYPES:
        inline = False  # only our re-encoded photos are ever shown in the browser
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = content_disposition(name, inline=inline)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


class CheckedFieldFile(FieldFile):
    """A stored file whose ``url`` is the office's access-checked view, never ``/media/…``.

    Uploads are not served publicly (``MEDIA_ROOT`` is private); Django admin links a file by
    its ``url`` (the "Obecnie:" link of a file field, read-only file fields), so every file
    field's ``url`` leads to ``office.views.admin_file``, which checks the staff member's scope.
    Resident pages link their own scoped views.
    """

    @property
    def url(self):
        self._require_file()
        if self.instance.pk is None:
            return ""
        return reverse(
            "office_admin_file",
            args=[self.instance._meta.label_lower, self.instance.pk, self.field.name],
        )


def use_checked_file_urls() -> None:
    """Give every model's file field ``CheckedFieldFile`` (called once, from PortalConfig)."""
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField) and field.attr_class is FieldFile:
                field.attr_class = CheckedFieldFile


class StoredFiles:
    """Files a write stores, so they can be deleted again if the write fails."""

    def __init__(self):
        self._stored: list[tuple[object, str]] = []

    def save(self, field_file: FieldFile, content) -> None:
        """Store ``content`` under ``field_file`` (the row is saved by the caller)."""
        field_file.save(content.name, content, save=False)
        self._stored.append((field_file.storage, field_file.name))

    def delete(self) -> None:
        for storage, name in self._stored:
            try:
                storage.delete(name)
            except Exception:  # noqa: BLE001 - the write's own error is the one to report
                logger.exception("Could not delete %s after a failed write", name)
        self._stored.clear()


@contextlib.contextmanager
def files_removed_on_error() -> Iterator[StoredFiles]:
    """Files stored in the block through the yielded ``StoredFiles`` are deleted when the block
    raises. Enter it outside the write's ``transaction.atomic()`` so a failed commit counts too:
    a row that is not saved leaves no file in storage (local disk or S3)."""
    stored = StoredFiles()
    try:
        yield stored
    except BaseException:
        stored.delete()
        raise
