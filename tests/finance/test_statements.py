"""Bank statements as Polish banks give them: MT940 layouts and CSV exports, hand-made here
from the banks' published format descriptions, with Polish letters in each code page."""

import datetime
import pathlib
import textwrap
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from finance.imports import preview_bank_statement
from finance.models import ImportBatch, Payment
from finance.services import import_apply
from lib.statements import nrb_from_parts
from tests.factories import BuildingFactory, PremisesFactory, UserFactory

pytestmark = pytest.mark.django_db

TITLE = "Zaliczka za maj - Łukasz Żółć, źdźbło gęśli"


def nrb(sort_code: str, number: int) -> str:
    return nrb_from_parts(sort_code, f"{number:016d}")


@pytest.fixture
def office(db):
    return UserFactory(is_staff=True, is_superuser=True, username="biuro")


def setup_bank(community, building, sort_code):
    """Community's main account at the bank, premises 12 with a virtual account, premises 7."""
    community.bank_account = nrb(sort_code, 1)
    community.save()
    flat_12 = PremisesFactory(building=building, number="12", bank_account=nrb(sort_code, 12))
    flat_7 = PremisesFactory(building=building, number="7")
    return flat_12, flat_7


def wrap_86(details: str) -> str:
    """MT940 lines are at most 65 characters; :86: goes on in continuation lines."""
    return "\n".join(textwrap.wrap(":86:" + details, 65, drop_whitespace=False))


PAYER = nrb("10501445", 555)


def mt940(*, sep, account, virtual, name_fields=("32", "33"), swift_blocks=False, pad=""):
    name_a, name_b = name_fields
    details_1 = (
        f"020{sep}00PRZELEW PRZYCHODZĄCY{sep}20{TITLE[:27]}{pad}{sep}21{TITLE[27:]}"
        f"{sep}{name_a}ŻANETA GĘŚLA-{sep}{name_b}ŁOŚ{sep}38PL{PAYER}{sep}63{virtual}"
    )
    details_2 = f"020{sep}20Opłata za lokal 7 czerwiec{sep}{name_a}JAN KOWALSKI"
    details_3 = f"073{sep}00OPŁATA{sep}20Prowizja za prowadzenie rachunku"
    details_4 = f"020{sep}20Darowizna{sep}{name_a}ANONIM"
    body = "\n".join(
        [
            ":20:ST250505CYC/1",
            f":25:/PL{account}",
            ":28C:00089/1",
            ":60F:C250504PLN1000,00",
            ":61:2505050505CN350,27NTRFREF1//25125000001",
            wrap_86(details_1),
            ":61:2505060506CN200,00NTRFNONREF//25126000002",
            wrap_86(details_2),
            ":61:2505060506DN12,00NCHGNONREF//25126000003",
            wrap_86(details_3),
            ":61:2505070507CN50,00NTRFNONREF",
            wrap_86(details_4),
            ":62F:C250507PLN1588,27",
        ]
    )
    if swift_blocks:
        body = "{1:F01BANKPLPWAXXX0000000000}{2:I940BANKPLPWXXXXN}{4:\n" + body + "\n-}"
    return body.replace("\n", "\r\n") + "\r\n"


LAYOUTS = {
    # bank: (sort code, subfield separator, code page, name subfields, SWIFT blocks)
    "mbank": ("11402004", "~", "cp1250", ("32", "33"), False),
    "pko_bp": ("10201026", "<", "cp852", ("32", "33"), False),
    "ing": ("10501445", "~", "cp852", ("32", "33"), True),
    "pekao": ("12401037", "~", "utf-8", ("27", "28"), False),
    "santander": ("10901014", "<", "utf-8-sig", ("32", "33"), True),
    "millennium": ("11602202", "~", "cp1250", ("32", "33"), False),
    "bnp_paribas": ("16001462", "^", "cp1250", ("32", "33"), False),
    "alior": ("24901044", "~", "utf-8", ("32", "33"), False),
    "bank_spoldzielczy": ("89430003", "~", "cp1250", ("27", "28"), False),
}


@pytest.mark.parametrize("bank", LAYOUTS)
def test_mt940_of_each_bank_matches_payments_and_reimport_adds_nothing(
    bank, community, building, office
):
    sort_code, sep, encoding, name_fields, swift = LAYOUTS[bank]
    flat_12, flat_7 = setup_bank(community, building, sort_code)
    virtual = f"PL{flat_12.bank_account[:2]} {flat_12.bank_account[2:]}"
    content = mt940(
        sep=sep,
        account=community.bank_account,
        virtual=virtual,
        name_fields=name_fields,
        swift_blocks=swift,
    ).encode(encoding)
    preview = preview_bank_statement(file_name=f"{bank}.sta", content=content)
    assert not preview.has_errors, (preview.file_errors, [r.errors for r in preview.rows])
    assert preview.kind == ImportBatch.Kind.BANK_MT940
    assert preview.community == community
    import_apply(preview=preview, user=office)

    virtual_paid = Payment.objects.get(amount=Decimal("350.27"))
    assert virtual_paid.premises == flat_12
    assert virtual_paid.match == Payment.Match.VIRTUAL
    assert virtual_paid.title == TITLE
    assert virtual_paid.payer_name == "ŻANETA GĘŚLA-ŁOŚ"
    assert virtual_paid.payer_account == PAYER
    assert virtual_paid.booked_on == datetime.date(2025, 5, 5)
    by_title = Payment.objects.get(amount=Decimal("200.00"))
    assert by_title.premises == flat_7
    assert by_title.match == Payment.Match.TITLE
    queued = Payment.objects.get(amount=Decimal("50.00"))
    assert queued.premises is None and queued.community == community
    assert Payment.objects.count() == 3  # the bank's fee (a debit) is not a payment

    again = preview_bank_statement(file_name=f"{bank}.sta", content=content)
    assert not again.has_errors
    assert again.to_create == []
    assert Payment.objects.count() == 3


def test_mt940_placeholders_0xff_are_stripped_from_titles(community, building, office):
    flat_12, _flat_7 = setup_bank(community, building, "10201026")
    content = mt940(
        sep="<", account=community.bank_account, virtual=flat_12.bank_account, pad="\u02d9" * 8
    ).encode("cp1250")
    assert b"\xff" * 8 in content  # 0xFF in Windows-1250, as PKO BP pads its title lines
    preview = preview_bank_statement(file_name="pko.sta", content=content)
    import_apply(preview=preview, user=office)
    assert Payment.objects.get(amount=Decimal("350.27")).title == TITLE


def test_mt940_payer_account_from_sort_code_and_number(community, building, office):
    flat_12, _flat_7 = setup_bank(community, building, "10201026")
    payer = nrb("12401037", 987654)
    content = (
        ":20:1\n"
        f":25:/PL{community.bank_account}\n"
        ":61:2505050505CN10,00NTRFNONREF\n"
        f":86:020<20Lokal 12<3012401037<31{payer[10:]}<32PIOTR NOWAK\n"
    ).encode()
    preview = preview_bank_statement(file_name="pko.sta", content=content)
    assert not preview.has_errors, [r.errors for r in preview.rows]
    assert preview.to_create[0].payer_account == payer
    assert preview.to_create[0].premises == flat_12  # "Lokal 12" in the title


