"""Reading office files into rows: the app-independent half of every import.

Every import in Strefa (register, charges, bank statements, readings) reads its file here:
the encoding is recognised (UTF-8 with or without BOM, UTF-16 of Excel's "Unicode text",
Windows-1250, ISO-8859-2, DOS code page 852), line endings of any kind are accepted (CRLF, LF,
the bare CR of "CSV (Macintosh)"), the delimiter is sniffed (``;`` of Polish Excel, ``,``, tab),
XLSX is read with openpyxl, header names are folded (case, Polish letters, spaces) and mapped
through each domain's aliases, and every problem is a :class:`FileError` with a Polish message;
nothing here raises anything else on a bad file.
Each domain then parses its own rows (``finance.imports``, ``meters.imports``, …).
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
MAX_CELL_CHARS = 128 * 1024  # csv's default field limit; a longer cell is a file error
HEADER_SEARCH_LINES = 40  # banks put a preamble (account, period) before the header

POLISH_LETTERS = "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ"
# 0xFF in cp1250 is "˙"; banks pad fixed-width title lines with it (and with NBSP in cp852).
_PLACEHOLDERS = dict.fromkeys(map(ord, "\u02d9\u00ff\ufffd"), None)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class FileError(Exception):
    """The file as a whole cannot be read; ``message`` is Polish and shown to the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class RowError(str):
    """The Polish message of a bad row that also carries a machine-readable ``code``.

    It is a ``str``: shown, joined and compared as before; the integration API returns the
    code with the message (the table of codes: ``api.errors.ERROR_CODES``).
    """

    code: str = "invalid"

    def __new__(cls, code: str, message) -> RowError:
        error = super().__new__(cls, str(message))
        error.code = code
        return error

    def __reduce__(self):
        return (RowError, (self.code, str(self)))


class RowValueError(ValueError):
    """A cell that does not parse; ``str(error)`` is its :class:`RowError` (code kept)."""

    def __init__(self, code: str, message):
        super().__init__(str(message))
        self.row_error = RowError(code, message)

    def __str__(self):
        return self.row_error


@dataclass
class Row:
    line: int
    cells: dict[str, str]
    extra: list[str] = field(default_factory=list)  # cells under no (or an unknown) header
    width: int = 0


@dataclass
class Table:
    columns: list[str]  # canonical names (an unknown header keeps its folded name)
    header: list[str]  # as written in the file
    rows: list[Row]
    encoding: str = ""
    delimiter: str = ""
    preamble: list[str] = field(default_factory=list)  # lines above the header


# --- Text -----------------------------------------------------------------------------------


def fold(value: str) -> str:
    """A header or label folded for comparison: lower case, no Polish letters, ``_`` for gaps."""
    value = str(value).strip().lstrip("#\ufeff").strip().lower().replace("ł", "l")
    value = unicodedata.normalize("NFKD", value)
    value = "".join(ch for ch in value if not unicodedata.combining(ch))
    value = re.sub(r"[^\w./]+", "_", value)
    return value.strip("_")


def clean_text(value: str) -> str:
    """Bank text without 0xFF placeholders, control characters and repeated spaces."""
    value = _CONTROL.sub(" ", str(value).translate(_PLACEHOLDERS)).replace("\xa0", " ")
    return " ".join(value.split())


def _polish_score(text: str) -> int:
    letters = sum(text.count(ch) for ch in POLISH_LETTERS)
    # Box-drawing, symbols and C1 controls are what the wrong code page turns Polish
    # letters into (cp1250's ś read as ISO-8859-2 is U+009C, ISO's ą read as cp1250 is ±).
    noise = sum(
        1
        for ch in text
        if 0x2500 <= ord(ch) <= 0x25FF or 0x80 <= ord(ch) <= 0x9F or ch in "¤¦§¨©«¬®°±´µ¶·¸»¼½¾"
    )
    return letters - 2 * noise


