"""The shared import pipeline: encodings, delimiters, line endings, limits, numbers."""

import datetime
from decimal import Decimal

import pytest

from lib.imports import FileError, decode, parse_decimal, read_table, sniff_delimiter
from lib.statements import nrb_from_parts, subfields

POLISH = "Zażółć gęślą jaźń – ŁÓDŹ"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1250", "cp852"])
def test_decode_recognises_polish_code_pages(encoding):
    text = POLISH.replace("–", "-") if encoding == "cp852" else POLISH
    content = ("nazwa;kwota\n" + text + ";1,00\n").encode(encoding)
    decoded, found = decode(content)
    assert text in decoded
    assert found == encoding


@pytest.mark.parametrize(
    "lines,expected",
    [
        (["a;b;c", "1,5;2;3"], ";"),
        (['"a","b","c"', '"1,5","2","3"'], ","),
        (["a\tb", "1\t2"], "\t"),
        (["Lista operacji;", "#Data;#Kwota;#Opis;", "2025-05-05;1,00;x;"], ";"),
    ],
)
def test_sniff_delimiter(lines, expected):
    assert sniff_delimiter(lines) == expected


def test_read_table_finds_the_header_below_a_preamble_and_maps_aliases():
    content = "Wyciąg\r\nRachunek: 123\r\n\r\n#Data operacji;#Kwota;\r\n2025-05-05;1,00;\r\n"
    table = read_table(
        content.encode("cp1250"),
        aliases={"data_operacji": "date", "kwota": "amount"},
        required={"date", "amount"},
    )
    assert [row.cells for row in table.rows] == [{"date": "2025-05-05", "amount": "1,00"}]
    assert table.preamble[0] == "Wyciąg"


@pytest.mark.parametrize(
    "content,message",
    [
        (b"", "Plik jest pusty."),
        (b"a;b\n" + b'"' + b"x" * 140_000 + b'";1\n', "ponad 128 KiB"),
        (b"a;b\n1;2\n", "Brak wymaganych kolumn: c"),
        (b"\x00\x01\x02", "To nie jest plik tekstowy CSV ani arkusz XLSX."),
        (b"PK\x03\x04xx", "Nie można odczytać pliku XLSX"),
    ],
)
def test_read_table_file_errors_are_polish(content, message):
    with pytest.raises(FileError) as error:
        read_table(content, required={"a", "c"})
    assert message in error.value.message


def test_row_limit():
    content = "a\n" + "1\n" * 11
    with pytest.raises(FileError, match="więcej niż 10 wierszy"):
        read_table(content.encode(), required={"a"}, max_rows=10)


@pytest.mark.parametrize(
    "value,expected",
    [("1 234,56", "1234.56"), ("1.234,56", "1234.56"), ("12.5", "12.50"), ("+3", "3.00")],
)
def test_parse_decimal(value, expected):
    assert parse_decimal(value, max_digits=12, decimal_places=2, label="Kwota") == Decimal(expected)


@pytest.mark.parametrize("value", ["1e309", "inf", "NaN", "1" * 40, "0x10", "1,234"])
def test_parse_decimal_refuses_what_the_database_cannot_hold(value):
    with pytest.raises(ValueError, match="Kwota"):
        parse_decimal(value, max_digits=12, decimal_places=2, label="Kwota")


def test_nrb_from_sort_code_and_number_has_valid_check_digits():
    from premises.validators import validate_nrb

    validate_nrb(nrb_from_parts("10201026", "0000123456789012"))


@pytest.mark.parametrize("separator", ["~", "<", "^", "+"])
def test_mt940_subfields_any_separator(separator):
    code, fields = subfields(f"020{separator}00PRZELEW{separator}20Lokal 12{separator}32JAN")
    assert code == "020"
    assert fields == {"00": "PRZELEW", "20": "Lokal 12", "32": "JAN"}


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("31.05.2025", datetime.date(2025, 5, 31)),
        ("2025-05-31", datetime.date(2025, 5, 31)),
        ("31-05-2025", datetime.date(2025, 5, 31)),
        ("31/05/2025", datetime.date(2025, 5, 31)),
        ("2025.05.31", datetime.date(2025, 5, 31)),
        ("2025-05-31 23:59", datetime.date(2025, 5, 31)),
        ("2025-05-31T06:00:00Z", datetime.date(2025, 5, 31)),
        ("45808", datetime.date(2025, 5, 31)),  # Excel's day number
        ("31.05.2025 później", None),
        ("12", None),  # no day number of a plausible date
        ("31.02.2025", None),
        ("", None),
    ],
)
def test_parse_day_is_the_one_date_rule_of_the_imports(value, day):
    from lib.imports import parse_day

    assert parse_day(value) == day
