"""Files as offices really save them: Excel's and LibreOffice's cells, code pages, sheets."""

import datetime
import io
import zipfile

import pytest
from openpyxl import Workbook

from lib.imports import FileError, read_grid, read_table


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


ROWS = (
    "lokal\tkategoria\tokres\tkwota\ttytul\n12A\twoda\t2026-05\t35,20\tŚmieci i woda – źródło ąę\n"
)


@pytest.mark.parametrize(
    "content",
    [
        ROWS.encode("utf-16"),  # Excel's "Unicode text": UTF-16 LE with a BOM, tabs
        ROWS.replace("\n", "\r\n").encode("utf-16"),
        b"\xfe\xff" + ROWS.encode("utf-16-be"),
        ROWS.encode("utf-16-le"),  # no BOM
    ],
)
def test_excel_unicode_text_is_read(content):
    table = read_table(content, required={"lokal", "kwota"})
    assert [row.cells["tytul"] for row in table.rows] == ["Śmieci i woda – źródło ąę"]
    assert table.delimiter == "\t"


@pytest.mark.parametrize("encoding", ["iso-8859-2", "cp1250"])
def test_latin2_is_not_mistaken_for_windows_1250(encoding):
    # ą ś ź Ą Ś Ź have other bytes in ISO-8859-2; read as cp1250 they became ± ¶ Ľ.
    text = "lokal;tytul\n1;Opłata za śmieci – Świętochłowice, źródło ŹĄ ąś\n"
    table = read_table(text.replace("–", "-").encode(encoding), required={"lokal"})
    assert table.rows[0].cells["tytul"] == "Opłata za śmieci - Świętochłowice, źródło ŹĄ ąś"


def workbook_bytes(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_table_on_a_later_sheet_behind_a_hidden_or_cover_sheet():
    book = Workbook()
    hidden = book.active
    hidden.title = "Słowniki"
    hidden.append(["lokal", "kwota"])  # the system's lookup sheet: hidden, not the data
    hidden.append(["999", "1"])
    hidden.sheet_state = "hidden"
    cover = book.create_sheet("Opis")
    cover.append(["Naliczenia za maj 2026 – wydruk z systemu"])
    data = book.create_sheet("Naliczenia")
    data.append(["Lokal", "Kwota"])
    data.append(["12", "35,20"])
    book.active = 1  # saved while the cover sheet was open
    table = read_table(workbook_bytes(book), required={"lokal", "kwota"})
    assert [row.cells for row in table.rows] == [{"lokal": "12", "kwota": "35,20"}]


def test_xlsx_grid_is_the_sheet_open_when_saved_not_a_hidden_one():
    book = Workbook()
    book.active.sheet_state = "hidden"
    book.active.append(["ukryty"])
    book.create_sheet("Rejestr").append(["widoczny"])
    book.active = 1
    lines, _encoding, _delimiter = read_grid(workbook_bytes(book))
    assert lines == [["widoczny"]]


def test_xlsx_rows_past_the_limit_are_refused_even_after_blank_rows():
    book = Workbook()
    book.active.append(["lokal", "kwota"])
    for number in range(1, 9):
        book.active.append([str(number), "1"])
    for _ in range(60):
        book.active.append([])
    book.active.append(["pusty-odstęp", "1"])
    for number in range(9, 12):
        book.active.append([str(number), "1"])
    content = workbook_bytes(book)
    with pytest.raises(FileError, match="więcej niż 10 wierszy"):
        read_table(content, required={"lokal", "kwota"}, max_rows=10)


def with_formulas(*rows, results=None, recompute=True) -> bytes:
    """A workbook with formulas as a script writes it (openpyxl: no results, "recompute when
    opened"), or with ``results`` ({"B2": b"350.27"}) written as Excel saves them."""
    source, out = zipfile.ZipFile(io.BytesIO(xlsx(*rows))), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                for cell, value in (results or {}).items():
                    start = data.index(f'<c r="{cell}"'.encode())
                    empty = data.index(b"<v />", start)
                    kind = b' t="str"' if value == b"" else b""
                    data = (
                        data[:start]
                        + f'<c r="{cell}"'.encode()
                        + kind
                        + data[start + len(f'<c r="{cell}"') : empty]
                        + b"<v>"
                        + value
                        + b"</v>"
                        + data[empty + len(b"<v />") :]
                    )
            if item.filename == "xl/workbook.xml" and not recompute:
                data = data.replace(b' fullCalcOnLoad="1"', b"")
            target.writestr(item, data)
    return out.getvalue()


def test_xlsx_formula_without_a_saved_result_is_refused_naming_its_cell():
    content = with_formulas(["lokal", "kwota"], ["12", "350,27"], ["14", "=B2*2"])
    with pytest.raises(FileError) as error:
        read_table(content, required=["lokal", "kwota"])
    assert error.value.message == (
        "Komórka B3 (wiersz 3) zawiera formułę bez zapisanej wartości – otwórz plik "
        "w Excelu lub LibreOffice i zapisz go ponownie, a potem wczytaj."
    )


def test_xlsx_formulas_a_script_marked_to_be_recomputed_are_refused():
    """XlsxWriter saves 0 as every formula's result and asks Excel to recompute on opening."""
    content = with_formulas(["lokal", "kwota"], ["12", "=100+250.27"], results={"B2": b"0"})
    with pytest.raises(FileError) as error:
        read_table(content, required=["lokal", "kwota"])
    assert "Komórka B2 (wiersz 2) zawiera formułę bez zapisanej wartości" in error.value.message


def test_xlsx_formulas_with_results_excel_saved_are_read():
    content = with_formulas(
        ["lokal", "kwota", "opis"],
        ["12", "=100+250.27", '=""'],
        results={"B2": b"350.27", "C2": b""},
        recompute=False,
    )
    table = read_table(content, required=["lokal", "kwota"])
    assert table.rows[0].cells == {"lokal": "12", "kwota": "350.27", "opis": ""}