def _utf16(content: bytes) -> str:
    """``"utf-16"`` for Excel's "Unicode text" (BOM, or ASCII with every other byte NUL)."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    head = content[:4096]
    if len(head) >= 4 and len(head) % 2 == 0:
        if head[1::2].count(0) > 0.8 * (len(head) // 2) and 0 not in head[0::2]:
            return "utf-16-le"
        if head[0::2].count(0) > 0.8 * (len(head) // 2) and 0 not in head[1::2]:
            return "utf-16-be"
    return ""


def decode(content: bytes) -> tuple[str, str]:
    """The text of a file and the encoding recognised: UTF-8 (BOM or not), UTF-16 (Excel's
    "Unicode text"), cp1250, ISO-8859-2 or cp852."""
    encoding = _utf16(content)
    if encoding:
        try:
            return content.decode(encoding).lstrip("\ufeff"), encoding
        except UnicodeDecodeError:
            raise FileError(
                _("Nie można odczytać pliku: zapisz go w kodowaniu UTF-8 lub Windows-1250.")
            ) from None
    if content.startswith(b"\xef\xbb\xbf"):
        try:
            return content[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            pass
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    candidates = []
    # On a tie (no ą, ś, ź: the only letters whose bytes differ) cp1250 is the likelier.
    for preference, encoding in enumerate(("cp852", "iso-8859-2", "cp1250")):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        candidates.append((_polish_score(text), preference, text, encoding))
    if not candidates:
        raise FileError(
            _("Nie można odczytać pliku: zapisz go w kodowaniu UTF-8 lub Windows-1250.")
        )
    _score, _preference, text, encoding = max(candidates)
    return text, encoding


def split_lines(text: str) -> list[str]:
    """Lines of a text with CRLF, LF or bare CR endings."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def sniff_delimiter(lines: Iterable[str]) -> str:
    """The delimiter used most consistently in the first lines (``;`` wins ties)."""
    sample = [line for line in lines if line.strip()][:20]
    best, best_score = ";", -1
    for delimiter in (";", ",", "\t", "|"):
        counts = [_count_outside_quotes(line, delimiter) for line in sample]
        if not counts or max(counts) == 0:
            continue
        # Lines holding the most common count; a preamble line may have none.
        common = max(set(counts), key=counts.count)
        score = counts.count(common) * 1000 + common if common else 0
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == delimiter and not quoted:
            count += 1
    return count


# --- Numbers --------------------------------------------------------------------------------


def parse_decimal(
    value: str,
    *,
    max_digits: int,
    decimal_places: int,
    label: str,
    allow_negative=True,
    code: str = "invalid_value",
) -> Decimal:
    """``"1 234,56"`` / ``"1234.56"`` as a Decimal that fits ``max_digits``/``decimal_places``.

    Exponents (``1e309``), infinities and 40-digit numbers are refused with a Polish message
    instead of reaching the database.
    """
    text = str(value).strip().replace("\xa0", "").replace(" ", "").replace("'", "")
    text = re.sub(r"(zł|zl|pln)$", "", text, flags=re.I)
    if "," in text and "." in text:
        text = text.replace(".", "").replace(",", ".")  # 1.234,56
    else:
        text = text.replace(",", ".")
    sign = "-?" if allow_negative else ""
    if not re.fullmatch(rf"[+]?{sign}\d+(\.\d+)?", text):
        raise RowValueError(
            code, _("%(label)s: „%(value)s” nie jest liczbą.") % {"label": label, "value": value}
        )
    try:
        number = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern above rules it out
        raise RowValueError(
            code, _("%(label)s: „%(value)s” nie jest liczbą.") % {"label": label, "value": value}
        ) from None
    places = -number.as_tuple().exponent if number.as_tuple().exponent < 0 else 0
    if places > decimal_places:
        if number != number.quantize(Decimal(1).scaleb(-decimal_places)):
            raise RowValueError(
                code,
                _("%(label)s: „%(value)s” ma za dużo miejsc po przecinku (najwyżej %(places)d).")
                % {"label": label, "value": value, "places": decimal_places},
            )
        number = number.quantize(Decimal(1).scaleb(-decimal_places))
    if abs(number) >= Decimal(10) ** (max_digits - decimal_places):
        raise RowValueError(
            code, _("%(label)s: „%(value)s” jest za duża.") % {"label": label, "value": value}
        )
    return number


# --- Dates ----------------------------------------------------------------------------------

