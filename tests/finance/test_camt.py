"""camt.053 (ISO 20022 BankToCustomerStatement) as Polish banks export it, hand-made from the
message definition of each version (.001.02 to .001.08 differ in where the status, the parties'
names and a transfer's amount are written) and the ZBP's recommendation for the Polish market."""

from decimal import Decimal
from xml.sax.saxutils import escape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from finance.imports import preview_bank_statement
from finance.models import Fund, FundAccount, ImportBatch, Payment
from finance.services import import_apply
from tests.factories import UserFactory
from tests.finance.test_statements import PAYER, TITLE, mt940, nrb, setup_bank

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(db):
    return UserFactory(is_staff=True, is_superuser=True, username="biuro")


@pytest.fixture
def admin_client(client, office):
    client.force_login(office)
    return client


def account_xml(account: str, form: str) -> str:
    if form == "IBAN":
        return f"<Id><IBAN>PL{account}</IBAN></Id>"
    return f"<Id><Othr><Id>{account}</Id></Othr></Id>"


def party(version: str, tag: str, name: str) -> str:
    """The parties' names: Nm up to .07, Pty/Nm from .08 on."""
    if int(version) >= 8:
        return f"<{tag}><Pty><Nm>{escape(name)}</Nm></Pty></{tag}>"
    return f"<{tag}><Nm>{escape(name)}</Nm></{tag}>"


def tx(
    version,
    *,
    amount=None,
    payer="",
    payer_account="",
    paid_to="",
    lines=(),
    reference="",
    end_to_end="NOTPROVIDED",
    strd="",
    form="IBAN",
    debit=False,
):
    """One TxDtls; its amount (a batch's transfers) as Amt from .03 on, AmtDtls/TxAmt in .02."""
    parts = ["<TxDtls><Refs>"]
    if reference:
        parts.append(f"<AcctSvcrRef>{reference}</AcctSvcrRef>")
    parts.append(f"<EndToEndId>{end_to_end}</EndToEndId></Refs>")
    if amount is not None:
        if version == "02":
            parts.append(f'<AmtDtls><TxAmt><Amt Ccy="PLN">{amount}</Amt></TxAmt></AmtDtls>')
        else:
            parts.append(f'<Amt Ccy="PLN">{amount}</Amt>')
    parties = []
    if payer:
        parties.append(party(version, "Cdtr" if debit else "Dbtr", payer))
    if payer_account:
        tag = "CdtrAcct" if debit else "DbtrAcct"
        parties.append(f"<{tag}>{account_xml(payer_account, form)}</{tag}>")
    if paid_to:
        parties.append(f"<CdtrAcct>{account_xml(paid_to, 'IBAN')}</CdtrAcct>")
    if parties:
        parts.append("<RltdPties>" + "".join(parties) + "</RltdPties>")
    if lines or strd:
        ustrd = "".join(f"<Ustrd>{escape(line)}</Ustrd>" for line in lines)
        parts.append(f"<RmtInf>{ustrd}{strd}</RmtInf>")
    parts.append("</TxDtls>")
    return "".join(parts)


def ntry(
    version,
    amount,
    *,
    day="2025-05-05",
    debit=False,
    status="BOOK",
    reference="",
    details=(),
    info="",
    reversal=False,
    date_time=False,
):
    sts = f"<Sts><Cd>{status}</Cd></Sts>" if int(version) >= 8 else f"<Sts>{status}</Sts>"
    booked = f"<DtTm>{day}T10:30:00+02:00</DtTm>" if date_time else f"<Dt>{day}</Dt>"
    parts = [
        f'<Ntry><Amt Ccy="PLN">{amount}</Amt><CdtDbtInd>{"DBIT" if debit else "CRDT"}</CdtDbtInd>',
        "<RvslInd>true</RvslInd>" if reversal else "",
        sts,
        f"<BookgDt>{booked}</BookgDt><ValDt><Dt>{day}</Dt></ValDt>",
        f"<AcctSvcrRef>{reference}</AcctSvcrRef>" if reference else "",
        "<BkTxCd><Prtry><Cd>020</Cd><Issr>ZBP</Issr></Prtry></BkTxCd>",
    ]
    if details:
        parts.append("<NtryDtls>" + "".join(details) + "</NtryDtls>")
    if info:
        parts.append(f"<AddtlNtryInf>{escape(info)}</AddtlNtryInf>")
    parts.append("</Ntry>")
    return "".join(parts)


