"""Files as offices really save them: Excel's and LibreOffice's cells, code pages, sheets."""

import datetime
import io
import zipfile

import pytest
from openpyxl import Workbook

from lib.imports import read_grid


def xlsx(*rows) -> bytes:
    book = Workbook()
    for values in rows:
        book.active.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def as_excel_saved(content: bytes, cells: dict[str, str]) -> bytes:
    """The workbook with cell values written as Excel writes them (openpyxl rounds floats)."""
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                for written, raw in cells.items():
                    data = data.replace(f"<v>{written}</v>".encode(), f"<v>{raw}</v>".encode())
            target.writestr(item, data)
    return out.getvalue()


def test_xlsx_date_cells_read_as_dates_without_midnight():
    # Excel keeps a date as a datetime at 00:00; "2026-05-01 00:00:00" is no date to a parser.
    lines, _encoding, _delimiter = read_grid(
        xlsx(
            ["od", "odczyt"],
            [datetime.datetime(2026, 5, 1), datetime.datetime(2026, 5, 31, 10, 15)],
        )
    )
    assert lines[1] == ["2026-05-01", "2026-05-31 10:15:00"]


@pytest.mark.parametrize(
    "value,expected",
    [
        ("110.00000000000001", "110"),  # =100*1,1
        ("0.30000000000000004", "0.3"),  # =0,1+0,2
        ("3.4499999999999997", "3.45"),  # =1,15*3
        ("1234.56", "1234.56"),
        ("5.2300000000000004E-2", "0.0523"),
        ("-12.5", "-12.5"),
        ("12345678901", "12345678901"),
    ],
)
def test_xlsx_numbers_read_as_excel_shows_them(value, expected):
    # Excel shows 15 significant digits, but its XML keeps the binary float's last digits.
    content = as_excel_saved(xlsx(["kwota"], [777.25]), {"777.25": value})
    lines, _encoding, _delimiter = read_grid(content)
    assert lines[1] == [expected]
