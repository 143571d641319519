"""Parsing the office's CSV files of readings (semicolon or comma separated, UTF-8 or CP1250).

Expected header: ``numer_licznika;data_odczytu;stan`` (dates ``RRRR-MM-DD`` or ``DD.MM.RRRR``,
decimal comma or point). Checks that need the database live in ``services``.
"""

import csv
import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

MAX_ROWS = 5000
COLUMNS = {
    "serial": ("numer_licznika", "numer licznika", "numer fabryczny", "numer"),
    "read_on": ("data_odczytu", "data odczytu", "data"),
    "value": ("stan", "stan licznika", "wartosc", "wartość"),
}


@dataclass
class ImportRow:
    line: int
    serial: str
    read_on: datetime.date | None = None
    value: Decimal | None = None
    error: str = ""
    skip: bool = False
    meter: object = None


@dataclass
class ImportReport:
    rows: list[ImportRow] = field(default_factory=list)
    file_error: str = ""
    applied: bool = False

    @property
    def has_errors(self) -> bool:
        return bool(self.file_error) or any(row.error for row in self.rows)

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if row.error)

    @property
    def new_count(self) -> int:
        return sum(1 for row in self.rows if not row.error and not row.skip)


def decode_upload(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1250", errors="replace")


def _parse_date(text: str) -> datetime.date | None:
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _parse_value(text: str) -> Decimal | None:
    cleaned = text.replace(" ", "").replace("\xa0", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _column_map(header: list[str]) -> dict[str, int] | None:
    names = [name.strip().lower() for name in header]
    mapping = {}
    for key, aliases in COLUMNS.items():
        for index, name in enumerate(names):
            if name in aliases:
                mapping[key] = index
                break
        else:
            return None
    return mapping


def parse_readings_csv(text: str) -> ImportReport:
    report = ImportReport()
    lines = text.splitlines()
    if not lines or not text.strip():
        report.file_error = str(_("Plik jest pusty."))
        return report
    delimiter = ";" if lines[0].count(";") >= lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
        mapping = _column_map(header)
        if mapping is None:
            report.file_error = str(
                _("Pierwszy wiersz musi zawierać kolumny: numer_licznika; data_odczytu; stan.")
            )
            return report
        for line, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(report.rows) >= MAX_ROWS:
                report.file_error = str(
                    _("Plik ma więcej niż %(max)d wierszy; podziel go na części.")
                    % {"max": MAX_ROWS}
                )
                return report
            report.rows.append(_parse_row(line, cells, mapping))
    except csv.Error:
        report.file_error = str(_("Nie udało się odczytać pliku CSV."))
        return report
    if not report.rows:
        report.file_error = str(_("Plik nie zawiera żadnych odczytów."))
    return report


def _parse_row(line: int, cells: list[str], mapping: dict[str, int]) -> ImportRow:
    def cell(key: str) -> str:
        index = mapping[key]
        return cells[index].strip() if index < len(cells) else ""

    row = ImportRow(line=line, serial=cell("serial"))
    row.read_on = _parse_date(cell("read_on"))
    row.value = _parse_value(cell("value"))
    if not row.serial:
        row.error = str(_("Brak numeru licznika."))
    elif row.read_on is None:
        row.error = str(_("Nieprawidłowa data „%(text)s” (RRRR-MM-DD lub DD.MM.RRRR).")) % {
            "text": cell("read_on")
        }
    elif row.value is None:
        row.error = str(_("Nieprawidłowy stan licznika „%(text)s”.")) % {"text": cell("value")}
    return row