def test_payer_account_checksum_is_a_row_warning_not_a_refusal(community, building, office):
    flat_12, _flat_7 = setup_bank(community, building, "11402004")
    bad_payer = PAYER[:-1] + str((int(PAYER[-1]) + 1) % 10)
    content = mt940(sep="~", account=community.bank_account, virtual=flat_12.bank_account)
    content = content.replace(PAYER, bad_payer).encode("cp1250")
    preview = preview_bank_statement(file_name="mbank.sta", content=content)
    assert not preview.has_errors
    warned = [row for row in preview.rows if row.warnings]
    assert len(warned) == 1
    assert "błędna suma kontrolna" in warned[0].warnings[0]
    import_apply(preview=preview, user=office)
    assert Payment.objects.count() == 3


def test_statement_of_an_unknown_account_is_refused_naming_it(community, building):
    setup_bank(community, building, "11402004")
    foreign = nrb("10201026", 424242)
    content = mt940(sep="~", account=foreign, virtual="").encode("cp1250")
    preview = preview_bank_statement(file_name="obcy.sta", content=content)
    assert preview.has_errors
    spaced = f"{foreign[:2]} " + " ".join(foreign[i : i + 4] for i in range(2, 26, 4))
    assert f"Rachunek wyciągu {spaced} nie należy do żadnej wspólnoty" in preview.file_errors[0]


def test_statement_of_another_communitys_account_is_refused_for_scoped_staff(
    community, building, stranger
):
    other = stranger.ownerships.get().premises.building.community
    other.bank_account = nrb("11402004", 77)
    other.save()
    content = mt940(sep="~", account=other.bank_account, virtual="").encode("cp1250")
    preview = preview_bank_statement(file_name="x.sta", content=content, communities=[community.pk])
    assert "nie należy do żadnej wspólnoty, którą obsługujesz" in preview.file_errors[0]


# --- CSV exports ----------------------------------------------------------------------------


def mbank_lista_operacji(account, virtual):
    """mBank "Lista operacji": a preamble with the account, then #-headers (Windows-1250)."""
    return (
        "mBank S.A. Bankowość Detaliczna;\n"
        "Skrytka Pocztowa 2108;\n"
        ";\n"
        "#Klient;\n"
        "WSPÓLNOTA MIESZKANIOWA ŁĄKOWA;\n"
        ";\n"
        "Lista operacji;\n"
        "#Za okres:;\n"
        "01.05.2025;31.05.2025;\n"
        ";\n"
        "#Numer rachunku;\n"
        f"{account[:2]} {' '.join(account[i : i + 4] for i in range(2, 26, 4))};\n"
        ";\n"
        "#Data operacji;#Data księgowania;#Opis operacji;#Tytuł;#Nadawca/Odbiorca;"
        "#Numer konta;#Kwota;#Saldo po operacji;\n"
        f'2025-05-05;2025-05-05;PRZELEW ZEWNĘTRZNY PRZYCHODZĄCY;"{TITLE} {virtual}";'
        f"\"ŻANETA GĘŚLA  UL. ŁĄKOWA 1\";'{PAYER}';350,27;1 350,27;\n"
        "2025-05-06;2025-05-06;PRZELEW ZEWNĘTRZNY PRZYCHODZĄCY;Lokal 7 czerwiec;"
        "JAN KOWALSKI;;200,00;1 550,27;\n"
        "2025-05-06;2025-05-06;OPŁATA ZA PROWADZENIE RACHUNKU;Opłata;;;-12,00;1 538,27;\n"
    )


def pko_ipko_csv():
    """iPKO: comma, quoted; the description spreads over unnamed "Klucz: wartość" cells."""
    header = (
        '"Data operacji","Data waluty","Typ transakcji","Kwota","Waluta",'
        '"Saldo po transakcji","Opis transakcji","","","",""\n'
    )
    return (
        header + f'"2025-05-05","2025-05-05","Przelew na rachunek","+350,27","PLN","+1350,27",'
        f'"Rachunek nadawcy: {PAYER}","Nazwa nadawcy: ŻANETA GĘŚLA",'
        f'"Adres nadawcy: UL. ŁĄKOWA 1 ŁÓDŹ","Tytuł: {TITLE} lokal 12",""\n'
        '"2025-05-06","2025-05-06","Opłata","-12,00","PLN","+1338,27",'
        '"Tytuł: Opłata za prowadzenie rachunku","","","",""\n'
    )


def ing_csv(account):
    return (
        '"Lista transakcji";\n'
        '"Dokument ma charakter informacyjny";\n'
        f'"Numer rachunku: {account}";\n'
        ";\n"
        '"Data transakcji";"Data księgowania";"Dane kontrahenta";"Tytuł";"Nr rachunku";'
        '"Nazwa banku";"Szczegóły";"Nr transakcji";"Kwota transakcji (waluta rachunku)";'
        '"Waluta";\n'
        f'"2025-05-05";"2025-05-05";"ŻANETA GĘŚLA";"{TITLE} lokal 12";"\'{PAYER}\'";'
        '"ING Bank Śląski";"PRZELEW";"ING-2025-0001";"350,27";"PLN";\n'
    )


def millennium_csv(account):
    return (
        '"Numer rachunku/karty","Data transakcji","Data rozliczenia","Rodzaj transakcji",'
        '"Na konto/Z konta","Odbiorca/Zleceniodawca","Opis","Obciążenia","Uznania","Saldo",'
        '"Waluta"\n'
        f'"PL{account}","2025-05-05","2025-05-05","PRZELEW PRZYCHODZĄCY","PL{PAYER}",'
        f'"ŻANETA GĘŚLA","{TITLE} lok. 12","","350,27","1350,27","PLN"\n'
        f'"PL{account}","2025-05-06","2025-05-06","OPŁATA","","","Prowizja","12,00","",'
        '"1338,27","PLN"\n'
    )


def pekao_csv(account):
    return (
        "Data księgowania;Data waluty;Nadawca / Odbiorca;Adres nadawcy / odbiorcy;"
        "Rachunek źródłowy;Rachunek docelowy;Tytułem;Kwota operacji;Waluta;"
        "Numer referencyjny;Typ operacji\n"
        f"05.05.2025;05.05.2025;ŻANETA GĘŚLA;UL. ŁĄKOWA 1;{PAYER};{account};"
        f"{TITLE} m. 12;350,27;PLN;PEKAO-0001;PRZELEW PRZYCHODZĄCY\n"
    )


FIXTURES = pathlib.Path(__file__).parent / "fixtures"


def santander_csv():
    """Santander Bank Polska's history export: no header, a summary line first (cp1250)."""
    return (FIXTURES / "santander_historia.csv").read_bytes().decode("cp1250")


CSV_LAYOUTS = {
    "mbank_lista_operacji": ("11402004", "cp1250", "virtual"),
    "santander": ("10901014", "cp1250", "title"),
    "pko_ipko": ("10201026", "cp1250", "chosen"),
    "ing": ("10501445", "cp1250", "title"),
    "millennium": ("11602202", "utf-8", "title"),
    "pekao": ("12401037", "utf-8-sig", "title"),
}