def balance(code: str, amount: str, day: str) -> str:
    sign = "DBIT" if amount.startswith("-") else "CRDT"
    return (
        f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>"
        f'<Amt Ccy="PLN">{amount.lstrip("-")}</Amt><CdtDbtInd>{sign}</CdtDbtInd>'
        f"<Dt><Dt>{day}</Dt></Dt></Bal>"
    )


def stmt(account, entries, *, opening="1000.00", closing=None, form="IBAN", number=1):
    bals = balance("OPBD", opening, "2025-05-04")
    if closing is not None:
        bals += balance("CLBD", closing, "2025-05-07")
    return (
        f"<Stmt><Id>WYC/2025/{number}</Id><ElctrncSeqNb>{number}</ElctrncSeqNb>"
        f"<CreDtTm>2025-05-08T06:00:00</CreDtTm>"
        f"<Acct>{account_xml(account, form)}<Ccy>PLN</Ccy></Acct>{bals}{''.join(entries)}</Stmt>"
    )


def camt053(version, statements, *, encoding="UTF-8", prefix="") -> bytes:
    ns = f"urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}"
    p = f"{prefix}:" if prefix else ""
    xmlns = f"xmlns:{prefix}" if prefix else "xmlns"
    body = "".join(statements)
    if prefix:
        body = body.replace("</", "\x00").replace("<", f"<{p}").replace("\x00", f"</{p}")
    text = (
        f'<?xml version="1.0" encoding="{encoding}"?>\r\n'
        f'<{p}Document {xmlns}="{ns}"><{p}BkToCstmrStmt><{p}GrpHdr><{p}MsgId>MSG1</{p}MsgId>'
        f"<{p}CreDtTm>2025-05-08T06:00:00</{p}CreDtTm></{p}GrpHdr>{body}"
        f"</{p}BkToCstmrStmt></{p}Document>\r\n"
    )
    return text.encode(encoding)


def may_statement(version, community, flat_12, *, form="IBAN", refs=("C1", "C2", "C3", "C4")):
    """The operations of test_statements.mt940(): a transfer to premises 12's virtual account,
    one with the premises number in its title, the bank's fee, a gift; and one pending."""
    entries = [
        ntry(
            version,
            "350.27",
            reference=refs[0],
            details=[
                tx(
                    version,
                    payer="ŻANETA GĘŚLA-ŁOŚ",
                    payer_account=PAYER,
                    paid_to=flat_12.bank_account,
                    lines=(TITLE[:35], TITLE[35:]),
                    form=form,
                )
            ],
        ),
        ntry(
            version,
            "200.00",
            day="2025-05-06",
            reference=refs[1],
            details=[tx(version, payer="JAN KOWALSKI", lines=("Opłata za lokal 7 czerwiec",))],
            date_time=True,
        ),
        ntry(version, "12.00", day="2025-05-06", debit=True, reference=refs[2], info="Prowizja"),
        ntry(
            version,
            "50.00",
            day="2025-05-07",
            reference=refs[3],
            details=[tx(version, payer="ANONIM", lines=("Darowizna",), end_to_end="E2E-77")],
        ),
        ntry(
            version,
            "999.00",
            day="2025-05-07",
            status="PDNG",
            details=[tx(version, payer="JAN KOWALSKI", lines=("Lokal 7",))],
        ),
    ]
    return [stmt(community.bank_account, entries, closing="1588.27", form=form)]


