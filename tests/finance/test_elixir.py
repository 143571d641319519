"""Elixir-0 account history (KIR's domestic format, as banks export an account's operations),
hand-made from the format's published field list, in Windows-1250 with Polish letters."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from finance.imports import preview_bank_statement
from finance.models import Payment
from finance.services import import_apply
from lib.statements import looks_like_elixir, parse_statement
from tests.factories import UserFactory
from tests.finance.test_statements import PAYER, TITLE, mt940, nrb, setup_bank

pytestmark = pytest.mark.django_db

SUPPLIER = nrb("10201026", 4242)
RESIDENT = nrb("12401037", 77)


@pytest.fixture
def office(db):
    return UserFactory(is_staff=True, is_superuser=True, username="biuro")


def line(*fields) -> str:
    return ",".join(fields)


def q(text: str) -> str:
    return f'"{text}"'


def elixir_history(main: str, virtual_12: str) -> bytes:
    """Two payments in (to premises 12's virtual account, to the main account with the premises
    number in a title cut at 35 characters), one transfer out to a supplier, a bad row."""
    rows = [
        line(
            "110",
            "20250505",
            "35027",
            "10501445",
            "0",
            q(PAYER),
            q(virtual_12),
            q("ŻANETA GĘŚLA-ŁOŚ|ul. Źródlana 5|00-950 Łódź|"),
            q("WSPÓLNOTA MIESZKANIOWA|ul. Lipowa 1"),
            "0",
            virtual_12[2:10],
            q(f"{TITLE[:35]}|{TITLE[35:]}"),  # cut at the line's width, mid-word
            q(""),
            q(""),
            q("51"),
            q("ELX250505000001"),
        ),
        # Leading zeros in the amount, spaces after the commas, no trailing fields.
        line(
            "110",
            "20250506",
            " 000020000",
            "12401037",
            "0",
            q(RESIDENT),
            q(main),
            q("JAN KOWALSKI"),
            q("WSPÓLNOTA MIESZKANIOWA"),
            "0",
            main[2:10],
            q("Opłata za lokal 7 czerwiec"),
        ),
        "",
        line(
            "110",
            "20250506",
            "123000",
            main[2:10],
            "0",
            q(main),
            q(SUPPLIER),
            q("WSPÓLNOTA MIESZKANIOWA|ul. Lipowa 1"),
            q("ZAKŁAD SPRZĄTANIA „CZYŚCIOCH”"),
            "0",
            "10201026",
            q("Faktura FV/12/2025"),
            q(""),
            q(""),
            q("51"),
            q(""),
            q("dodatkowe pole"),
        ),
        line("110", "20251345", "1x00", "0", "0", q("123"), q(main), q("X"), q("Y"), "0", ""),
    ]
    return ("\r\n".join(rows) + "\r\n").encode("cp1250")


def test_elixir_history_matches_payments_skips_debits_and_reimport_adds_nothing(
    community, building, office
):
    flat_12, flat_7 = setup_bank(community, building, "11402004")
    content = elixir_history(community.bank_account, flat_12.bank_account)
    assert looks_like_elixir(content.decode("cp1250"))
    preview = preview_bank_statement(file_name="historia.txt", content=content)
    assert preview.file_errors == []
    assert preview.source.startswith("Elixir-0")
    bad = preview.rows[-1]
    assert bad.line == 5
    assert "Nieprawidłowa data „20251345” (RRRRMMDD, np. 20251105)." in bad.errors
    assert "Nieprawidłowa kwota „1x00” (w groszach, same cyfry, np. 35027)." in bad.errors
    assert "Rachunek nadawcy „123” nie ma 26 cyfr." in bad.errors
    outgoing = preview.rows[2]
    assert outgoing.notice == "Obciążenie rachunku (wypłata) – pominięto."
    assert outgoing.warnings == []
    assert outgoing.cells["kwota"] == "-1230,00"

    good = preview_bank_statement(file_name="historia.txt", content=content.rsplit(b"\r\n", 2)[0])
    assert not good.has_errors, [r.errors for r in good.rows]
    import_apply(preview=good, user=office)
    virtual_paid = Payment.objects.get(amount=Decimal("350.27"))
    assert virtual_paid.premises == flat_12
    assert virtual_paid.match == Payment.Match.ACCOUNT
    assert virtual_paid.title == TITLE
    assert virtual_paid.payer_name == "ŻANETA GĘŚLA-ŁOŚ ul. Źródlana 5 00-950 Łódź"
    assert virtual_paid.payer_account == PAYER
    assert virtual_paid.booked_on.isoformat() == "2025-05-05"
    by_title = Payment.objects.get(amount=Decimal("200.00"))
    assert by_title.premises == flat_7
    assert by_title.match == Payment.Match.TITLE
    assert Payment.objects.count() == 2  # the transfer to the supplier is no payment

    again = preview_bank_statement(file_name="historia.txt", content=content)
    assert again.to_create == []
    assert Payment.objects.count() == 2


def test_same_transfer_from_mt940_and_elixir_is_booked_once(community, building, office):
    flat_12, _flat_7 = setup_bank(community, building, "11402004")
    sta = mt940(sep="~", account=community.bank_account, virtual=flat_12.bank_account)
    import_apply(
        preview=preview_bank_statement(file_name="maj.sta", content=sta.encode()), user=office
    )
    content = elixir_history(community.bank_account, flat_12.bank_account)
    content = content.rsplit(b"\r\n", 2)[0]  # without the bad row
    preview = preview_bank_statement(file_name="maj.txt", content=content)
    assert not preview.has_errors
    by_amount = {row.cells["kwota"]: row for row in preview.rows}
    assert by_amount["350,27"].notice == (
        "Ta wpłata jest już zaksięgowana z innego wyciągu (ten sam dzień, kwota i rachunek "
        "zleceniodawcy) – pominięto."
    )
    assert by_amount["200,00"].notice  # JAN KOWALSKI, lokal 7: by title and payer
    assert preview.to_create == []
    import_apply(preview=preview, user=office)
    assert Payment.objects.filter(amount=Decimal("350.27")).count() == 1


def test_payment_to_an_account_unknown_on_both_sides_is_skipped_with_a_warning(community, building):
    setup_bank(community, building, "11402004")
    stranger = nrb("11402004", 999)
    content = line("110", "20250505", "5000", "0", "0", q(RESIDENT), q(stranger)).encode()
    preview = preview_bank_statement(file_name="h.txt", content=content, community=community)
    row = preview.rows[0]
    assert row.notice == "Obciążenie rachunku (wypłata) – pominięto."
    assert "wpisz go przy lokalu" in row.warnings[0]
    assert preview.to_create == []


def test_elixir_variants_are_read(community, building):
    """UTF-8 with a BOM, ISO-8859-2, LF endings, no "|", an account written with spaces and PL."""
    flat_12, _ = setup_bank(community, building, "11402004")
    spaced = f"PL{flat_12.bank_account[:2]} {flat_12.bank_account[2:6]} {flat_12.bank_account[6:]}"
    text = line(
        "110", "20250505", "100", "0", "0", q(PAYER), q(spaced), q("Łucja"), q(""), "0", "", q("x")
    )
    for content in (
        ("\ufeff" + text + "\n").encode("utf-8"),
        (text + "\n\n").encode("iso-8859-2"),
    ):
        preview = preview_bank_statement(file_name="h.txt", content=content)
        assert not preview.has_errors, [r.errors for r in preview.rows]
        assert preview.to_create[0].premises == flat_12
        assert preview.to_create[0].payer_name == "Łucja"


BAD_FILES = {
    "empty": b"\r\n\r\n",
    "binary": b"\x00\x01\x02110,20250505,",
    "garbage": "nic tu nie ma,ąę\r\n;;;\r\n".encode("cp1250"),
    "huge_line": b'110,20250505,100,"0","0","' + b"9" * (200 * 1024) + b'"\r\n',
    "only_type": b"110,20250505\r\n110,\r\n110,20250505,abc\r\n",
}


@pytest.fixture
def admin_client(client, office):
    client.force_login(office)
    return client


@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_elixir_files_get_a_polish_message_not_a_500(admin_client, community, name):
    upload = SimpleUploadedFile("historia.txt", BAD_FILES[name])
    response = admin_client.post(reverse("admin:finance_payment_import"), {"file": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Popraw plik i wczytaj go ponownie" in html or "errorlist" in html
    assert Payment.objects.count() == 0


def test_garbage_is_not_taken_for_elixir():
    preview = preview_bank_statement(file_name="x.csv", content=BAD_FILES["garbage"])
    assert preview.file_errors[0].startswith("Nie rozpoznano układu wyciągu CSV")
    statement = parse_statement(BAD_FILES["only_type"])
    assert statement.format == "elixir"
    assert all(t.errors for t in statement.transactions)


def test_elixir_import_is_listed_in_admin_as_elixir(admin_client, community, building):
    flat_12, _flat_7 = setup_bank(community, building, "11402004")
    content = elixir_history(community.bank_account, flat_12.bank_account)
    content = content.rsplit(b"\r\n", 2)[0]  # without the bad row
    url = reverse("admin:finance_payment_import")
    response = admin_client.post(url, {"file": SimpleUploadedFile("historia.txt", content)})
    admin_client.post(url, {"token": response.context["token"], "apply": "1"})
    html = admin_client.get(reverse("admin:finance_importbatch_changelist")).content.decode()
    assert '<td class="field-kind">wyciąg bankowy (Elixir-0)</td>' in html