@pytest.mark.parametrize("layout", CSV_LAYOUTS)
def test_bank_csv_exports_match_payments_and_reimport_adds_nothing(
    layout, community, building, office
):
    sort_code, encoding, how = CSV_LAYOUTS[layout]
    flat_12, _flat_7 = setup_bank(community, building, sort_code)
    account = community.bank_account
    text = {
        "mbank_lista_operacji": lambda: mbank_lista_operacji(account, flat_12.bank_account),
        "pko_ipko": pko_ipko_csv,
        "ing": lambda: ing_csv(account),
        "millennium": lambda: millennium_csv(account),
        "pekao": lambda: pekao_csv(account),
        "santander": santander_csv,
    }[layout]()
    content = text.encode(encoding)
    chosen = community if how == "chosen" else None
    preview = preview_bank_statement(file_name=f"{layout}.csv", content=content, community=chosen)
    assert not preview.has_errors, (preview.file_errors, [(r.line, r.errors) for r in preview.rows])
    import_apply(preview=preview, user=office)
    paid = Payment.objects.get(amount=Decimal("350.27"))
    assert paid.premises == flat_12
    assert paid.match == (Payment.Match.VIRTUAL if how == "virtual" else Payment.Match.TITLE)
    assert TITLE in paid.title
    assert paid.payer_name.startswith("ŻANETA GĘŚLA")
    assert paid.payer_account == PAYER
    assert paid.community == community
    assert not Payment.objects.filter(amount__lt=0).exists()
    count = Payment.objects.count()
    again = preview_bank_statement(file_name=f"{layout}.csv", content=content, community=chosen)
    assert not again.has_errors and again.to_create == []
    assert Payment.objects.count() == count


def test_csv_without_account_needs_a_chosen_community(community, building):
    setup_bank(community, building, "10201026")
    preview = preview_bank_statement(file_name="ipko.csv", content=pko_ipko_csv().encode())
    assert preview.has_errors
    assert "wybierz wspólnotę w formularzu importu" in preview.error_rows[0].errors[0]


def test_csv_without_references_is_idempotent_by_content(community, building, office):
    flat_12, _ = setup_bank(community, building, "11402004")
    content = (
        "data;kwota;tytul;rachunek_odbiorcy\n"
        f"05.05.2025;100,00;Lokal 12;{flat_12.bank_account}\n"
        f"05.05.2025;100,00;Lokal 12;{flat_12.bank_account}\n"  # paid twice the same day
    ).encode()
    preview = preview_bank_statement(file_name="w.csv", content=content)
    assert len(preview.to_create) == 2
    import_apply(preview=preview, user=office)
    crlf = content.replace(b"\n", b"\r\n")
    again = preview_bank_statement(file_name="w2.csv", content=crlf)
    assert again.to_create == []
    assert Payment.objects.count() == 2


# --- Admin: unreadable files, double confirmation, queue ------------------------------------


@pytest.fixture
def admin_client(client, office):
    client.force_login(office)
    return client