VERSIONS = {
    # version: (bank's sort code, how the accounts are written, encoding declared)
    "02": ("10201026", "IBAN", "UTF-8"),  # PKO BP
    "03": ("12401037", "Othr", "UTF-8"),  # Pekao
    "04": ("10901014", "IBAN", "windows-1250"),  # Santander
    "05": ("10501445", "IBAN", "UTF-8"),  # ING
    "06": ("11402004", "Othr", "ISO-8859-2"),  # mBank
    "07": ("11602202", "IBAN", "UTF-8"),  # Millennium
    "08": ("16001462", "IBAN", "UTF-8"),  # BNP Paribas
}


@pytest.mark.parametrize("version", VERSIONS)
def test_camt053_of_each_version_matches_payments_and_reimport_adds_nothing(
    version, community, building, office
):
    sort_code, form, encoding = VERSIONS[version]
    flat_12, flat_7 = setup_bank(community, building, sort_code)
    content = camt053(
        version, may_statement(version, community, flat_12, form=form), encoding=encoding
    )
    preview = preview_bank_statement(file_name="wyciag.xml", content=content)
    assert not preview.has_errors, (preview.file_errors, [r.errors for r in preview.rows])
    assert preview.kind == ImportBatch.Kind.BANK_CAMT
    assert preview.community == community
    assert preview.source.startswith("camt.053")
    notices = [row.notice for row in preview.rows]
    assert notices[2] == "Obciążenie rachunku (wypłata) – pominięto."
    assert notices[4] == "Operacja niezaksięgowana (status PDNG) – pominięto."
    import_apply(preview=preview, user=office)

    virtual_paid = Payment.objects.get(amount=Decimal("350.27"))
    assert virtual_paid.premises == flat_12
    assert virtual_paid.match == Payment.Match.VIRTUAL
    assert virtual_paid.title == TITLE
    assert virtual_paid.payer_name == "ŻANETA GĘŚLA-ŁOŚ"
    assert virtual_paid.payer_account == PAYER
    assert virtual_paid.bank_transaction_id == "C1"
    assert virtual_paid.booked_on.isoformat() == "2025-05-05"
    by_title = Payment.objects.get(amount=Decimal("200.00"))
    assert by_title.premises == flat_7
    assert by_title.match == Payment.Match.TITLE
    assert by_title.booked_on.isoformat() == "2025-05-06"
    queued = Payment.objects.get(amount=Decimal("50.00"))
    assert queued.premises is None and queued.community == community
    assert Payment.objects.count() == 3  # neither the fee nor the pending entry
    assert ImportBatch.objects.get().get_kind_display() == "wyciąg bankowy (camt.053)"

    again = preview_bank_statement(file_name="wyciag.xml", content=content)
    assert not again.has_errors
    assert again.to_create == []
    assert Payment.objects.count() == 3


def test_camt053_with_a_namespace_prefix_and_structured_remittance_is_read(
    community, building, office
):
    flat_12, _flat_7 = setup_bank(community, building, "11402004")
    strd = "<Strd><CdtrRefInf><Ref>Lokal 12 maj</Ref></CdtrRefInf></Strd>"
    entry = ntry("08", "100.00", reference="S1", details=[tx("08", payer="EWA", strd=strd)])
    content = camt053("08", [stmt(community.bank_account, [entry])], prefix="camt")
    preview = preview_bank_statement(file_name="wyciag.xml", content=content)
    assert not preview.has_errors, (preview.file_errors, [r.errors for r in preview.rows])
    assert preview.to_create[0].title == "Lokal 12 maj"
    assert preview.to_create[0].premises == flat_12


