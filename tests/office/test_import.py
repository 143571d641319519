"""Register import: preview, Polish per-row errors, all or nothing, re-import updates."""

import csv
import datetime
import io
import re
import threading
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from openpyxl import Workbook

from accounts.models import User
from premises.models import Building, Community, Ownership, Premises
from premises.resources import COLUMNS

pytestmark = pytest.mark.django_db

IMPORT = "/admin/premises/ownership/import/"
HEADERS = [str(v) for v in COLUMNS.values()]
CSV_FORMAT, XLSX_FORMAT = "csv", "xlsx"  # the file itself says which (read by lib.imports)


def row(**values):
    base = {
        "community": "WM Lipowa 12",
        "community_nip": "5260250995",
        "street": "ul. Lipowa 12",
        "postal_code": "00-950",
        "city": "Warszawa",
        "number": "1",
        "kind": "mieszkanie",
        "area": "54,30",
        "persons": "3",
        "share": "5430/100000",
        "bank_account": "",
        "login": "",
        "first_name": "Anna",
        "last_name": "Nowak",
        "email": "anna@example.com",
        "phone": "601200300",
        "address": "",
        "role": "właściciel",
        "valid_from": "01.02.2021",
        "valid_to": "",
        "recipient": "tak",
    }
    base.update(values)
    return [base[key] for key in COLUMNS]


