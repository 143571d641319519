"""CSV/XLSX cells that a spreadsheet never runs as a formula (CSV/formula injection).

A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel and LibreOffice as a formula (``=cmd|'/Ccalc'!A0``, ``=HYPERLINK(…)``); OWASP's advice is
to prefix it with an apostrophe, which the spreadsheet shows as plain text. Numbers are left as
they are, also as text such as ``-12,50`` or ``+48 601 200 300``: they cannot call anything.

django-import-export's own ``IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT`` only strips a leading
``=`` (``+cmd|…`` still runs) and turns every XLSX number into text, so Strefa's admin exports
call :func:`escape_dataset` instead (``office.admin_mixins``) and hand-written CSVs call
:func:`escape_formula` per cell.
"""

import csv
import re

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d[\d\s.,]*")


def escape_formula(value):
    """The cell as a spreadsheet must show it: text that could run is prefixed with ``'``."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_PREFIXES)
        and not _NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def escape_row(values) -> list:
    return [escape_formula(value) for value in values]


def escape_dataset(dataset):
    """Escape every cell of a ``tablib.Dataset`` in place (headers too); returns it."""
    if dataset.headers:
        dataset.headers = escape_row(dataset.headers)
    rows = [escape_row(row) for row in dataset]
    del dataset[0 : len(rows)]
    for row in rows:
        dataset.append(row)
    return dataset


class _EscapingWriter:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow(escape_row(row))

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_writer(stream, **kwargs) -> _EscapingWriter:
    """``csv.writer`` whose rows are escaped with :func:`escape_formula`."""
    return _EscapingWriter(csv.writer(stream, **kwargs))