def test_camt053_batch_entry_is_one_payment_per_transfer(community, building, office):
    """A batch booked as one entry (e.g. a payment operator's collection): each TxDtls is a
    transfer of its own, with its own payer and premises."""
    flat_12, flat_7 = setup_bank(community, building, "10201026")
    transfers = [
        tx("05", amount="350.27", payer="ŻANETA GĘŚLA-ŁOŚ", lines=("Lokal 12 maj",)),
        tx("05", amount="200.00", payer="JAN KOWALSKI", lines=("Lokal 7 maj",)),
    ]
    entry = ntry("05", "550.27", reference="ZB-1", details=transfers)
    content = camt053("05", [stmt(community.bank_account, [entry], closing="1550.27")])
    preview = preview_bank_statement(file_name="wyciag.xml", content=content)
    assert not preview.has_errors, (preview.file_errors, [r.errors for r in preview.rows])
    import_apply(preview=preview, user=office)
    booked = sorted(Payment.objects.values_list("bank_transaction_id", "amount", "premises"))
    assert booked == [
        ("ZB-1/1", Decimal("350.27"), flat_12.pk),
        ("ZB-1/2", Decimal("200.00"), flat_7.pk),
    ]
    again = preview_bank_statement(file_name="wyciag.xml", content=content)
    assert again.to_create == []


def test_camt053_batch_whose_transfers_do_not_add_up_is_refused(community, building):
    setup_bank(community, building, "10201026")
    transfers = [
        tx("05", amount="350.27", payer="A", lines=("Lokal 12",)),
        tx("05", amount="100.00", payer="B", lines=("Lokal 7",)),
    ]
    entry = ntry("05", "550.27", reference="ZB-1", details=transfers)
    content = camt053("05", [stmt(community.bank_account, [entry])])
    preview = preview_bank_statement(file_name="wyciag.xml", content=content)
    assert preview.has_errors
    assert preview.rows[0].errors == [
        "Operacja zbiorcza na 550,27: kwoty jej 2 przelewów dają razem 450,27. Plik jest "
        "uszkodzony; pobierz go z banku ponownie."
    ]


def test_camt053_reversal_is_not_a_payment(community, building):
    setup_bank(community, building, "11402004")
    entries = [
        ntry("08", "80.00", debit=True, reversal=True, reference="R1", info="Storno"),
        ntry("08", "15.00", reversal=True, reference="R2", info="Zwrot opłaty"),
    ]
    content = camt053("08", [stmt(community.bank_account, entries)])
    preview = preview_bank_statement(file_name="wyciag.xml", content=content)
    assert not preview.has_errors
    assert [row.notice for row in preview.rows] == [
        "Storno operacji (korekta banku) – pominięto."
    ] * 2
    assert preview.rows[0].warnings == [
        "Bank cofnął wpływ 80,00\xa0zł; jeśli był zaimportowany jako wpłata, usuń lub popraw tę "
        "wpłatę."
    ]
    assert preview.to_create == []


def test_camt053_with_several_statements_in_one_file_is_read(community, building, office):
    """One file, one Stmt per account (main and repair fund), each checking its balances."""
    flat_12, _flat_7 = setup_bank(community, building, "11402004")
    repair = nrb("11402004", 99)
    FundAccount.objects.create(community=community, fund=Fund.REPAIR, bank_account=repair)
    main_entries = [
        ntry("06", "350.27", reference="M1", details=[tx("06", lines=("Lokal 12",))]),
        ntry("06", "1350.27", debit=True, reference="M2", info="Faktura 1/2025"),
    ]
    fund_entries = [
        ntry("06", "60.00", reference="F1", details=[tx("06", lines=("Fundusz lokal 12",))])
    ]
    content = camt053(
        "06",
        [
            stmt(community.bank_account, main_entries, opening="1000.00", closing="0.00"),
            stmt(repair, fund_entries, opening="-10.00", closing="50.00", number=2),
        ],
    )
    preview = preview_bank_statement(file_name="wyciag.xml", content=content)
    assert not preview.has_errors, (preview.file_errors, [r.errors for r in preview.rows])
    created = sorted((p.amount, p.fund) for p in preview.to_create)
    assert created == [(Decimal("60.00"), Fund.REPAIR), (Decimal("350.27"), "")]