def csv_file(*rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return SimpleUploadedFile("rejestr.csv", out.getvalue().encode(), content_type="text/csv")


def xlsx_file(*rows):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("rejestr.xlsx", out.getvalue())


def preview(client, upload, fmt=CSV_FORMAT):
    return client.post(IMPORT, {"file": upload})


def confirm(client, response):
    content = response.content.decode()
    token = re.search(r'name="token" value="([^"]*)"', content)
    assert token, content[-3000:]
    return client.post(IMPORT, {"token": token.group(1), "apply": "1"})


def import_all(client, upload, fmt=CSV_FORMAT):
    response = preview(client, upload, fmt)
    assert response.status_code == 200
    return confirm(client, response)


def test_import_previews_then_creates_the_register(admin_client_, company):
    upload = csv_file(
        row(),
        row(first_name="Piotr", email="piotr@example.com", role="współwłaściciel", recipient=""),
        row(
            number="2",
            first_name="Marek",
            last_name="Kowalski",
            email="marek@example.com",
            bank_account="61 1090 1014 0000 0712 1981 2874",
            recipient="",
        ),
    )
    response = preview(admin_client_, upload)
    content = response.content.decode()
    assert "Nowak" in content and "Kowalski" in content
    assert not Ownership.objects.exists()  # the preview changes nothing

    response = confirm(admin_client_, response)
    assert response.status_code == 302
    community = Community.objects.get()
    assert community.nip == "5260250995"
    flat = Premises.objects.get(number="1")
    assert flat.building.community == community
    assert flat.area == Decimal("54.30") and flat.share_display == "5430/100000"
    assert set(flat.ownerships.values_list("user__first_name", "role")) == {
        ("Anna", "owner"),
        ("Piotr", "co_owner"),
    }
    anna = User.objects.get(first_name="Anna")
    assert anna.ownerships.get().is_correspondence_recipient
    assert not anna.is_active and re.fullmatch(r"\d{8}", anna.username)
    assert Premises.objects.get(number="2").bank_account == "61109010140000071219812874"


def test_reimport_updates_instead_of_duplicating(admin_client_, company):
    import_all(admin_client_, csv_file(row()))
    import_all(admin_client_, csv_file(row(area="60", phone="+48601999888", persons="4")))
    assert Community.objects.count() == 1
    assert Building.objects.count() == 1
    assert Premises.objects.count() == 1
    assert User.objects.filter(is_superuser=False).count() == 1
    assert Ownership.objects.count() == 1
    flat = Premises.objects.get()
    assert flat.area == 60 and flat.persons == 4
    assert User.objects.get(first_name="Anna").phone == "+48601999888"


def test_reimport_of_an_export_matches_by_login(admin_client_, company, resident, premises):
    export = admin_client_.post(
        "/admin/premises/ownership/export/",
        {"format": "1", "resource": "0", **{f"registerresource_{k}": "on" for k in COLUMNS}},
    )
    body = export.content.decode("utf-8-sig")
    assert resident.username in body
    edited = body.replace("601200300", "600111222")
    upload = SimpleUploadedFile("eksport.csv", edited.encode(), content_type="text/csv")
    import_all(admin_client_, upload)
    resident.refresh_from_db()
    assert resident.phone == "+48600111222"  # E.164
    assert Ownership.objects.count() == 1 and User.objects.filter(is_superuser=False).count() == 1


def test_bad_rows_are_reported_in_polish_and_nothing_is_saved(admin_client_, company):
    upload = csv_file(
        row(),
        row(number="2", bank_account="61 1090 1014 0000 0712 1981 2875", first_name="Jan"),
        row(
            number="3", community_nip="123", share="abc", first_name="Ola", email="ola@example.com"
        ),
        row(
            number="4",
            role="sąsiad",
            valid_from="31.02.2021",
            first_name="Ewa",
            email="e@example.com",
        ),
    )
    content = preview(admin_client_, upload).content.decode()
    assert "błędna suma kontrolna" in content
    assert "NIP musi mieć 10 cyfr" in content
    assert "Udział „abc”" in content
    assert "Rola „sąsiad” jest nieznany" in content
    assert "nie jest datą" in content
    assert 'name="token"' not in content  # no confirm button
    assert not Community.objects.exists() and not Premises.objects.exists()
    assert not User.objects.filter(is_superuser=False).exists()


def test_duplicate_recipient_and_bank_account_are_refused(admin_client_, company):
    upload = csv_file(
        row(bank_account="61109010140000071219812874"),
        row(first_name="Piotr", email="piotr@example.com"),
        row(
            number="2",
            bank_account="61109010140000071219812874",
            first_name="Marek",
            email="m@example.com",
            recipient="",
        ),
    )
    content = preview(admin_client_, upload).content.decode()
    assert "ma już innego adresata korespondencji" in content
    assert "Ten numer rachunku ma już inny lokal" in content
    assert not Premises.objects.exists()


def test_xlsx_import_works(admin_client_, company):
    import_all(admin_client_, xlsx_file(row(area=54.3, persons=3)), fmt=XLSX_FORMAT)
    assert Premises.objects.get().area == Decimal("54.30")


def test_staff_import_only_into_their_communities(staff_client, community, other_community):
    upload = csv_file(
        row(community=other_community.name, community_nip=""),
        row(community="Zupełnie Nowa Wspólnota", community_nip="", number="5"),
    )
    content = preview(staff_client, upload).content.decode()
    assert content.count("Nie ma takiej wspólnoty wśród wspólnot, którymi się zajmujesz") == 2
    assert not Premises.objects.filter(number__in=["1", "5"]).exists()

    upload = csv_file(row(community=community.name, community_nip="", street="ul. Nowa 1"))
    import_all(staff_client, upload)
    assert Premises.objects.get(building__street="ul. Nowa 1").building.community == community


def test_board_member_cannot_import(board_client):
    assert board_client.get(IMPORT).status_code == 403


def test_missing_columns_are_named(admin_client_):
    upload = SimpleUploadedFile("zly.csv", b"Kolumna,Inna\n1,2\n", content_type="text/csv")
    content = preview(admin_client_, upload).content.decode()
    assert "Brak kolumn" in content and "Numer lokalu" in content


def csv_bytes(*rows, delimiter=",", encoding="utf-8", newline="\n"):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


@pytest.mark.parametrize(
    "delimiter,encoding,newline",
    [
        (";", "cp1250", "\r\n"),
        (";", "utf-8-sig", "\n"),
        (",", "cp1250", "\r"),
        (";", "cp852", "\n"),
    ],
)
def test_polish_excel_files_are_read(admin_client_, company, delimiter, encoding, newline):
    content = csv_bytes(
        row(first_name="Łucja", last_name="Żółtowska", city="Łódź"),
        delimiter=delimiter,
        encoding=encoding,
        newline=newline,
    )
    upload = SimpleUploadedFile("rejestr.csv", content, content_type="text/csv")
    response = import_all(admin_client_, upload)
    assert response.status_code == 302
    assert User.objects.get(last_name="Żółtowska").first_name == "Łucja"


def test_unreadable_register_files_get_polish_messages(admin_client_, company):
    huge = csv_bytes(row(address="x" * 140_000))
    for content, message in [
        (huge, "pole jest za długie (ponad 128 KiB)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "To nie jest plik tekstowy CSV ani arkusz XLSX."),
    ]:
        upload = SimpleUploadedFile("rejestr.csv", content, content_type="text/csv")
        response = preview(admin_client_, upload)
        assert response.status_code == 200
        assert message in response.content.decode()
    broken = SimpleUploadedFile("rejestr.xlsx", b"PK\x03\x04zepsuty")
    page = preview(admin_client_, broken, XLSX_FORMAT).content.decode()
    assert "Nie można odczytać pliku XLSX" in page
    assert "encountered" not in page


def test_people_without_contact_are_not_duplicated_on_reimport(admin_client_, company):
    no_contact = row(email="", phone="", recipient="")
    import_all(admin_client_, csv_file(no_contact))
    import_all(admin_client_, csv_file(no_contact))
    assert User.objects.filter(is_superuser=False).count() == 1
    assert Ownership.objects.count() == 1


def test_preview_shows_the_logins_the_import_creates(admin_client_, company):
    upload_rows = [row(), row(number="2", first_name="Jan", email="jan@example.com")]
    response = preview(admin_client_, csv_file(*upload_rows))
    shown = set(re.findall(r"\b\d{8}\b", response.content.decode()))
    confirm(admin_client_, response)
    created = set(User.objects.filter(is_superuser=False).values_list("username", flat=True))
    assert len(created) == 2
    assert created <= shown


def test_shares_over_one_are_refused_and_short_of_one_warned(admin_client_, company):
    over = csv_file(row(share="3/5"), row(number="2", share="3/5", email="b@example.com"))
    content = preview(admin_client_, over).content.decode()
    assert "Udziały lokali wspólnoty WM Lipowa 12 sumują się do 6/5" in content
    assert 'name="token"' not in content
    short = csv_file(row(share="3/5", recipient=""))
    content = preview(admin_client_, short).content.decode()
    assert "Udziały lokali wspólnoty WM Lipowa 12 sumują się do 3/5 (0,600000)" in content


def test_nip_of_one_community_and_name_of_another_is_warned(admin_client_, company):
    import_all(admin_client_, csv_file(row()))
    Community.objects.create(company=company, name="WM Kasztanowa", street="a", city="b")
    mixed = csv_file(row(community="WM Kasztanowa"))
    content = preview(admin_client_, mixed).content.decode()
    assert "NIP 5260250995 należy do wspólnoty WM Lipowa 12" in content
    assert "„WM Kasztanowa”" in content


def test_second_confirmation_of_a_register_import_adds_nothing(admin_client_, company):
    response = preview(admin_client_, csv_file(row()))
    assert "data-submit-once" in response.content.decode()
    first = confirm(admin_client_, response)
    assert first.status_code == 302
    again = confirm(admin_client_, response)
    assert again.status_code == 302
    page = admin_client_.get(again["Location"]).content.decode()
    assert "Ten import został już zatwierdzony; nic nie dodano ponownie." in page
    assert User.objects.filter(is_superuser=False).count() == 1
    assert Ownership.objects.count() == 1


def test_register_file_waits_on_the_server_behind_a_single_use_token(admin_client_, company):
    from imports.models import StoredUpload

    response = preview(admin_client_, csv_file(row()))
    content = response.content.decode()
    upload = StoredUpload.objects.get(kind="register")
    assert f'name="token" value="{upload.token}"' in content
    assert "anna@example.com" not in re.sub(r"<td>[^<]*</td>", "", content)  # no file in a field
    assert set(upload.plan["logins"].values()) <= set(re.findall(r"\b\d{8}\b", content))
    confirm(admin_client_, response)
    upload.refresh_from_db()
    assert upload.used_at is not None and bytes(upload.content) == b""


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    "postgresql" not in connection.vendor, reason="row locks: PostgreSQL (SQLite serialises)"
)
def test_two_simultaneous_register_confirmations_import_once(company):
    from imports.services import UploadGone, upload_store
    from premises.register import register_apply_upload
    from tests.factories import UserFactory

    office = UserFactory(is_staff=True, is_superuser=True, username="biuro2")
    content = csv_bytes(row(), row(number="2", first_name="Jan", email="jan@example.com"))
    upload = upload_store(kind="register", file_name="r.csv", content=content, user=office)
    barrier = threading.Barrier(2)
    outcomes = []

    def confirm_in_thread():
        try:
            barrier.wait()
            result = register_apply_upload(token=str(upload.token), user=office)
            outcomes.append("applied" if result.applied else "refused")
        except UploadGone:
            outcomes.append("gone")
        finally:
            connection.close()  # the thread's own connection (lets PostgreSQL drop the test DB)

    threads = [threading.Thread(target=confirm_in_thread) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["applied", "gone"]
    assert User.objects.filter(is_superuser=False).exclude(username="biuro2").count() == 2
    assert Ownership.objects.count() == 2
    assert Community.objects.count() == 1


def test_a_register_confirmation_that_now_fails_saves_nothing_and_keeps_the_token(
    admin_client_, company
):
    response = preview(admin_client_, csv_file(row(bank_account="61109010140000071219812874")))
    assert 'name="token"' in response.content.decode()
    # Meanwhile someone gives that account to another premises: applying refuses the whole file.
    other = Premises.objects.create(
        building=Building.objects.create(
            community=Community.objects.create(
                company=company, name="WM Inna", street="a", city="b"
            ),
            street="ul. Inna 1",
            city="Warszawa",
        ),
        number="9",
        area=Decimal("10"),
        share_numerator=1,
        share_denominator=10,
        bank_account="61109010140000071219812874",
    )
    page = confirm(admin_client_, response).content.decode()
    assert "Import odrzucony" in page and "Ten numer rachunku ma już inny lokal" in page
    assert not Ownership.objects.exists()
    other.bank_account = ""
    other.save()
    assert confirm(admin_client_, response).status_code == 302
    assert Ownership.objects.count() == 1


def test_register_list_links_to_the_import_and_the_export(admin_client_, board_a):
    page = admin_client_.get("/admin/premises/ownership/").content.decode()
    assert 'href="/admin/premises/ownership/import/"' in page
    assert 'href="/admin/premises/ownership/export/' in page
    admin_client_.force_login(board_a)  # the board may look, not import
    board = admin_client_.get("/admin/premises/ownership/").content.decode()
    assert 'href="/admin/premises/ownership/import/"' not in board


def test_xlsx_as_excel_saves_it_dates_and_computed_shares(admin_client_, company):
    from tests.lib.test_office_files import as_excel_saved

    book = Workbook()
    book.active.append(HEADERS)
    # A real date cell, a share computed by a formula (=523/10000) and a phone as a number.
    book.active.append(row(valid_from=datetime.datetime(2021, 2, 1), share=0.5, phone=601200300))
    out = io.BytesIO()
    book.save(out)
    content = as_excel_saved(out.getvalue(), {"0.5": "5.2300000000000004E-2"})
    response = import_all(admin_client_, SimpleUploadedFile("rejestr.xlsx", content))
    assert response.status_code == 302
    ownership = Ownership.objects.get()
    assert ownership.valid_from == datetime.date(2021, 2, 1)
    assert ownership.premises.share_display == "523/10000"
    assert ownership.user.phone == "+48601200300"


def test_a_title_row_and_the_office_own_header_names_are_read(admin_client_, company):
    header = list(HEADERS)
    for key, name in [("number", "Nr\u00a0lokalu"), ("area", "POWIERZCHNIA"), ("email", "Email")]:
        header[list(COLUMNS).index(key)] = name
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerows([["Lokale i właściciele – stan na 01.05.2026"], [], header, row()])
    upload = SimpleUploadedFile("Lokale i właściciele.csv", out.getvalue().encode("cp1250"))
    response = import_all(admin_client_, upload)
    assert response.status_code == 302
    flat = Premises.objects.get()
    assert flat.number == "1" and flat.area == Decimal("54.30")
    assert flat.ownerships.get().user.email == "anna@example.com"


def test_premises_number_in_another_case_is_the_same_premises(admin_client_, company):
    import_all(admin_client_, csv_file(row(number="12A")))
    response = import_all(admin_client_, csv_file(row(number="12a", area="60")))
    assert response.status_code == 302
    assert list(Premises.objects.values_list("number", "area")) == [("12A", Decimal("60.00"))]
    assert Ownership.objects.count() == 1


@pytest.mark.parametrize("key,value", [("area", "nan"), ("share", "Infinity"), ("area", "inf")])
def test_not_a_number_cells_are_row_errors_not_a_server_error(admin_client_, company, key, value):
    response = preview(admin_client_, csv_file(row(**{key: value})))
    assert response.status_code == 200
    assert "wiersze z błędami: 1" in response.content.decode()
    assert not Premises.objects.exists()


def test_a_new_owner_beside_an_owner_missing_from_the_file_is_refused(admin_client_, company):
    """A sale (or a typo in the name) must not leave the old and the new owner both current."""
    import_all(admin_client_, csv_file(row()))
    sold = csv_file(
        row(first_name="Jan", last_name="Kowalski", email="jan@example.com", phone="", recipient="")
    )
    content = preview(admin_client_, sold).content.decode()
    assert "Lokal 1 ma też właściciela Anna Nowak, którego nie ma w pliku" in content
    assert "datą „Do”" in content and "login" in content
    assert 'name="token"' not in content
    assert Ownership.objects.count() == 1
    assert not User.objects.filter(last_name="Kowalski").exists()


def test_a_sale_in_the_file_ends_the_seller_and_adds_the_buyer(admin_client_, company):
    import_all(admin_client_, csv_file(row()))
    response = import_all(
        admin_client_,
        csv_file(
            row(
                first_name="Jan",
                last_name="Kowalski",
                email="jan@example.com",
                recipient="",
                valid_from="01.06.2025",
            ),
            row(valid_to="31.05.2025", recipient=""),
        ),
    )
    assert response.status_code == 302
    assert set(Ownership.objects.values_list("user__last_name", "valid_to")) == {
        ("Nowak", datetime.date(2025, 5, 31)),
        ("Kowalski", None),
    }


def test_a_new_co_owner_with_the_owners_kept_in_the_file_is_added(admin_client_, company):
    import_all(admin_client_, csv_file(row()))
    import_all(
        admin_client_,
        csv_file(
            row(),
            row(
                first_name="Piotr", email="piotr@example.com", role="współwłaściciel", recipient=""
            ),
        ),
    )
    assert Ownership.objects.count() == 2


@pytest.mark.parametrize("area", ["1.234,50", "1\u00a0234,50", "1 234.50", "1234,5"])
def test_an_area_with_thousand_separators_is_read_as_every_amount_is(admin_client_, company, area):
    response = import_all(admin_client_, csv_file(row(kind="lokal użytkowy", area=area)))
    assert response.status_code == 302
    assert Premises.objects.get().area == Decimal("1234.50")


def test_a_date_as_excels_day_number_is_read(admin_client_, company):
    response = import_all(admin_client_, csv_file(row(valid_from="44228")))
    assert response.status_code == 302
    assert Ownership.objects.get().valid_from == datetime.date(2021, 2, 1)


def test_premises_missing_from_a_later_file_are_named_and_kept(admin_client_, company):
    import_all(
        admin_client_,
        csv_file(
            row(share="1/2"),
            row(number="2", share="1/2", first_name="Jan", email="jan@example.com", recipient=""),
        ),
    )
    response = preview(admin_client_, csv_file(row(share="1/2")))
    content = response.content.decode()
    assert "Lokali wspólnoty WM Lipowa 12 nie ma w pliku: 2 (ul. Lipowa 12)" in content
    assert "Import ich nie usuwa" in content
    confirm(admin_client_, response)
    assert Premises.objects.count() == 2 and Ownership.objects.count() == 2


def test_many_premises_missing_from_a_file_are_counted_in_polish(admin_client_, company):
    others = [
        row(
            number=str(n),
            share="1/13",
            first_name=f"Osoba{n}",
            email=f"o{n}@example.com",
            recipient="",
        )
        for n in range(2, 14)
    ]
    import_all(admin_client_, csv_file(row(share="1/13"), *others))
    content = preview(admin_client_, csv_file(row(share="1/13"))).content.decode()
    # 12 left out: ten named in natural order, "i 2 inne" (not "i 2 innych").
    assert "nie ma w pliku: 2 (ul. Lipowa 12), 3 (ul. Lipowa 12)," in content
    assert "11 (ul. Lipowa 12) i 2 inne." in content


def test_a_sale_with_the_buyer_as_recipient_listed_before_the_seller(admin_client_, company):
    """Row order does not matter: the seller's row further down frees the recipient."""
    import_all(admin_client_, csv_file(row()))
    buyer = row(first_name="Jan", last_name="Kowalski", email="jan@example.com", phone="")
    buyer[list(COLUMNS).index("valid_from")] = "01.06.2025"
    response = import_all(admin_client_, csv_file(buyer, row(valid_to="31.05.2025", recipient="")))
    assert response.status_code == 302
    assert Ownership.objects.get(is_correspondence_recipient=True).user.last_name == "Kowalski"


def test_two_recipients_of_one_premises_are_still_refused(admin_client_, company):
    import_all(admin_client_, csv_file(row()))
    co_owner = row(first_name="Piotr", email="piotr@example.com", role="współwłaściciel")
    content = preview(admin_client_, csv_file(co_owner, row())).content.decode()
    assert "Ten lokal ma już innego adresata korespondencji." in content
    assert 'name="token"' not in content


def test_an_account_number_excel_stored_as_a_number_gets_a_hint(admin_client_, company):
    """Excel keeps 15 digits of a number: a 26-digit NRB typed into a General cell is lost."""
    cells = row(bank_account="")
    cells[list(COLUMNS).index("bank_account")] = 6.11090101400001e25
    content = preview(admin_client_, xlsx_file(cells)).content.decode()
    assert "Excel zapisał numer rachunku jako liczbę" in content
    assert "format „Tekst”" in content
    assert not Premises.objects.exists()
