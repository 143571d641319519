"""Charges import: idempotent by content, any encoding/delimiter/line ending/XLSX, no N+1."""

import io
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from openpyxl import Workbook

from finance.imports import preview_charges
from finance.models import Charge, ImportBatch
from finance.services import import_apply
from tests.factories import PremisesFactory, UserFactory

pytestmark = pytest.mark.django_db

ROWS = (
    "lokal;kategoria;okres;kwota;tytul\n"
    "12;zaliczka na koszty zarządu;2025-05;228,06;Zaliczka 05/2025\n"
    "12;woda i ścieki;05/2025;35,20;\n"
    "12;c.o.;2025-05;-10,00;Korekta ogrzewania - źle naliczone\n"
)


@pytest.fixture
def office(db):
    return UserFactory(is_staff=True, is_superuser=True, username="biuro")


def preview(premises, content, name="n.csv"):
    return preview_charges(community=premises.building.community, file_name=name, content=content)


def test_same_rows_with_crlf_line_endings_add_nothing(premises, office):
    import_apply(preview=preview(premises, ROWS.encode()), user=office)
    crlf = ROWS.replace("\n", "\r\n").encode()
    again = preview(premises, crlf, "n-windows.csv")
    assert not again.has_errors
    assert again.to_create == []
    assert again.skipped_count == 3
    import_apply(preview=again, user=office)
    assert Charge.objects.count() == 3


def test_same_charge_with_another_amount_is_refused_with_a_hint(premises, office):
    import_apply(preview=preview(premises, ROWS.encode()), user=office)
    changed = ROWS.replace("228,06", "230,00").encode()
    again = preview(premises, changed)
    assert again.has_errors
    assert "już zaksięgowane z kwotą 228,06\xa0zł" in again.error_rows[0].errors[0]


def test_a_charge_twice_in_one_file_is_an_error(premises):
    content = ROWS + "12;woda i ścieki;2025-05;35,20;\n"
    result = preview(premises, content.encode())
    assert "jest już w wierszu 3" in result.error_rows[0].errors[0]


def test_database_refuses_a_duplicate_charge(premises):
    import datetime
    from decimal import Decimal

    from django.db import IntegrityError, transaction

    values = {
        "premises": premises,
        "category": "water",
        "title": "Woda 05/2025",
        "period": datetime.date(2025, 5, 1),
        "due_date": datetime.date(2025, 5, 10),
        "amount": Decimal("1.00"),
    }
    Charge.objects.create(**values)
    with pytest.raises(IntegrityError), transaction.atomic():
        Charge.objects.create(**values)


@pytest.mark.parametrize(
    "encoding,delimiter,newline",
    [
        ("utf-8", ";", "\n"),
        ("utf-8-sig", ";", "\r\n"),
        ("cp1250", ";", "\r\n"),
        ("cp1250", ",", "\r"),  # "CSV (Macintosh)": bare CR
        ("utf-8", ",", "\n"),
        ("cp852", ";", "\r\n"),
    ],
)
def test_encodings_delimiters_and_line_endings(premises, encoding, delimiter, newline):
    import csv

    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    writer.writerows(line.split(";") for line in ROWS.strip().split("\n"))
    text = out.getvalue()
    result = preview(premises, text.encode(encoding))
    assert not result.has_errors, (result.file_errors, [r.errors for r in result.rows])
    titles = sorted(charge.title for charge in result.to_create)
    assert titles == [
        "Korekta ogrzewania - źle naliczone",
        "Zaliczka 05/2025",
        "woda i ścieki 05/2025",
    ]


def test_xlsx_charges(premises, office):
    book = Workbook()
    sheet = book.active
    for line in ROWS.strip().split("\n"):
        sheet.append(line.split(";"))
    out = io.BytesIO()
    book.save(out)
    result = preview(premises, out.getvalue(), "n.xlsx")
    assert not result.has_errors, (result.file_errors, [r.errors for r in result.rows])
    assert len(result.to_create) == 3


def test_admin_charges_import_of_broken_files_answers_in_polish(client, office, premises):
    client.force_login(office)
    url = reverse("admin:finance_charge_import")
    huge = b'lokal;kategoria;okres;kwota;tytul\n12;odpady;2025-05;1,00;"' + b"x" * 140_000 + b'"\n'
    for content, message in [
        (huge, "pole jest za długie (ponad 128 KiB)"),
        (b"a;b\n1;2\n", "Brak wymaganych kolumn"),
        (b"PK\x03\x04zepsuty", "Nie można odczytać pliku XLSX"),
    ]:
        upload = SimpleUploadedFile("n.csv", content)
        response = client.post(url, {"community": premises.building.community.pk, "file": upload})
        assert response.status_code == 200
        assert message in response.content.decode()
    assert Charge.objects.count() == 0