def test_camt053_whose_balances_do_not_add_up_is_refused(admin_client, community, building):
    flat_12, _flat_7 = setup_bank(community, building, "11402004")
    statement = may_statement("08", community, flat_12)[0].replace("350.27", "305.27")
    upload = SimpleUploadedFile("wyciag.xml", camt053("08", [statement]))
    response = admin_client.post(reverse("admin:finance_payment_import"), {"file": upload})
    assert (
        "Wyciąg nr 1 w pliku: saldo początkowe 1000,00 i operacje na 543,27 nie dają salda "
        "końcowego 1588,27. Plik jest niekompletny lub uszkodzony; pobierz go z banku ponownie."
    ) in response.content.decode()
    assert Payment.objects.count() == 0


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n'
    b"<Document><BkToCstmrStmt>&lol3;</BkToCstmrStmt></Document>"
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    b"<Document><BkToCstmrStmt><Stmt><Acct>&xxe;</Acct></Stmt></BkToCstmrStmt></Document>"
)
BAD_XML = {
    "xml_bomb": (
        BILLION_LAUGHS,
        "Plik XML zawiera deklarację DTD lub encje, których wyciąg bankowy nie ma (tak wygląda "
        "np. „bomba XML”); ze względów bezpieczeństwa nie został wczytany.",
    ),
    "external_entity": (
        EXTERNAL_ENTITY,
        "Plik XML zawiera deklarację DTD lub encje",
    ),
    "cut_short": (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:'
        b'xsd:camt.053.001.02">\n<BkToCstmrStmt><Stmt><Ntry><Amt>1',
        "Plik XML jest uszkodzony lub niekompletny (błąd w wierszu 3, kolumnie",
    ),
    "pain_001": (
        b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03">'
        b"<CstmrCdtTrfInitn/></Document>",
        "Plik XML to komunikat pain.001.001.03, a nie wyciąg camt.053 (ISO 20022): nie ma w nim "
        "elementu BkToCstmrStmt.",
    ),
    "other_xml": (
        b'<?xml version="1.0" encoding="UTF-8"?><przelewy><przelew/></przelewy>',
        "Plik XML nie jest wyciągiem camt.053 (ISO 20022): nie ma w nim elementu BkToCstmrStmt "
        "(główny element pliku to „przelewy”).",
    ),
    "camt_052": (
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.02"><BkToCstmrAcctRpt>'
        b"</BkToCstmrAcctRpt></Document>",
        "To raport camt.052 (operacje w ciągu dnia, także niezaksięgowane), a nie wyciąg.",
    ),
    "no_statement": (
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>'
        b"<GrpHdr><MsgId>1</MsgId></GrpHdr></BkToCstmrStmt></Document>",
        "Plik camt.053 nie zawiera żadnego wyciągu (elementu Stmt).",
    ),
    "html": (
        b"<!DOCTYPE html>\n<html><body><table><tr><td>1</td></tr></table></body></html>",
        "Plik jest stroną HTML (np. zapisaną z przeglądarki), a nie wyciągiem.",
    ),
}


