"""Checks that an uploaded document is what its name claims (office uploads, not residents')."""

import os

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_DOCUMENT_SIZE = 20 * 1024 * 1024

# Extension → the bytes a real file of that kind starts with.
_ZIP = (b"PK\x03\x04",)
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF-",),
    ".docx": _ZIP,
    ".xlsx": _ZIP,
    ".odt": _ZIP,
    ".ods": _ZIP,
    ".doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    ".xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}


def _head(file, length: int = 8) -> bytes:
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(length)
    file.seek(position)
    return head


def validate_document_file(file) -> None:
    """PDF, office documents or images only; the content must match the extension."""
    if getattr(file, "_committed", False):
        return  # already stored: it was checked when it was uploaded
    ext = os.path.splitext(file.name)[1].lower()
    if ext not in SIGNATURES:
        raise ValidationError(
            _("Nieobsługiwany rodzaj pliku. Dozwolone: PDF, DOC(X), XLS(X), ODT, ODS, JPG, PNG."),
            code="file_type",
        )
    if file.size is not None and file.size > MAX_DOCUMENT_SIZE:
        raise ValidationError(_("Plik jest za duży (najwyżej 20 MB)."), code="file_size")
    if not _head(file).startswith(SIGNATURES[ext]):
        raise ValidationError(
            _("Zawartość pliku nie odpowiada jego rozszerzeniu (%(ext)s)."),
            code="file_content",
            params={"ext": ext},
        )


def validate_pdf_file(file) -> None:
    if os.path.splitext(file.name)[1].lower() != ".pdf":
        raise ValidationError(_("Wymagany jest plik PDF."), code="file_type")
    validate_document_file(file)
