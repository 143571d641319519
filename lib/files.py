"""Checks of uploaded files by their content, never by their name or declared type.

* :func:`sniff_kind` – what a file really is (PDF, JPEG, PNG, WebP, HEIC, DOCX, XLSX, ODT);
* :func:`pdf_check` – refuses PDFs with active content (JavaScript, launch actions, embedded
  files) or encryption (which would hide them), also inside compressed object streams;
* :func:`office_zip_check` – refuses DOCX/XLSX/ODT zip bombs (declared sizes and compression
  ratios, read from the archive's directory without extracting) and macros;
* :func:`safe_file_name` – an uploaded name made safe to store and to send back as a download.

Nothing here imports a Strefa app. Errors are ``ValidationError`` with Polish messages.
"""

import os
import re
import unicodedata
import zipfile
import zlib

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# --- what a file is ----------------------------------------------------------------------------

OPENDOCUMENT_TEXT = b"application/vnd.oasis.opendocument.text"


def _read_head(upload, length: int) -> bytes:
    upload.seek(0)
    head = upload.read(length)
    upload.seek(0)
    return head


def sniff_kind(upload) -> str | None:
    """``"pdf"``, ``"jpg"``, ``"png"``, ``"webp"``, ``"heic"``, ``"docx"``, ``"xlsx"``,
    ``"odt"`` from the content, or None for anything else."""
    head = _read_head(upload, 32)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp" and head[8:12] in {b"heic", b"heix", b"mif1", b"msf1", b"heim"}:
        return "heic"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
                mimetype = b""
                if "mimetype" in names and archive.getinfo("mimetype").file_size < 100:
                    mimetype = archive.read("mimetype").strip()
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError):
            return None
        finally:
            upload.seek(0)
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return "docx"
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            return "xlsx"
        if mimetype == OPENDOCUMENT_TEXT and "content.xml" in names:
            return "odt"
    return None


# --- PDF -----------------------------------------------------------------------------------------

# Names of PDF features that run something or carry other files. ``/OpenAction`` and ``/AA``
# themselves are fine (e.g. "open at page 1"); what they may run is caught by ``/JS``.
_ACTIVE_PDF = re.compile(
    rb"/(JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|ImportData|SubmitForm)(?![A-Za-z0-9])"
)
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"stream\r?\n")
_IMAGE_FILTERS = (b"/DCTDecode", b"/JPXDecode", b"/CCITTFaxDecode", b"/JBIG2Decode", b"/Image")
PDF_INFLATE_BUDGET = 64 * 1024 * 1024  # bytes of decompressed streams scanned per file


def _unescape_names(data: bytes) -> bytes:
    """``/J#61vaScript`` is ``/JavaScript`` (PDF 1.2+ name escapes)."""
    return _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)


def _pdf_parts(data: bytes):
    """The file itself, then every Flate-compressed stream but images, inflated (bounded)."""
    yield data
    budget = PDF_INFLATE_BUDGET
    for match in _STREAM.finditer(data):
        start = match.end()
        end = data.find(b"endstream", start)
        if end == -1:
            break
        dictionary = data[max(0, match.start() - 512) : match.start()]
        if b"/FlateDecode" not in dictionary or any(f in dictionary for f in _IMAGE_FILTERS):
            continue
        inflater = zlib.decompressobj()
        try:
            chunk = inflater.decompress(data[start:end], budget + 1)
        except zlib.error:
            continue
        if len(chunk) > budget:
            raise ValidationError(
                _("Nie udało się sprawdzić pliku PDF (zbyt duża zawartość po rozpakowaniu)."),
                code="pdf_too_big",
            )
        budget -= len(chunk)
        yield chunk


