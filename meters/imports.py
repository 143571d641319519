"""Parsing the office's files of remote readings: only the row parser of Liczniki.

The file is read by the shared pipeline (``lib.imports``): CSV (semicolon or comma; UTF-8,
Windows-1250 or 852; any line endings) or XLSX. Expected header: ``numer_licznika;
data_odczytu;stan`` (dates ``RRRR-MM-DD`` or ``DD.MM.RRRR``, with or without the time of the
reading; decimal comma or point). A value must fit the reading's field (no exponents such as
``1e309``, no 40-digit numbers). Checks that need the database live in ``services``.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from lib.imports import FileError, RowError, parse_day, parse_decimal, read_table

from .models import VALUE_DECIMAL_PLACES, VALUE_MAX_DIGITS

MAX_ROWS = 100_000
ALIASES = {
    "numer_licznika": "numer_licznika",
    "numer licznika": "numer_licznika",
    "numer fabryczny": "numer_licznika",
    "nr licznika": "numer_licznika",
    "nr fabryczny": "numer_licznika",
    "numer seryjny": "numer_licznika",
    "licznik": "numer_licznika",
    "numer": "numer_licznika",
    "data_odczytu": "data_odczytu",
    "data odczytu": "data_odczytu",
    "data": "data_odczytu",
    "stan": "stan",
    "stan licznika": "stan",
    "wartosc": "stan",
    "wartość": "stan",
    "odczyt": "stan",
    "wskazanie": "stan",
}
REQUIRED = ("numer_licznika", "data_odczytu", "stan")


@dataclass
class ImportRow:
    line: int
    serial: str
    read_on: datetime.date | None = None
    value: Decimal | None = None
    error: str = ""
    skip: bool = False
    meter: object = None
    premises_id: int | None = None  # the meter is sought only there (the API names premises)


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


def serial_key(serial: str) -> str:
    """A serial of digits without its leading zeros, which Excel drops from a number cell
    ("00012345" is 12345); any other serial as written. Compares a file's serial with the
    meters' when no meter has it exactly as written."""
    serial = serial.strip()
    if serial.isdigit():
        return serial.lstrip("0") or "0"
    return serial


def _parse_date(text: str) -> datetime.date | None:
    # Remote-reading systems export the moment of the reading: its day is the reading's date.
    return parse_day(text)


def parse_readings(content: bytes) -> ImportReport:
    report = ImportReport()
    try:
        table = read_table(content, aliases=ALIASES, required=REQUIRED, max_rows=MAX_ROWS)
    except FileError as error:
        if error.message.startswith(str(_("Brak wymaganych kolumn"))):
            report.file_error = str(
                _("Pierwszy wiersz musi zawierać kolumny: numer_licznika; data_odczytu; stan.")
            )
        else:
            report.file_error = error.message
        return report
    report.rows = [_parse_row(row.line, row.cells) for row in table.rows]
    if not report.rows:
        report.file_error = str(_("Plik nie zawiera żadnych odczytów."))
    return report


def _parse_row(line: int, cells: dict[str, str]) -> ImportRow:
    row = ImportRow(line=line, serial=cells.get("numer_licznika", "")[:100])
    row.read_on = _parse_date(cells.get("data_odczytu", ""))
    if not row.serial:
        row.error = RowError("meter_missing", _("Brak numeru licznika."))
    elif row.read_on is None:
        row.error = RowError(
            "invalid_date",
            _("Nieprawidłowa data „%(text)s” (RRRR-MM-DD lub DD.MM.RRRR).")
            % {"text": cells.get("data_odczytu", "")[:40]},
        )
    else:
        try:
            row.value = parse_decimal(
                cells.get("stan", ""),
                max_digits=VALUE_MAX_DIGITS,
                decimal_places=VALUE_DECIMAL_PLACES,
                label=str(_("Stan licznika")),
                allow_negative=False,
            )
        except ValueError as error:
            row.error = str(error)
    return row