EXCEL_EPOCH = datetime.date(1899, 12, 30)
EXCEL_SERIALS = range(32874, 73051)  # 1990-01-01 … 2099-12-31 as Excel's day numbers
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%Y", "%Y.%m.%d", "%Y/%m/%d")
_TIME = re.compile(r"\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")


def parse_day(value) -> datetime.date | None:
    """The calendar day of a cell as the office's files and the API write it, or None.

    ``31.05.2025``, ``2025-05-31``, ``31-05-2025``, ``31/05/2025``, ``2025.05.31``, with or
    without the time (``2025-05-31 06:00``, ISO's ``2025-05-31T06:00:00Z``: the day is the
    one written), and Excel's day number of a date cell saved as "General" (``45808``).
    The one date rule of the register, readings and charges imports.
    """
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value or "").strip()
    day, _sep, time = text.replace("T", " ", 1).partition(" ")
    if time and not _TIME.fullmatch(time.strip()):
        return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(day, fmt).date()  # noqa: DTZ007 (a calendar date)
        except ValueError:
            continue
    if day.isascii() and day.isdigit() and int(day) in EXCEL_SERIALS and not time:
        return EXCEL_EPOCH + datetime.timedelta(days=int(day))
    return None


# --- Tables ---------------------------------------------------------------------------------


def is_xlsx(content: bytes) -> bool:
    return content[:4] == b"PK\x03\x04"


def _xlsx_sheets(content: bytes, max_rows: int) -> Iterator[list[list[str]]]:
    """The cells of the visible sheets: first the one open when the file was saved.

    A system's export may keep its lookup tables on a hidden first sheet or put a cover
    sheet before the table; hidden sheets are never read.
    """
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise FileError(_("Nie można odczytać pliku XLSX; zapisz go ponownie w Excelu.")) from None
    try:
        try:
            active = book.active
        except Exception:  # an index of a missing sheet in a damaged workbook.xml
            active = None
        sheets = [sheet for sheet in book.worksheets if sheet.sheet_state == "visible"]
        sheets.sort(key=lambda sheet: sheet is not active)
        if not sheets:
            raise FileError(_("Arkusz XLSX nie ma żadnej widocznej karty z danymi."))
        for sheet in sheets:
            yield _xlsx_lines(sheet, max_rows)
    finally:
        book.close()


# A cell's formula tag, with or without a namespace prefix (<f>, <x:f t="shared" …/>).
_XLSX_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_XLSX_RECOMPUTE = re.compile(rb"<(?:\w+:)?calcPr\b[^>]*\bfullCalcOnLoad=\"(?:1|true)\"")


def _xlsx_unsaved_formula(sheet) -> str:
    """The first cell of ``sheet`` whose formula has no saved result, or "".

    A workbook written by a script (openpyxl, XlsxWriter) and never opened in Excel keeps
    formulas without their results, or with 0 and a request to recompute on opening: read
    as values, such a cell is empty or 0, not what Excel shows. Excel and LibreOffice save
    every result. Only a sheet that has formulas at all is parsed a second time.
    """
    archive = getattr(sheet.parent, "_archive", None)
    path = getattr(sheet, "_worksheet_path", None)
    if archive is None or path is None:
        return ""
    with archive.open(path) as stream:
        tail = b""
        while chunk := stream.read(1 << 20):
            if _XLSX_FORMULA_TAG.search(tail + chunk):
                break
            tail = chunk[-16:]
        else:
            return ""
    try:
        recompute = bool(_XLSX_RECOMPUTE.search(archive.read("xl/workbook.xml")))
    except KeyError:
        recompute = False
    # openpyxl's own parser (defusedxml's where installed): the sheet is read no other way.
    from openpyxl.xml.functions import iterparse

    with archive.open(path) as stream:
        for _event, element in iterparse(stream):  # noqa: S314 (as openpyxl reads it)
            if element.tag.rpartition("}")[2] != "c":
                continue
            formula = value = None
            for child in element:
                name = child.tag.rpartition("}")[2]
                if name == "f":
                    formula = child
                elif name == "v":
                    value = child.text
            if formula is not None and (
                recompute or (not value and element.get("t") not in ("str", "inlineStr"))
            ):
                return element.get("r", "")
            element.clear()
    return ""