def test_charges_preview_runs_a_fixed_number_of_queries(premises, django_assert_max_num_queries):
    building = premises.building
    flats = [PremisesFactory(building=building, number=str(100 + i)) for i in range(50)]
    lines = ["lokal;kategoria;okres;kwota"]
    for flat in flats:
        for month in range(1, 13):
            lines.append(f"{flat.number};odpady;2025-{month:02d};36,00")
    content = "\n".join(lines).encode()
    # premises of the community, charges already booked in the file's periods
    with django_assert_max_num_queries(2):
        result = preview(premises, content)
    assert len(result.to_create) == 600


def test_admin_apply_is_single_use_and_rows_are_not_in_the_page(client, office, premises):
    client.force_login(office)
    url = reverse("admin:finance_charge_import")
    upload = SimpleUploadedFile("n.csv", ROWS.encode())
    response = client.post(url, {"community": premises.building.community.pk, "file": upload})
    token = response.context["token"]
    assert 'name="token"' in response.content.decode()
    first = client.post(url, {"token": token, "apply": "1"}, follow=True)
    assert "Zaimportowano 3 pozycje, pominięto 0." in first.content.decode()
    second = client.post(url, {"token": token, "apply": "1"}, follow=True)
    assert "Ten import został już zatwierdzony" in second.content.decode()
    assert Charge.objects.count() == 3
    assert ImportBatch.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    "postgresql" not in connection.vendor, reason="row locks: PostgreSQL (SQLite serialises)"
)
def test_two_simultaneous_confirmations_bill_once(premises):
    from django.db import connection

    from finance.admin import ChargeAdmin  # noqa: F401  (admin registered)
    from finance.services import ImportRejected, import_apply_upload
    from imports.services import UploadGone, upload_store

    office = UserFactory(is_staff=True, is_superuser=True, username="biuro2")
    community = premises.building.community
    upload = upload_store(
        kind="charges", file_name="n.csv", content=ROWS.encode(), user=office, community=community
    )
    barrier = threading.Barrier(2)
    outcomes = []

    def confirm():
        try:
            barrier.wait()
            import_apply_upload(
                token=str(upload.token),
                user=office,
                kind="charges",
                lock_ids=[community.pk],
                build=lambda u: preview_charges(
                    community=community, file_name=u.file_name, content=bytes(u.content)
                ),
            )
            outcomes.append("applied")
        except (UploadGone, ImportRejected):
            outcomes.append("refused")
        finally:
            # This thread's own connection: left open, it would keep the test database from
            # being dropped at the end of the run (CONN_MAX_AGE keeps connections alive).
            connection.close()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["applied", "refused"]
    assert Charge.objects.count() == 3
    assert ImportBatch.objects.count() == 1


def test_imported_rows_have_their_history_entries_in_bulk(
    premises, office, django_assert_max_num_queries
):
    """Each imported charge and payment has one "created" history entry by the importer."""
    from finance.imports import preview_bank_statement
    from finance.models import Payment

    applied = preview(premises, ROWS.encode())
    with django_assert_max_num_queries(12):  # batch, rows, history, ledger totals, savepoints
        import_apply(preview=applied, user=office)
    for charge in Charge.objects.all():
        entries = list(charge.history.all())
        assert len(entries) == 1
        entry = entries[0]
        assert (entry.history_type, entry.history_user, entry.history_change_reason) == (
            "+",
            office,
            "",
        )
        assert (entry.amount, entry.title, entry.period, entry.premises_id) == (
            charge.amount,
            charge.title,
            charge.period,
            charge.premises_id,
        )
        assert entry.import_batch_id == charge.import_batch_id and entry.history_date
    community = premises.building.community
    content = f"data;kwota;tytul\n05.05.2025;100,00;Lokal {premises.number}\n".encode()
    bank = preview_bank_statement(file_name="w.csv", content=content, community=community)
    import_apply(preview=bank, user=office)
    payment = Payment.objects.get()
    entry = payment.history.get()
    assert (entry.history_type, entry.history_user, entry.community_id, entry.amount) == (
        "+",
        office,
        community.pk,
        payment.amount,
    )