BAD_FILES = {
    "bare_cr": b"id_transakcji;data;kwota\rTR-1;05.05.2025;10,00\r",
    "field_over_128k": b'id_transakcji;data;kwota;tytul\nTR-1;05.05.2025;10,00;"'
    + b"x" * (130 * 1024)
    + b'"\n',
    "unclosed_quote_128k": b'id_transakcji;data;kwota;tytul\nTR-1;05.05.2025;10,00;"abc\n'
    + b"y" * (140 * 1024),
    "binary": b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR",
    "empty": b"\r\n",
    "bad_xlsx": b"PK\x03\x04garbage",
    "mt940_garbage": b":20:X\n:25:/PL11\n:61:garbage\n",
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_unreadable_bank_files_get_a_polish_message_not_a_500(admin_client, community, name):
    upload = SimpleUploadedFile("wyciag.csv", BAD_FILES[name])
    response = admin_client.post(reverse("admin:finance_payment_import"), {"file": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Popraw plik i wczytaj go ponownie" in html or "errorlist" in html
    assert Payment.objects.count() == 0


def test_bare_cr_statement_is_read(admin_client, community, building):
    flat_12, _ = setup_bank(community, building, "11402004")
    content = (
        f"id_transakcji;data;kwota;rachunek_odbiorcy\rTR-1;05.05.2025;10,00;{flat_12.bank_account}\r"
    ).encode()
    preview = preview_bank_statement(file_name="mac.csv", content=content)
    assert not preview.has_errors
    assert preview.to_create[0].premises == flat_12


def test_field_over_128_kib_is_a_polish_file_error(community):
    preview = preview_bank_statement(file_name="w.csv", content=BAD_FILES["field_over_128k"])
    assert "pole jest za długie (ponad 128 KiB)" in preview.file_errors[0]


def test_double_confirmation_imports_once(admin_client, community, building):
    flat_12, _ = setup_bank(community, building, "11402004")
    content = mt940(sep="~", account=community.bank_account, virtual=flat_12.bank_account)
    url = reverse("admin:finance_payment_import")
    response = admin_client.post(
        url, {"file": SimpleUploadedFile("w.sta", content.encode("cp1250"))}
    )
    html = response.content.decode()
    assert "data-submit-once" in html and "imports/submit_once.js" in html
    assert content.encode("cp1250") not in response.content  # the file stays on the server
    token = response.context["token"]
    first = admin_client.post(url, {"token": token, "apply": "1"}, follow=True)
    assert "Zaimportowano 3 pozycje, pominięto 1." in first.content.decode()
    second = admin_client.post(url, {"token": token, "apply": "1"}, follow=True)
    assert "Ten import został już zatwierdzony" in second.content.decode()
    assert ImportBatch.objects.count() == 1
    assert Payment.objects.count() == 3


def test_one_batch_per_upload_is_a_database_rule(community, office):
    from django.db import IntegrityError, transaction

    from imports.services import upload_store

    upload = upload_store(kind="bank", file_name="w.sta", content=b"x", user=office)
    fields = {"kind": "bank_mt940", "file_name": "w", "file_sha256": "0", "created_by": office}
    ImportBatch.objects.create(upload=upload, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        ImportBatch.objects.create(upload=upload, **fields)


def test_another_users_token_is_refused(client, admin_client, community, building):
    flat_12, _ = setup_bank(community, building, "11402004")
    content = mt940(sep="~", account=community.bank_account, virtual=flat_12.bank_account)
    url = reverse("admin:finance_payment_import")
    token = admin_client.post(
        url, {"file": SimpleUploadedFile("w.sta", content.encode("cp1250"))}
    ).context["token"]
    other = UserFactory(is_staff=True, is_superuser=True, username="inny")
    client.force_login(other)
    response = client.post(url, {"token": token, "apply": "1"}, follow=True)
    assert "Podgląd wygasł lub jest nieprawidłowy" in response.content.decode()
    assert Payment.objects.count() == 0


def test_scoped_staff_see_and_assign_unassigned_payments_of_their_community(
    client, community, building, stranger
):
    from office.roles import roles_sync_user
    from premises.models import CommunityRole

    flat = PremisesFactory(building=building, number="3")
    ours = Payment.objects.create(
        community=community,
        booked_on=datetime.date(2025, 5, 5),
        amount=Decimal("80.00"),
        title="Przelew bez numeru lokalu",
        payer_name="Halina Źrebięć",
        payer_account=PAYER,
    )
    other_community = stranger.ownerships.get().premises.building.community
    Payment.objects.create(
        community=other_community,
        booked_on=datetime.date(2025, 5, 5),
        amount=Decimal("90.00"),
        title="Cudzy przelew",
    )
    staff = UserFactory(is_staff=True, username="ksiegowa")
    CommunityRole.objects.create(user=staff, community=community, role="staff")
    roles_sync_user(user=staff)
    client.force_login(staff)
    html = client.get(
        reverse("admin:finance_payment_changelist"), {"przypisanie": "nieprzypisane"}
    ).content.decode()
    assert "Przelew bez numeru lokalu" in html and "Halina Źrebięć" in html
    assert "Cudzy przelew" not in html
    change = reverse("admin:finance_payment_change", args=[ours.pk])
    response = client.post(change, {"premises": flat.pk})
    assert response.status_code == 302
    ours.refresh_from_db()
    assert ours.premises == flat and ours.match == Payment.Match.MANUAL
    assert ours.history.first().history_user == staff


def test_payment_cannot_be_assigned_to_another_communitys_premises(
    admin_client, community, stranger
):
    foreign = stranger.ownerships.get().premises
    payment = Payment.objects.create(
        community=community, booked_on=datetime.date(2025, 5, 5), amount=Decimal("10.00")
    )
    response = admin_client.post(
        reverse("admin:finance_payment_change", args=[payment.pk]), {"premises": foreign.pk}
    )
    assert "należy do innej wspólnoty" in response.content.decode()
    payment.refresh_from_db()
    assert payment.premises is None


def test_premises_autocomplete_finds_its_own_label(admin_client, community):
    building = BuildingFactory(community=community, street="Lipowa 5")
    flat = PremisesFactory(building=building, number="3")
    PremisesFactory(building=building, number="13")
    PremisesFactory(building=BuildingFactory(community=community, street="Lipowa 15"), number="3")
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": str(flat),
            "app_label": "finance",
            "model_name": "payment",
            "field_name": "premises",
        },
    )
    results = response.json()["results"]
    assert [r["text"] for r in results] == ["Lipowa 5 / 3"]


@pytest.mark.parametrize("size", [1, 40])
def test_statement_preview_runs_a_fixed_number_of_queries(
    community, building, size, django_assert_num_queries
):
    flat_12, _flat_7 = setup_bank(community, building, "11402004")
    lines = [":20:1", f":25:/PL{community.bank_account}"]
    for i in range(size):
        lines.append(f":61:2505050505CN{10 + i},00NTRFNONREF//R{i:06d}")
        lines.append(f":86:020~20Lokal {7 if i % 2 else 12}~32JAN NOWAK~38PL{PAYER}")
    content = "\n".join(lines).encode()
    # accounts: communities, fund accounts, premises; the statement's community;
    # references booked before; premises for titles; payments from other exports of the days
    with django_assert_num_queries(7):
        preview = preview_bank_statement(file_name="w.sta", content=content)
    assert len(preview.to_create) == size


def test_title_matching_shows_its_confidence(community, office):
    lipowa = BuildingFactory(community=community, street="Lipowa 5")
    flat = PremisesFactory(building=lipowa, number="12")
    PremisesFactory(building=lipowa, number="5")
    community.bank_account = nrb("11402004", 1)
    community.save()
    content = (
        "data;kwota;tytul;rachunek_odbiorcy\n"
        f"05.05.2025;100,00;Czynsz Lipowa 5/12;{community.bank_account}\n"
        f"05.05.2025;101,00;Zaliczka 05/2025;{community.bank_account}\n"
        f"05.05.2025;102,00;mieszkanie 12;{community.bank_account}\n"
    ).encode()
    preview = preview_bank_statement(file_name="w.csv", content=content)
    by_amount = {str(row.obj.amount): row for row in preview.rows}
    assert by_amount["100.00"].obj.premises == flat
    assert by_amount["100.00"].match == "numer lokalu i ulica w tytule – prawdopodobne"
    assert by_amount["101.00"].obj.premises is None  # a period, not premises 5
    assert by_amount["102.00"].match == "numer lokalu w tytule – do sprawdzenia"
    page_preview = by_amount["102.00"].obj
    assert page_preview.match == Payment.Match.TITLE


def _staff_of(community, username):
    from office.roles import roles_sync_user
    from premises.models import CommunityRole

    staff = UserFactory(is_staff=True, username=username)
    CommunityRole.objects.create(user=staff, community=community, role="staff")
    roles_sync_user(user=staff)
    return staff


def test_payment_entered_by_hand_without_premises_waits_in_its_communitys_queue(
    client, community, stranger
):
    other_community = stranger.ownerships.get().premises.building.community
    ours, theirs = _staff_of(community, "ksiegowa"), _staff_of(other_community, "obca")
    client.force_login(ours)
    add = reverse("admin:finance_payment_add")
    data = {
        "booked_on": "2025-05-05",
        "amount": "120.00",
        "title": "Wpłata w kasie bez numeru lokalu",
        "source": Payment.Source.CASH,
    }
    response = client.post(add, data)
    assert "Wybierz wspólnotę, na której rachunek wpłynęła wpłata, albo lokal." in (
        response.content.decode()
    )
    assert not Payment.objects.exists()
    response = client.post(add, {**data, "community": other_community.pk})
    assert response.status_code == 200 and not Payment.objects.exists()  # not theirs to pick
    assert client.post(add, {**data, "community": community.pk}).status_code == 302
    payment = Payment.objects.get()
    assert payment.community == community and payment.premises is None
    queue = reverse("admin:finance_payment_changelist")
    html = client.get(queue, {"przypisanie": "nieprzypisane"}).content.decode()
    assert "Wpłata w kasie bez numeru lokalu" in html
    client.force_login(theirs)
    html = client.get(queue, {"przypisanie": "nieprzypisane"}).content.decode()
    assert "Wpłata w kasie bez numeru lokalu" not in html


def test_payment_entered_by_hand_for_a_premises_takes_its_community(admin_client, community):
    flat = PremisesFactory(building=BuildingFactory(community=community), number="4")
    response = admin_client.post(
        reverse("admin:finance_payment_add"),
        {
            "premises": flat.pk,
            "booked_on": "2025-05-05",
            "amount": "50.00",
            "title": "Wpłata",
            "source": Payment.Source.CASH,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    payment = Payment.objects.get()
    assert payment.community == community and payment.match == Payment.Match.MANUAL


def test_santander_export_is_read_as_the_bank_writes_it(community, building, office):
    flat_12, flat_7 = setup_bank(community, building, "10901014")
    assert community.bank_account == "07109010140000000000000001"  # the fixture's account
    content = (FIXTURES / "santander_historia.csv").read_bytes()
    assert "Ł".encode("cp1250") in content and b"\r\n" in content
    preview = preview_bank_statement(file_name="historia.csv", content=content)
    assert not preview.has_errors, (preview.file_errors, [(r.line, r.errors) for r in preview.rows])
    assert "Santander Bank Polska" in preview.source and "cp1250" in preview.source
    assert preview.community == community
    assert [(p.premises, p.amount) for p in preview.to_create] == [
        (flat_12, Decimal("350.27")),
        (flat_7, Decimal("200.00")),
    ]
    assert preview.skipped_count == 1  # the bank's fee (a debit)
    import_apply(preview=preview, user=office)
    jerzy = Payment.objects.get(amount=Decimal("200.00"))
    assert jerzy.payer_name == "JERZY ŚWIĄTEK UL. ŁĄKOWA 1/7 ŁÓDŹ"  # clearing suffix dropped
    assert jerzy.booked_on == datetime.date(2025, 5, 6)
    assert jerzy.payer_account == nrb("10201026", 777)
    again = preview_bank_statement(file_name="historia (1).csv", content=content)
    assert not again.has_errors and again.to_create == []
    assert again.skipped_count == 3


# --- Layouts as the banks publish them ------------------------------------------------------


def test_ing_mt940_reads_the_second_86_field_with_the_subfields(community, building, office):
    """ING writes two :86: per operation: the code (with /OCMT/…), then the ~ subfields, the
    payer's NRB in ~29 and the address in ~62–~63 (format description "Import/export files
    formats used in ING Business", MT940 chapter; example on mksiegowa.pl)."""
    flat_12, _flat_7 = setup_bank(community, building, "10501445")
    details = (
        f"020~00COCGPRZELEW ~20{TITLE} lokal 12 ~21 ~22 ~23~24 ~25 ~29{PAYER}"
        f"~3010501445 ~31{PAYER[10:]}~32 ŻANETA GĘŚLA-ŁOŚ ~33 ~34020 ~38 PL{PAYER} ~60 ~61 "
        "~62 UL. ŁĄKOWA 1 ~6390-001 ŁÓDŹ"
    )
    content = "\r\n".join(
        [
            "{1:F01INGBPLPWAXXX0000000000}{2:I940INGBPLPWXXXXN}{4:",
            ":20:P250505000000001",
            f":25:/PL{community.bank_account}",
            ":28C:00089",
            ":NS:22WSPÓLNOTA MIESZKANIOWA ŁĄKOWA",
            ":60F:C250504PLN1000,00",
            ":61:2505050505C350,27S0200000123456789//BRF2505050001",
            ":86:020/OCMT/PLN350,27/",
            wrap_86(details),
            ":62F:C250505PLN1350,27",
            ":64:C250505PLN1350,27",
            "-}",
        ]
    ).encode("cp852")
    preview = preview_bank_statement(file_name="ing.sta", content=content)
    assert not preview.has_errors, (preview.file_errors, [r.errors for r in preview.rows])
    [payment] = preview.to_create
    assert payment.title == f"{TITLE} lokal 12"
    assert payment.payer_name == "ŻANETA GĘŚLA-ŁOŚ"
    assert payment.payer_account == PAYER
    assert payment.premises == flat_12


def test_mt940_text_line_starting_like_a_tag_stays_in_the_details(community, building):
    """:86: is cut every 65 characters wherever that falls; a line may start with ":10:"."""
    flat_12, _flat_7 = setup_bank(community, building, "11402004")
    content = (
        ":20:ST250505CYC/1\n"
        f":25:/PL{community.bank_account}\n"
        ":61:2505050505CN350,27N020NONREF//25125000001\n"
        ":86:020~00PRZELEW~20Zaliczka maj, zapłacono dnia 05.05.2025 godz.\n"
        f":10:30 ~21lokal 12~32JAN NOWAK~38PL{PAYER}\n"
        ":62F:C250505PLN1350,27\n"
    ).encode()
    preview = preview_bank_statement(file_name="mbank.sta", content=content)
    [payment] = preview.to_create
    assert payment.title == "Zaliczka maj, zapłacono dnia 05.05.2025 godz.:10:30 lokal 12"
    assert payment.payer_name == "JAN NOWAK" and payment.payer_account == PAYER
    assert payment.premises == flat_12


def test_mt940_reversals_are_not_payments(community, building):
    """RD gives back a debit (a refund that bounced), RC takes back a credit (SWIFT MT940)."""
    setup_bank(community, building, "11402004")
    content = (
        ":20:ST250505CYC/1\n"
        f":25:/PL{community.bank_account}\n"
        ":61:2505050505RDN120,00N020NONREF//25125000007\n"
        ":86:020~00ZWROT PRZELEWU~20Zwrot nadpłaty lokal 12~32JAN NOWAK\n"
        ":61:2505060506RCN80,00N020NONREF//25126000008\n"
        ":86:020~00STORNO UZNANIA~20Lokal 7 maj~32ANNA NOWAK\n"
        ":62F:C250506PLN1000,00\n"
    ).encode()
    preview = preview_bank_statement(file_name="mbank.sta", content=content)
    assert not preview.has_errors
    assert preview.to_create == []
    refund, taken_back = preview.rows
    assert refund.notice == taken_back.notice == "Storno operacji (korekta banku) – pominięto."
    assert taken_back.warnings == [
        "Bank cofnął wpływ 80,00\xa0zł; jeśli był zaimportowany jako wpłata, usuń lub popraw tę "
        "wpłatę."
    ]


def mbank_lista_operacji_2025(account):
    """mBank's current "Lista operacji": a summary "#Waluta;#Wpływy;#Wydatki;" above the table,
    one description column (name, title, type, payer's account), "#Rachunek" only a label."""
    label = f"mBiznes konto {account[:4]} ... {account[-4:]}"
    return (
        "\ufeffmBank S.A. Bankowość Detaliczna;\r\n"
        "\t\tSkrytka Pocztowa 2108;\r\n"
        "\t\t90-959 Łódź 2;\r\n"
        "\r\n"
        "#Klient;\r\n"
        "WSPÓLNOTA MIESZKANIOWA ŁĄKOWA 1;\r\n"
        "\r\n"
        "Lista operacji;\r\n"
        "\r\n"
        "#Za okres:;\r\n"
        "01.05.2025;31.05.2025;\r\n"
        "\r\n"
        "#zgodnie z wybranymi filtrami wyszukiwania;\r\n"
        "      #dla rachunków:;\r\n"
        f"      mBiznes konto - {account};\r\n"
        "\r\n"
        "      #Waluta;#Wpływy;#Wydatki;\r\n"
        "PLN;1 350,27;-12,00;\r\n"
        "\r\n"
        "#Data operacji;#Opis operacji;#Rachunek;#Kategoria;#Kwota;\r\n"
        f'2025-05-05;"ŻANETA GĘŚLA UL. ŁĄKOWA 1, {TITLE} lokal 12  ŻANETA GĘŚLA  '
        f'UL. ŁĄKOWA 1 PRZELEW ZEWNĘTRZNY PRZYCHODZĄCY  {PAYER}  ";"{label}";'
        '"Wpływy - inne";1 350,27 PLN;;\r\n'
        f'2025-05-06;"OPŁATA ZA PROWADZENIE RACHUNKU";"{label}";"Opłaty i odsetki";'
        "-12,00 PLN;;\r\n"
        "\r\n"
    )


def test_mbank_lista_operacji_with_its_summary_block_is_read(community, building, office):
    flat_12, _flat_7 = setup_bank(community, building, "11402004")
    content = mbank_lista_operacji_2025(community.bank_account).encode("utf-8")
    preview = preview_bank_statement(file_name="lista_operacji.csv", content=content)
    assert not preview.has_errors, (preview.file_errors, [(r.line, r.errors) for r in preview.rows])
    assert preview.community == community
    [payment] = preview.to_create
    assert payment.amount == Decimal("1350.27") and payment.premises == flat_12
    assert TITLE in payment.title
    assert payment.recipient_account == ""  # "#Rachunek" names the account, it is no number
    import_apply(preview=preview, user=office)
    again = preview_bank_statement(file_name="lista_operacji (1).csv", content=content)
    assert not again.has_errors and again.to_create == []


def test_mbank_lista_operacji_closing_balance_line_is_no_operation(community, building):
    """mBank ends the list with "#Saldo końcowe" and the balance in the amount column."""
    flat_12, _flat_7 = setup_bank(community, building, "11402004")
    text = mbank_lista_operacji_2025(community.bank_account) + "#Saldo końcowe;;;;1 338,27 PLN;\r\n"
    preview = preview_bank_statement(file_name="lista_operacji.csv", content=text.encode())
    assert not preview.has_errors, (preview.file_errors, [(r.line, r.errors) for r in preview.rows])
    assert len(preview.rows) == 2
    assert preview.to_create[0].premises == flat_12


def alior_csv(account, virtual):
    """Alior's "Historia operacji": a "Kryteria transakcji" line with the products (accounts),
    then the header; dates DD-MM-RRRR, amounts with a space between thousands."""
    spaced = f"{virtual[:2]} " + " ".join(virtual[i : i + 4] for i in range(2, 26, 4))
    return (
        "Kryteria transakcji: Okres: 01-05-2025 - 31-05-2025;Typ transakcji: "
        f"Uznania/Obciążenia;Produkty: {account}\n"
        "Data transakcji;Data księgowania;Nazwa nadawcy;Nazwa odbiorcy;Szczegóły transakcji;"
        "Kwota operacji;Waluta operacji;Kwota w walucie rachunku;Waluta rachunku;"
        "Numer rachunku nadawcy;Numer rachunku odbiorcy\n"
        f"05-05-2025;05-05-2025;ŻANETA GĘŚLA;WSPÓLNOTA MIESZKANIOWA;{TITLE};1 350,27;PLN;"
        f"1 350,27;PLN;{PAYER};{spaced}\n"
        "06-05-2025;06-05-2025;WSPÓLNOTA MIESZKANIOWA;JAN KOWALSKI;Zwrot nadpłaty lokal 7;"
        f"-20,00;PLN;-20,00;PLN;{account};{PAYER}\n"
    )


def test_alior_history_export_is_read(community, building, office):
    flat_12, _flat_7 = setup_bank(community, building, "24901044")
    content = alior_csv(community.bank_account, flat_12.bank_account).encode("utf-8")
    preview = preview_bank_statement(file_name="historia.csv", content=content)
    assert not preview.has_errors, (preview.file_errors, [(r.line, r.errors) for r in preview.rows])
    [payment] = preview.to_create
    assert payment.amount == Decimal("1350.27")
    assert payment.title == TITLE
    assert payment.payer_name == "ŻANETA GĘŚLA"
    assert payment.payer_account == PAYER
    assert payment.premises == flat_12 and payment.match == Payment.Match.ACCOUNT
    assert preview.rows[1].notice == "Obciążenie rachunku (wypłata) – pominięto."


def test_alior_transfer_in_another_currency_is_booked_in_the_accounts_currency(community, building):
    """ "Kwota operacji" is in the currency sent (EUR), "Kwota w walucie rachunku" in złoty."""
    flat_12, _flat_7 = setup_bank(community, building, "24901044")
    text = alior_csv(community.bank_account, flat_12.bank_account).replace(
        "1 350,27;PLN;1 350,27;PLN", "100,00;EUR;430,15;PLN"
    )
    preview = preview_bank_statement(file_name="historia.csv", content=text.encode())
    assert not preview.has_errors, (preview.file_errors, [(r.line, r.errors) for r in preview.rows])
    assert preview.to_create[0].amount == Decimal("430.15")


def test_ing_csv_footer_and_card_blocks_are_not_operations(community, building):
    """ING's "Lista transakcji": a card payment only blocked has "Kwota blokady" and no
    "Kwota transakcji"; the file ends with a one-cell notice."""
    flat_12, _flat_7 = setup_bank(community, building, "10501445")
    account = community.bank_account
    spaced = f"{account[:2]} " + " ".join(account[i : i + 4] for i in range(2, 26, 4))
    content = (
        '"Lista transakcji"\n'
        '"Wybrane rachunki:";\n'
        f'"Konto Wspólnoty (PLN)";;"{spaced}";\n'
        "\n"
        '"Data transakcji";"Data księgowania";"Dane kontrahenta";"Tytuł";"Nr rachunku";'
        '"Nazwa banku";"Szczegóły";"Nr transakcji";"Kwota transakcji (waluta rachunku)";'
        '"Waluta";"Kwota blokady/zwolnienie blokady";"Waluta";"Kwota płatności w walucie";'
        '"Waluta";"Saldo po transakcji";"Waluta";"Konto"\n'
        f'2025-05-05;2025-05-05;"ŻANETA GĘŚLA";"{TITLE} lokal 12";"\'{PAYER}\'";"mBank S.A.";'
        '"PRZELEW";"202512500001";1350,27;PLN;;;;;2350,27;PLN;"Konto Wspólnoty"\n'
        '2025-05-07;;"STACJA PALIW";"Płatność kartą 07.05.2025";;;"TR.KART";"";;;-120,00;PLN;'
        ';;;;"Konto Wspólnoty"\n'
        "\n"
        '"Dokument ma charakter informacyjny, nie stanowi dowodu księgowego"\n'
    ).encode("cp1250")
    preview = preview_bank_statement(file_name="lista_transakcji.csv", content=content)
    assert not preview.has_errors, (preview.file_errors, [(r.line, r.errors) for r in preview.rows])
    assert [row.line for row in preview.rows] == [6]
    assert preview.to_create[0].premises == flat_12


def test_csv_of_an_unknown_layout_is_refused_in_polish(community):
    content = "Data;Opis;Wartość\n2025-05-05;Wpłata;10,00\n".encode()
    for sample in (content, b"a;b\n1;2\n"):
        preview = preview_bank_statement(file_name="x.csv", content=sample, community=community)
        assert preview.file_errors == [
            "Nie rozpoznano układu wyciągu CSV: potrzebne są kolumny z datą i kwotą "
            "(np. „Data operacji”, „Kwota”)."
        ]


def standing_order_statement(account, day, payer_reference="CZYNSZ"):
    """A bank that gives no reference of its own ("//…"): only the payer's, the same monthly."""
    return (
        f":20:ST25{day}\n"
        f":25:/PL{account}\n"
        f":61:25{day}{day[-4:]}CN350,27N020{payer_reference}\n"
        ":86:020~20Zaliczka lokal 12~32JAN NOWAK\n"
        f":61:25{day}{day[-4:]}CN200,00N020NOTPROVIDED\n"
        ":86:020~20Zaliczka lokal 7~32ANNA NOWAK\n"
        f":61:25{day}{day[-4:]}CN10,00N020FV 1/2025\n"
        ":86:020~20Darowizna~32EWA NOWAK\n"
    ).encode()


def test_payers_reference_is_no_transaction_id(community, building, office):
    """The :61: reference before "//" is the payer's (SWIFT MT940 field 61, subfield 7)."""
    flat_12, _flat_7 = setup_bank(community, building, "24901044")
    may = standing_order_statement(community.bank_account, "0505")
    preview = preview_bank_statement(file_name="maj.sta", content=may)
    assert not preview.has_errors, [r.errors for r in preview.rows]  # NOTPROVIDED twice
    import_apply(preview=preview, user=office)
    june = standing_order_statement(community.bank_account, "0605")
    preview = preview_bank_statement(file_name="czerwiec.sta", content=june)
    assert [(p.premises, p.amount) for p in preview.to_create][0] == (flat_12, Decimal("350.27"))
    assert len(preview.to_create) == 3  # "CZYNSZ" again is June's payment, not May's
    again = preview_bank_statement(file_name="maj (1).sta", content=may)
    assert again.to_create == []


def test_payment_imported_by_the_payers_reference_before_is_known(community, building):
    flat_12, _flat_7 = setup_bank(community, building, "24901044")
    Payment.objects.create(
        community=community,
        premises=flat_12,
        booked_on=datetime.date(2025, 5, 5),
        amount=Decimal("350.27"),
        title="Zaliczka lokal 12",
        bank_transaction_id="CZYNSZ",
    )
    may = standing_order_statement(community.bank_account, "0505")
    preview = preview_bank_statement(file_name="maj.sta", content=may)
    assert [p.amount for p in preview.to_create] == [Decimal("200.00"), Decimal("10.00")]


def test_same_transfer_from_mt940_and_then_csv_is_booked_once(community, building, office):
    flat_12, _flat_7 = setup_bank(community, building, "11402004")
    sta = mt940(sep="~", account=community.bank_account, virtual=flat_12.bank_account)
    import_apply(
        preview=preview_bank_statement(file_name="maj.sta", content=sta.encode()), user=office
    )
    csv = mbank_lista_operacji(community.bank_account, flat_12.bank_account).encode("cp1250")
    preview = preview_bank_statement(file_name="maj.csv", content=csv)
    assert not preview.has_errors
    by_amount = {row.cells["kwota"]: row for row in preview.rows}
    assert by_amount["350,27"].notice == (
        "Ta wpłata jest już zaksięgowana z innego wyciągu (ten sam dzień, kwota i rachunek "
        "zleceniodawcy) – pominięto."
    )
    import_apply(preview=preview, user=office)
    assert Payment.objects.filter(amount=Decimal("350.27")).count() == 1


def test_two_equal_transfers_of_one_day_are_both_kept_across_exports(community, building, office):
    """A payer who paid twice the same day: each booked payment stands for one row only."""
    flat_12, _flat_7 = setup_bank(community, building, "11402004")
    first = (
        "id_transakcji;data;kwota;tytul;rachunek_nadawcy;rachunek_odbiorcy\n"
        f"TR-1;05.05.2025;100,00;Lokal 12;{PAYER};{flat_12.bank_account}\n"
    ).encode()
    import_apply(preview=preview_bank_statement(file_name="a.csv", content=first), user=office)
    both = (
        "data;kwota;tytul;rachunek_nadawcy;rachunek_odbiorcy\n"
        f"05.05.2025;100,00;Lokal 12;{PAYER};{flat_12.bank_account}\n"
        f"05.05.2025;100,00;Lokal 12;{PAYER};{flat_12.bank_account}\n"
    ).encode()
    preview = preview_bank_statement(file_name="b.csv", content=both)
    assert len(preview.to_create) == 1 and preview.skipped_count == 1


# --- The same operation in two exports, without the payer's account --------------------------


def cash_mt940(account):
    """mBank MT940: cash paid in at a branch and an internal transfer: no ~38/~30/~31."""
    return (
        ":20:ST250506CYC/1\r\n"
        f":25:/PL{account}\r\n"
        ":28C:00090/1\r\n"
        ":60F:C250505PLN1000,00\r\n"
        ":61:2505060506CN200,00NTRFNONREF//25126000011\r\n"
        ":86:020~00WPŁATA GOTÓWKOWA~20Wpłata za lokal 7   czerw~21iec~32JAN KOWALSKI\r\n"
        ":61:2505060506CN500,00NTRFNONREF//25126000012\r\n"
        ":86:020~00WPŁATA GOTÓWKOWA~20Wpłata gotówkowa~32ANNA NOWAK\r\n"
        ":62F:C250506PLN1700,00\r\n"
    ).encode("cp1250")


def cash_mbank_csv(account):
    """The same day in mBank's "Lista operacji": the bank's own CSV writes the title in capitals
    without Polish letters, the payer with the address, and adds what MT940 did not have."""
    return (
        "#Numer rachunku;\n"
        f"{account};\n"
        ";\n"
        "#Data operacji;#Data księgowania;#Opis operacji;#Tytuł;#Nadawca/Odbiorca;"
        "#Numer konta;#Kwota;#Saldo po operacji;\n"
        "2025-05-06;2025-05-06;WPŁATA GOTÓWKOWA;WPLATA ZA LOKAL 7 CZERWIEC ;"
        '"JAN  KOWALSKI UL. ŁĄKOWA 1";;200,00;1 200,00;\n'
        "2025-05-06;2025-05-06;WPŁATA GOTÓWKOWA;Wpłata za lokal 9 czerwiec;"
        "EWA NOWAK;;200,00;1 400,00;\n"
        "2025-05-06;2025-05-06;WPŁATA GOTÓWKOWA;Wpłata gotówkowa;ANNA NOWAK;;500,00;1 900,00;\n"
        "2025-05-06;2025-05-06;WPŁATA GOTÓWKOWA;Wpłata gotówkowa;PIOTR ZIELIŃSKI;;500,00;"
        "2 400,00;\n"
    ).encode("cp1250")


@pytest.mark.parametrize("mt940_first", [True, False], ids=["mt940_then_csv", "csv_then_mt940"])
def test_transfer_without_payers_account_in_two_exports_is_booked_once(
    mt940_first, community, building, office
):
    setup_bank(community, building, "11402004")
    files = [
        ("06.sta", cash_mt940(community.bank_account)),
        ("06.csv", cash_mbank_csv(community.bank_account)),
    ]
    if not mt940_first:
        files.reverse()
    (first_name, first), (second_name, second) = files
    import_apply(preview=preview_bank_statement(file_name=first_name, content=first), user=office)
    preview = preview_bank_statement(file_name=second_name, content=second)
    assert not preview.has_errors, (preview.file_errors, [r.errors for r in preview.rows])
    kowalski = next(row for row in preview.rows if row.cells["nadawca"].startswith("JAN"))
    assert kowalski.notice == (
        "Ta wpłata jest już zaksięgowana z innego wyciągu (ten sam dzień, kwota, tytuł "
        "i zleceniodawca) – pominięto."
    )
    import_apply(preview=preview, user=office)
    # Lokal 7 and Anna Nowak's deposit once each; lokal 9 and Piotr Zieliński's deposit are
    # other people's money of the same amount and day, kept.
    assert sorted(Payment.objects.values_list("amount", flat=True)) == [
        Decimal("200.00"),
        Decimal("200.00"),
        Decimal("500.00"),
        Decimal("500.00"),
    ]
    assert Payment.objects.filter(payer_name__startswith="JAN").count() == 1
    assert Payment.objects.filter(payer_name__startswith="EWA").count() == 1
    assert Payment.objects.filter(payer_name="ANNA NOWAK").count() == 1
    assert Payment.objects.filter(payer_name__startswith="PIOTR").count() == 1
    again = preview_bank_statement(file_name=second_name, content=second)
    assert again.to_create == []


def test_two_exports_with_different_titles_of_one_day_and_amount_are_both_kept(
    community, building, office
):
    """No payer's account in either: "lokal 1" and "lokal 12" are two payments, not one cut."""
    setup_bank(community, building, "11402004")
    account = community.bank_account
    sta = (
        f":20:ST1\n:25:/PL{account}\n"
        ":61:2505060506CN200,00NTRFNONREF//25126000021\n"
        ":86:020~20Lokal 1~32JAN NOWAK\n"
    ).encode()
    import_apply(preview=preview_bank_statement(file_name="a.sta", content=sta), user=office)
    csv = (
        b"data;kwota;tytul;nadawca\n"
        b"06.05.2025;200,00;Lokal 12;JAN NOWAK\n"
        b"06.05.2025;200,00;Lokal 1;JAN NOWAK\n"
    )
    preview = preview_bank_statement(file_name="b.csv", content=csv, community=community)
    assert [row.obj.title for row in preview.rows if row.will_create] == ["Lokal 12"]
    assert preview.skipped_count == 1


@pytest.mark.parametrize(
    "stored, title, matched",
    [
        ("12", "Czynsz lokal 012", True),
        ("12", "czynsz M 012 maj", True),
        ("12", "czynsz m. 12", True),
        ("012", "Czynsz lokal 12", True),
        ("012", "Czynsz M 12", True),
        ("12A", "Czynsz lokal 12", False),
        ("112", "Czynsz lokal 12", False),
        ("12", "Czynsz lokal 112", False),
        ("12", "Czynsz lokal 12A", False),
    ],
)
def test_premises_number_in_a_title_matches_as_the_office_stored_it(
    community, building, stored, title, matched
):
    """One rule for premises numbers: leading zeros and "lokal"/"M" aside, letters count."""
    flat = PremisesFactory(building=building, number=stored)
    community.bank_account = nrb("11402004", 1)
    community.save()
    content = f"data;kwota;tytul\n05.05.2025;100,00;{title}\n".encode()
    preview = preview_bank_statement(file_name="w.csv", content=content, community=community)
    assert not preview.has_errors, [r.errors for r in preview.rows]
    assert preview.to_create[0].premises == (flat if matched else None)


def test_mt940_cut_short_is_refused_by_its_balances(admin_client, community, building):
    """A download broken off mid-file: the operations no longer add up to the closing balance."""
    flat_12, _flat_7 = setup_bank(community, building, "11402004")
    whole = mt940(sep="~", account=community.bank_account, virtual=flat_12.bank_account)
    lines = whole.split("\r\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(":61:2505060506DN12"))
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith(":61:"))
    cut = "\r\n".join(lines[:start] + lines[end:]).encode("cp1250")
    upload = SimpleUploadedFile("wyciag.sta", cut)
    response = admin_client.post(reverse("admin:finance_payment_import"), {"file": upload})
    html = response.content.decode()
    assert (
        "Wyciąg nr 1 w pliku: saldo początkowe 1000,00 i operacje na 600,27 nie dają salda "
        "końcowego 1588,27. Plik jest niekompletny lub uszkodzony; pobierz go z banku ponownie."
    ) in html
    assert Payment.objects.count() == 0


def test_mt940_with_several_days_and_accounts_in_one_file_is_read(community, building, office):
    """One file, one statement per account and day (mBank, PKO BP): each checks its balances."""
    flat_12, _flat_7 = setup_bank(community, building, "11402004")
    from finance.models import Fund, FundAccount

    repair = nrb("11402004", 99)
    FundAccount.objects.create(community=community, fund=Fund.REPAIR, bank_account=repair)
    content = (
        "\x01:20:ST250505CYC/1\r\n"
        f":25:/PL{community.bank_account}  \r\n"
        ":28C:00089/1\r\n"
        ":60F:C250504PLN1000,00\r\n"
        ":61:2505050505CN350,27NTRFNONREF//25125000001   \r\n"
        ":86:020~00PRZELEW~20Zaliczka lokal 12~32JAN NOWAK\r\n"
        ":62F:C250505PLN1350,27\r\n"
        "-\r\n"
        ":20:ST250506CYC/1\r\n"
        f":25:/PL{community.bank_account}\r\n"
        ":28C:00090/1\r\n"
        ":60F:C250505PLN1350,27\r\n"
        ":61:2505060506DN1350,27NTRFNONREF//25126000002\r\n"
        ":86:073~00PRZELEW WYCHODZĄCY~20Faktura 1/2025\r\n"
        ":62F:D250506PLN0,00\r\n"
        "-\r\n"
        ":20:ST250506CYC/2\r\n"
        f":25:/PL{repair}\r\n"
        ":60F:D250505PLN10,00\r\n"
        ":61:2505060506CN60,00NTRFNONREF//25126000003\r\n"
        ":86:020~00PRZELEW~20Fundusz remontowy lokal 12~32JAN NOWAK\r\n"
        ":62F:C250506PLN50,00\r\n"
        "-\x03\x1a"
    ).encode("cp1250")
    preview = preview_bank_statement(file_name="maj.sta", content=content)
    assert not preview.has_errors, (preview.file_errors, [r.errors for r in preview.rows])
    created = sorted((p.amount, p.fund) for p in preview.to_create)
    assert created == [(Decimal("60.00"), Fund.REPAIR), (Decimal("350.27"), "")]
    assert [row.notice for row in preview.rows][1] == "Obciążenie rachunku (wypłata) – pominięto."


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    "postgresql" not in connection.vendor, reason="row locks: PostgreSQL (SQLite serialises)"
)
def test_mt940_and_csv_of_one_day_confirmed_at_once_book_each_transfer_once(community, building):
    """Two tabs: the MT940 file in one, the CSV export in the other, "Zatwierdź" in both."""
    import threading

    from finance.services import ImportRejected, import_apply_upload
    from imports.services import UploadGone, upload_store

    setup_bank(community, building, "11402004")
    office = UserFactory(is_staff=True, is_superuser=True, username="biuro3")
    uploads = [
        upload_store(kind="bank", file_name=name, content=content, user=office)
        for name, content in [
            ("06.sta", cash_mt940(community.bank_account)),
            ("06.csv", cash_mbank_csv(community.bank_account)),
        ]
    ]
    barrier = threading.Barrier(2)
    outcomes = []

    def confirm(upload):
        try:
            barrier.wait()
            import_apply_upload(
                token=str(upload.token),
                user=office,
                kind="bank",
                build=lambda u: preview_bank_statement(
                    file_name=u.file_name, content=bytes(u.content)
                ),
            )
            outcomes.append("applied")
        except (UploadGone, ImportRejected) as error:
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(upload,)) for upload in uploads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == ["applied", "applied"]
    # Jan Kowalski's and Anna Nowak's deposits once each, Ewa Nowak's and Piotr Zieliński's.
    assert Payment.objects.count() == 4