def _xlsx_lines(sheet, max_rows: int) -> list[list[str]]:
    try:
        cell = _xlsx_unsaved_formula(sheet)
    except Exception:  # a damaged sheet: openpyxl's own reading below says so
        cell = ""
    if cell:
        row = re.sub(r"^[A-Z]+", "", cell)
        raise FileError(
            _(
                "Komórka %(cell)s (wiersz %(row)s) zawiera formułę bez zapisanej wartości – "
                "otwórz plik w Excelu lub LibreOffice i zapisz go ponownie, a potem wczytaj."
            )
            % {"cell": cell, "row": row}
        )
    result, filled = [], 0
    try:
        for values in sheet.iter_rows(values_only=True):
            line = [_xlsx_text(value) for value in values]
            if any(cell.strip() for cell in line):
                filled += 1
                if filled > max_rows + HEADER_SEARCH_LINES:
                    raise FileError(
                        _("Plik ma więcej niż %(max)d wierszy; podziel go na części.")
                        % {"max": max_rows}
                    )
            result.append(line)
    except FileError:
        raise
    except Exception:  # openpyxl raises many kinds of errors on a damaged sheet
        raise FileError(_("Nie można odczytać pliku XLSX; zapisz go ponownie w Excelu.")) from None
    return result


def _xlsx_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        # A date cell is a datetime at midnight (a ``time`` is never falsy, so compare).
        if value.time() == datetime.time(0):
            return value.strftime("%Y-%m-%d")
        return value.isoformat(" ")
    if isinstance(value, datetime.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float):
        # What Excel shows: 15 significant digits. Its XML keeps the float's binary tail
        # (=0,1+0,2 is saved as 0.30000000000000004), which no amount or share may carry.
        value = float(f"{value:.15g}")
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    return str(value)


def _csv_lines(text: str, delimiter: str) -> list[list[str]]:
    lines = split_lines(text)
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter, strict=False)
    result = []
    try:
        for values in reader:
            result.append(values)
    except csv.Error:
        line = reader.line_num
        raise FileError(
            _(
                "Wiersz %(line)d: pole jest za długie (ponad 128 KiB) albo cudzysłów nie jest "
                "zamknięty. Popraw plik i wczytaj go ponownie."
            )
            % {"line": line}
        ) from None
    return result


def read_grid(
    content: bytes, *, max_rows: int = MAX_ROWS, max_bytes: int = MAX_FILE_BYTES
) -> tuple[list[list[str]], str, str]:
    """The cells of a CSV or XLSX file as text, with the encoding and delimiter recognised.

    Of a workbook, the visible sheet that was open when it was saved.
    """
    grids = read_grids(content, max_rows=max_rows, max_bytes=max_bytes)
    try:
        return next(grids)
    finally:
        grids.close()  # the workbook is closed now, not when garbage-collected