def test_an_accounting_system_sheet_with_its_own_names_and_excel_cells(premises, office):
    """ "Naliczenia" as saved by Excel: a title row, the system's header names, a period as a
    real date, as text "05.2026" / "maj 2026" / "2026-05", amounts as numbers and as text."""
    import datetime

    book = Workbook()
    sheet = book.active
    sheet.append([])
    sheet.append([None, "Naliczenia – wspólnota, maj 2026"])
    sheet.append([None, "Lokal nr", "Kategoria", "Okres rozliczeniowy", "Kwota brutto", "Tytuł"])
    sheet.append([None, 12, "woda", datetime.datetime(2026, 5, 1), 35.2, "Woda 1"])
    sheet.append([None, "12", "woda", "05.2026", "1 234,56 zł", "Woda 2"])
    sheet.append([None, "12", "woda", "maj 2026", "-10,00", "Woda 3"])
    sheet.append([None, "12", "woda", "Czerwca 2026", "1,00", "Woda 4"])
    sheet.append([None, "12", "woda", "2026.05", "2,00", "Woda 5"])
    sheet.append([None, "12", "woda", "46143", "3,00", "Woda 6"])  # a date lost as a number
    out = io.BytesIO()
    book.save(out)
    result = preview(premises, out.getvalue(), "Naliczenia.xlsx")
    assert not result.has_errors, (result.file_errors, [r.errors for r in result.rows])
    assert [(c.title, c.period, f"{c.amount:.2f}") for c in result.to_create] == [
        ("Woda 1", datetime.date(2026, 5, 1), "35.20"),
        ("Woda 2", datetime.date(2026, 5, 1), "1234.56"),
        ("Woda 3", datetime.date(2026, 5, 1), "-10.00"),
        ("Woda 4", datetime.date(2026, 6, 1), "1.00"),
        ("Woda 5", datetime.date(2026, 5, 1), "2.00"),
        ("Woda 6", datetime.date(2026, 5, 1), "3.00"),
    ]
    import_apply(preview=result, user=office)
    again = preview(premises, out.getvalue(), "Naliczenia.xlsx")
    assert again.to_create == [] and again.skipped_count == 6


@pytest.mark.parametrize("value", ["13.2026", "maj", "2026", "46143,5", "1000", "kwiecień 26"])
def test_a_period_that_is_no_month_is_a_polish_row_error(premises, value):
    content = f"lokal;kategoria;okres;kwota\n12;woda;{value};1,00\n".encode()
    result = preview(premises, content)
    assert "Nieprawidłowy okres" in result.error_rows[0].errors[0]


def test_admin_import_of_a_header_without_rows_says_so_and_offers_nothing(client, office, premises):
    client.force_login(office)
    upload = SimpleUploadedFile("Naliczenia.csv", b"Lokal;Kategoria;Okres;Kwota\r\n;;;\r\n")
    url = reverse("admin:finance_charge_import")
    response = client.post(url, {"community": premises.building.community.pk, "file": upload})
    assert "Plik nie zawiera żadnych wierszy z danymi." in response.content.decode()
    assert not response.context["token"]


@pytest.mark.parametrize(
    "stored, written, matched",
    [
        ("12", "012", True),
        ("12", "M 012", True),
        ("12", "lokal 12", True),
        ("012", "12", True),
        ("12a", "12A", True),
        ("12A", "12", False),
        ("112", "12", False),
    ],
)
def test_charges_name_premises_numbers_as_the_office_writes_them(
    building, stored, written, matched
):
    flat = PremisesFactory(building=building, number=stored)
    content = f"lokal;kategoria;okres;kwota\n{written};woda;2025-05;35,20\n".encode()
    result = preview(flat, content)
    if matched:
        assert not result.has_errors, result.error_rows[0].errors
        assert result.to_create[0].premises == flat
    else:
        assert result.error_rows[0].errors == [
            f"Lokal „{written}” nie istnieje we wspólnocie {building.community.name}."
        ]


def test_charges_xlsx_with_formulas_never_computed_is_refused_in_polish(client, office, premises):
    """A sheet a script wrote: openpyxl reads no amount where Excel would show one."""
    book = Workbook()
    book.active.append(["lokal", "kategoria", "okres", "kwota"])
    book.active.append(["12", "woda", "2025-05", 35.2])
    book.active.append(["12", "c.o.", "2025-05", "=D2*2"])
    out = io.BytesIO()
    book.save(out)
    client.force_login(office)
    upload = SimpleUploadedFile("naliczenia.xlsx", out.getvalue())
    response = client.post(
        reverse("admin:finance_charge_import"),
        {"community": premises.building.community.pk, "file": upload},
    )
    assert response.status_code == 200
    assert (
        "Komórka D3 (wiersz 3) zawiera formułę bez zapisanej wartości" in response.content.decode()
    )
    assert "token" not in response.context or not response.context["token"]
    assert Charge.objects.count() == 0


def test_due_dates_are_read_by_the_one_date_rule_of_the_imports(premises):
    """An Excel day number (a "General" date cell) and an ISO time, as in every import."""
    content = (
        "lokal;kategoria;okres;kwota;termin\n"
        "12;woda;45778;35,20;45787\n"  # 01.05.2025 and 10.05.2025 as Excel's day numbers
        "12;c.o.;2025-05;12,00;2025-05-12T00:00:00\n"
    )
    result = preview(premises, content.encode())
    assert not result.has_errors, [row.errors for row in result.error_rows]
    assert [(c.period.isoformat(), c.due_date.isoformat()) for c in result.to_create] == [
        ("2025-05-01", "2025-05-10"),
        ("2025-05-01", "2025-05-12"),
    ]