@pytest.mark.parametrize("name", BAD_XML)
def test_bad_xml_files_are_refused_in_polish_naming_the_fault(admin_client, community, name):
    content, message = BAD_XML[name]
    upload = SimpleUploadedFile("wyciag.xml", content)
    response = admin_client.post(reverse("admin:finance_payment_import"), {"file": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "root:" not in html  # nothing of /etc/passwd
    assert Payment.objects.count() == 0


def test_camt053_entry_with_a_bad_amount_date_or_currency_is_a_row_error(community, building):
    setup_bank(community, building, "11402004")
    entries = [
        ntry("08", "12,50", reference="B1"),
        ntry("08", "10.00", day="2025-13-01", reference="B2"),
        ntry("08", "10.00", reference="B3").replace('Ccy="PLN"', 'Ccy="EUR"'),
    ]
    content = camt053("08", [stmt(community.bank_account, entries)])
    preview = preview_bank_statement(file_name="wyciag.xml", content=content)
    assert [row.errors for row in preview.rows] == [
        ["Nieprawidłowa kwota „12,50” (np. 350.27)."],
        ["Nieprawidłowa data „2025-13-01” (RRRR-MM-DD, np. 2025-05-05)."],
        ["Kwota 10.00 w walucie EUR: importowane są tylko wpłaty w złotych."],
    ]


def test_camt053_booking_moment_in_utc_is_booked_on_the_polish_day(community, building):
    setup_bank(community, building, "11402004")
    entry = ntry("08", "10.00", reference="T1", details=[tx("08", lines=("Lokal 12",))])
    entry = entry.replace(
        "<Dt>2025-05-05</Dt></BookgDt>", "<DtTm>2025-05-05T23:30:00Z</DtTm></BookgDt>"
    )
    content = camt053("08", [stmt(community.bank_account, [entry])])
    preview = preview_bank_statement(file_name="wyciag.xml", content=content)
    assert preview.rows[0].cells["data"] == "06.05.2025"


def test_camt053_in_windows_1250_declared_as_utf8_is_read(community, building):
    """Some exports write Windows-1250 bytes under an XML declaration that says UTF-8."""
    flat_12, _flat_7 = setup_bank(community, building, "10201026")
    detail = tx("02", payer="ŻÓŁW", lines=("Lokal 12",))
    entry = ntry("02", "10.00", reference="W1", details=[detail])
    content = camt053("02", [stmt(community.bank_account, [entry])], encoding="windows-1250")
    content = content.replace(b'encoding="windows-1250"', b'encoding="UTF-8"')
    preview = preview_bank_statement(file_name="wyciag.xml", content=content)
    assert not preview.has_errors, (preview.file_errors, [r.errors for r in preview.rows])
    assert preview.to_create[0].payer_name == "ŻÓŁW"


# --- The same transfer in MT940 and camt.053 -------------------------------------------------


@pytest.mark.parametrize("mt940_first", [True, False], ids=["mt940_then_camt", "camt_then_mt940"])
def test_same_transfers_from_mt940_and_camt053_are_booked_once(
    mt940_first, community, building, office
):
    """The bank's references of the two exports differ: the payments are known by content."""
    flat_12, _flat_7 = setup_bank(community, building, "11402004")
    sta = mt940(sep="~", account=community.bank_account, virtual=flat_12.bank_account).encode()
    xml = camt053("08", may_statement("08", community, flat_12))
    files = [("maj.sta", sta), ("maj.xml", xml)]
    if not mt940_first:
        files.reverse()
    (first_name, first), (second_name, second) = files
    import_apply(preview=preview_bank_statement(file_name=first_name, content=first), user=office)
    preview = preview_bank_statement(file_name=second_name, content=second)
    assert not preview.has_errors, (preview.file_errors, [r.errors for r in preview.rows])
    by_amount = {row.cells["kwota"]: row for row in preview.rows}
    assert by_amount["350,27"].notice == (
        "Ta wpłata jest już zaksięgowana z innego wyciągu (ten sam dzień, kwota i rachunek "
        "zleceniodawcy) – pominięto."
    )
    assert by_amount["200,00"].notice == (
        "Ta wpłata jest już zaksięgowana z innego wyciągu (ten sam dzień, kwota, tytuł "
        "i zleceniodawca) – pominięto."
    )
    assert preview.to_create == []
    import_apply(preview=preview, user=office)
    assert Payment.objects.count() == 3


def test_camt053_with_the_mt940_references_is_known_by_them(community, building, office):
    flat_12, _flat_7 = setup_bank(community, building, "11402004")
    sta = mt940(sep="~", account=community.bank_account, virtual=flat_12.bank_account).encode()
    import_apply(preview=preview_bank_statement(file_name="maj.sta", content=sta), user=office)
    refs = ("25125000001", "25126000002", "25126000003", "C4")
    xml = camt053("08", may_statement("08", community, flat_12, refs=refs))
    preview = preview_bank_statement(file_name="maj.xml", content=xml)
    assert preview.rows[0].notice == "Transakcja zaimportowana wcześniej – pominięto."
    assert preview.to_create == []


def test_two_camt053_transfers_of_one_day_amount_and_payer_are_both_kept(
    community, building, office
):
    """The bank's own references tell two equal transfers apart, as in MT940."""
    flat_12, _flat_7 = setup_bank(community, building, "11402004")

    def one(reference):
        detail = tx("08", payer="JAN", payer_account=PAYER, lines=("Lokal 12",))
        return ntry("08", "100.00", reference=reference, details=[detail])

    first = camt053("08", [stmt(community.bank_account, [one("A1")])])
    import_apply(preview=preview_bank_statement(file_name="a.xml", content=first), user=office)
    second = camt053("08", [stmt(community.bank_account, [one("A2")])])
    preview = preview_bank_statement(file_name="b.xml", content=second)
    assert len(preview.to_create) == 1
    assert flat_12.pk == preview.to_create[0].premises_id


def test_camt053_import_is_listed_in_admin_as_camt(admin_client, community, building):
    flat_12, _flat_7 = setup_bank(community, building, "11402004")
    content = camt053("08", may_statement("08", community, flat_12))
    url = reverse("admin:finance_payment_import")
    response = admin_client.post(url, {"file": SimpleUploadedFile("maj.xml", content)})
    assert "camt.053, mBank" in response.content.decode()
    done = admin_client.post(url, {"token": response.context["token"], "apply": "1"}, follow=True)
    assert "Zaimportowano 3 pozycje, pominięto 2." in done.content.decode()
    html = admin_client.get(reverse("admin:finance_importbatch_changelist")).content.decode()
    assert '<td class="field-kind">wyciąg bankowy (camt.053)</td>' in html


def batch_mt940(account):
    """The batch of test_camt053_batch_entry_is_one_payment_per_transfer as MT940 writes it:
    one credit of the whole amount under the bank's reference."""
    return (
        f":20:ST1\r\n:25:/PL{account}\r\n:60F:C250504PLN1000,00\r\n"
        ":61:2505050505CN550,27NTRFNONREF//ZB-1\r\n"
        ":86:020~00PRZELEW ZBIORCZY~20Wpłaty zbiorcze~32OPERATOR PŁATNOŚCI\r\n"
        ":62F:C250505PLN1550,27\r\n"
    ).encode("cp1250")


@pytest.mark.parametrize("mt940_first", [True, False], ids=["mt940_then_camt", "camt_then_mt940"])
def test_batch_booked_as_one_in_mt940_and_per_transfer_in_camt053_is_booked_once(
    mt940_first, community, building, office
):
    setup_bank(community, building, "10201026")
    transfers = [
        tx("05", amount="350.27", payer="ŻANETA GĘŚLA-ŁOŚ", lines=("Lokal 12 maj",)),
        tx("05", amount="200.00", payer="JAN KOWALSKI", lines=("Lokal 7 maj",)),
    ]
    entry = ntry("05", "550.27", reference="ZB-1", details=transfers)
    xml = camt053("05", [stmt(community.bank_account, [entry], closing="1550.27")])
    files = [("maj.sta", batch_mt940(community.bank_account)), ("maj.xml", xml)]
    if not mt940_first:
        files.reverse()
    (first_name, first), (second_name, second) = files
    import_apply(preview=preview_bank_statement(file_name=first_name, content=first), user=office)
    booked = Payment.objects.count()
    preview = preview_bank_statement(file_name=second_name, content=second)
    assert not preview.has_errors, (preview.file_errors, [r.errors for r in preview.rows])
    assert {row.notice for row in preview.rows} == {
        "Transakcja zaimportowana wcześniej – pominięto."
    }
    assert preview.to_create == []
    assert Payment.objects.count() == booked