def read_grids(
    content: bytes, *, max_rows: int = MAX_ROWS, max_bytes: int = MAX_FILE_BYTES
) -> Iterator[tuple[list[list[str]], str, str]]:
    """Like :func:`read_grid`, one grid per visible sheet of a workbook, read when asked for."""
    if not content.strip():
        raise FileError(_("Plik jest pusty."))
    if len(content) > max_bytes:
        raise FileError(
            _("Plik jest za duży (najwyżej %(mb)d MB).") % {"mb": max_bytes // (1024 * 1024)}
        )
    if is_xlsx(content):
        for lines in _xlsx_sheets(content, max_rows):
            yield lines, "xlsx", ""
        return
    if b"\x00" in content[:4096] and not _utf16(content):
        raise FileError(_("To nie jest plik tekstowy CSV ani arkusz XLSX."))
    text, encoding = decode(content)
    delimiter = sniff_delimiter(split_lines(text)[:HEADER_SEARCH_LINES])
    lines = _csv_lines(text, delimiter)
    if len(lines) > max_rows + HEADER_SEARCH_LINES:
        raise FileError(
            _("Plik ma więcej niż %(max)d wierszy; podziel go na części.") % {"max": max_rows}
        )
    for number, values in enumerate(lines, start=1):
        if any(len(value) > MAX_CELL_CHARS for value in values):
            raise FileError(
                _("Wiersz %(line)d: pole jest za długie (ponad 128 KiB).") % {"line": number}
            )
    yield lines, encoding, delimiter


def read_table(
    content: bytes,
    *,
    aliases: Mapping[str, str] | None = None,
    required: Iterable[str] = (),
    max_rows: int = MAX_ROWS,
    max_bytes: int = MAX_FILE_BYTES,
    header_hint: Iterable[Iterable[str]] = (),
    header_missing: str = "",
    labels: Mapping[str, str] | None = None,
) -> Table:
    """The rows of a CSV or XLSX file keyed by canonical column names.

    ``aliases`` maps folded header names (see :func:`fold`) to canonical ones; ``required``
    canonical columns must all be present. The header is the first of the top lines that has
    every required column (banks write a preamble above it). When ``required`` is empty,
    ``header_hint`` is a list of column groups: the header is the first line with a column of
    every group (a bank's summary block above the table, e.g. mBank's "Waluta; Wpływy;
    Wydatki", names only some of them). ``header_missing`` is the message when no line is one;
    with ``required`` it may name the missing ``%(columns)s``, shown by their ``labels``.
    """
    aliases = {fold(key): value for key, value in (aliases or {}).items()}
    order = list(dict.fromkeys(required))
    required = set(order)
    hint = [set(group) for group in header_hint]

    def canonical(name: str) -> str:
        key = fold(name)
        return aliases.get(key, key)

    def find_header(lines) -> int | None:
        for index, values in enumerate(lines[:HEADER_SEARCH_LINES]):
            names = {canonical(v) for v in values if str(v).strip()}
            if not names:
                continue
            if required and required <= names:
                return index
            if not required and all(names & group for group in hint):
                return index
        return None

    first_grid, header_index = None, None
    grids = read_grids(content, max_rows=max_rows, max_bytes=max_bytes)
    try:
        for grid in grids:
            first_grid = first_grid or grid
            header_index = find_header(grid[0])
            if header_index is not None:
                break
    finally:
        grids.close()
    lines, encoding, delimiter = grid if header_index is not None else first_grid
    if header_index is None:
        if header_missing and not required:
            raise FileError(header_missing)
        first = next((values for values in lines if any(str(v).strip() for v in values)), [])
        names = {canonical(v) for v in first}
        missing = [str((labels or {}).get(name, name)) for name in order if name not in names]
        message = header_missing or _(
            "Brak wymaganych kolumn: %(columns)s. Pierwszy wiersz tabeli to nagłówek."
        )
        raise FileError(message % {"columns": ", ".join(missing)})
    header = [str(v).strip().lstrip("#").strip() for v in lines[header_index]]
    columns = [canonical(name) if name else "" for name in header]
    while columns and not columns[-1]:
        columns.pop()
    rows = []
    for offset, values in enumerate(lines[header_index + 1 :], start=header_index + 2):
        if not any(str(v).strip() for v in values):
            continue
        if len(rows) >= max_rows:
            raise FileError(
                _("Plik ma więcej niż %(max)d wierszy; podziel go na części.") % {"max": max_rows}
            )
        cells = dict.fromkeys((c for c in columns if c), "")
        extra = []
        for index, value in enumerate(values):
            value = str(value).strip()
            if len(value) > MAX_CELL_CHARS:
                raise FileError(
                    _("Wiersz %(line)d: pole jest za długie (ponad 128 KiB).") % {"line": offset}
                )
            name = columns[index] if index < len(columns) else ""
            if name and not cells.get(name):
                cells[name] = value
            elif value:
                extra.append(value)
        width = len(values)
        while width and not str(values[width - 1]).strip():
            width -= 1
        rows.append(Row(line=offset, cells=cells, extra=extra, width=width))
    preamble = [(delimiter or " ").join(str(v) for v in values) for values in lines[:header_index]]
    return Table(
        columns=columns,
        header=header,
        rows=rows,
        encoding=encoding,
        delimiter=delimiter,
        preamble=preamble,
    )