def pdf_check(upload) -> None:
    """Refuse a PDF that runs JavaScript, launches programs or carries embedded files."""
    data = _read_head(upload, upload.size or -1)
    if re.search(rb"/Encrypt(?![A-Za-z0-9])", _unescape_names(data)):
        raise ValidationError(
            _(
                "Plik „%(name)s” jest zaszyfrowany lub chroniony hasłem. Zapisz go bez "
                "zabezpieczeń i dołącz ponownie."
            )
            % {"name": upload.name},
            code="pdf_encrypted",
        )
    for part in _pdf_parts(data):
        if _ACTIVE_PDF.search(_unescape_names(part)):
            raise ValidationError(
                _(
                    "Plik „%(name)s” zawiera aktywną treść (skrypty, uruchamianie programów lub "
                    "osadzone pliki), więc nie możemy go przyjąć. Wydrukuj go do PDF "
                    "(„Drukuj do PDF”) i dołącz ponownie."
                )
                % {"name": upload.name},
                code="pdf_active",
            )


# --- DOCX / XLSX / ODT -----------------------------------------------------------------------

ZIP_MAX_ENTRIES = 2000
ZIP_MAX_UNCOMPRESSED = 50 * 1024 * 1024
ZIP_MAX_RATIO = 100  # uncompressed / compressed, for the archive and for any entry over 1 MB
_MACROS = re.compile(r"(^|/)(vbaProject\.bin|vbaData\.xml)$|^(Basic|Scripts)/", re.IGNORECASE)


def office_zip_check(upload) -> None:
    """Refuse an office document whose archive would inflate far beyond its size, or macros."""
    bomb = ValidationError(
        _("Plik „%(name)s” po rozpakowaniu byłby zbyt duży, więc nie możemy go przyjąć.")
        % {"name": upload.name},
        code="zip_bomb",
    )
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ValidationError(
            _("Plik „%(name)s” jest uszkodzony.") % {"name": upload.name}, code="zip_broken"
        ) from None
    finally:
        upload.seek(0)
    if len(entries) > ZIP_MAX_ENTRIES:
        raise bomb
    total = sum(entry.file_size for entry in entries)
    packed = sum(entry.compress_size for entry in entries)
    if total > ZIP_MAX_UNCOMPRESSED or total > max(packed, 1) * ZIP_MAX_RATIO:
        raise bomb
    for entry in entries:
        if entry.file_size > 1024 * 1024 and entry.file_size > ZIP_MAX_RATIO * max(
            entry.compress_size, 1
        ):
            raise bomb
        if entry.flag_bits & 0x1:
            raise ValidationError(
                _("Plik „%(name)s” jest zaszyfrowany lub chroniony hasłem.")
                % {"name": upload.name},
                code="zip_encrypted",
            )
        if _MACROS.search(entry.filename):
            raise ValidationError(
                _("Plik „%(name)s” zawiera makra, więc nie możemy go przyjąć.")
                % {"name": upload.name},
                code="macros",
            )


# --- names -------------------------------------------------------------------------------------

_UNSAFE_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*\u202a-\u202e\u2066-\u2069]+')
MAX_NAME_LENGTH = 120


def safe_file_name(name: str, *, extension: str | None = None, default: str = "plik") -> str:
    """A file name without paths, control or bidi characters, at most 120 characters.

    ``extension`` (e.g. the stored file's ``".pdf"``) is kept or added, so the download opens
    in the right program; the original extension is kept when none is given.
    """
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[\\/]", name)[-1]
    stem, ext = os.path.splitext(name)
    if extension is not None:
        if ext.lower() != extension.lower():
            stem = name  # "Uchwała 2.2026" + ".pdf": the dot was part of the title
        ext = extension
    ext = _UNSAFE_CHARS.sub("", ext.lower())[:10]
    stem = " ".join(_UNSAFE_CHARS.sub(" ", stem).split()).strip(" .") or default
    return stem[: MAX_NAME_LENGTH - len(ext)].rstrip(" .") + ext


_ASCII_FALLBACK = str.maketrans({"ł": "l", "Ł": "L", "–": "-", "—": "-", "„": '"', "”": '"'})


def ascii_file_name(name: str) -> str:
    """An ASCII stand-in of a file name for old clients (``filename=`` beside ``filename*=``)."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_ASCII_FALLBACK))
    ascii_name = decomposed.encode("ascii", "ignore").decode("ascii")
    ascii_name = re.sub(r"[^A-Za-z0-9._ ()-]+", "_", ascii_name)
    return " ".join(ascii_name.split()) or "plik"
