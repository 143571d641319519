"""One payment whatever the path: the same transfer from a bank's CSV, MT940, camt.053 or the
API is booked once, though the exports name it by different dates (ordered on Friday, booked
on Monday); two payments alike stay two."""

import datetime
from decimal import Decimal

import pytest

from finance.imports import preview_bank_statement
from finance.models import Payment
from finance.services import import_apply
from tests.factories import UserFactory
from tests.finance.test_camt import camt053, ntry, stmt, tx
from tests.finance.test_statements import PAYER, setup_bank

pytestmark = pytest.mark.django_db

FRIDAY, MONDAY = datetime.date(2025, 5, 2), datetime.date(2025, 5, 5)
RENT = "Czynsz maj lokal 12"
SKIPPED_BY_ACCOUNT = (
    "Ta wpłata jest już zaksięgowana z innego wyciągu (ten sam dzień, kwota i rachunek "
    "zleceniodawcy) – pominięto."
)


@pytest.fixture
def office(db):
    return UserFactory(is_staff=True, is_superuser=True, username="biuro")


def mbank_csv(account, rows):
    """mBank "Lista operacji": the day the payer ordered the transfer, then the day booked."""
    lines = [
        "#Numer rachunku;",
        f"{account};",
        ";",
        "#Data operacji;#Data księgowania;#Opis operacji;#Tytuł;#Nadawca/Odbiorca;"
        "#Numer konta;#Kwota;#Saldo po operacji;",
    ]
    for ordered, booked, amount in rows:
        lines.append(
            f"{ordered:%Y-%m-%d};{booked:%Y-%m-%d};PRZELEW ZEWNĘTRZNY PRZYCHODZĄCY;{RENT};"
            f"JAN KOWALSKI;'{PAYER}';{amount};1 000,00;"
        )
    return ("\n".join(lines) + "\n").encode("cp1250")


def mt940(account, rows):
    """MT940: value date and entry (booking) date of each operation, the bank's reference."""
    body = [":20:ST250505/1", f":25:/PL{account}", ":28C:00089/1", ":60F:C250501PLN0,00"]
    total = Decimal("0.00")
    for booked, amount, reference in rows:
        body.append(f":61:{booked:%y%m%d}{booked:%m%d}CN{amount}NTRFNONREF//{reference}")
        body.append(f":86:020~00PRZELEW~20{RENT}~32JAN KOWALSKI~38PL{PAYER}")
        total += Decimal(amount.replace(",", "."))
    body.append(f":62F:C250531PLN{str(total).replace('.', ',')}")
    return ("\r\n".join(body) + "\r\n").encode("cp1250")


def camt(account, rows):
    entries = [
        ntry(
            "02",
            amount,
            day=f"{booked:%Y-%m-%d}",
            reference=reference,
            details=[tx("02", payer="JAN KOWALSKI", payer_account=PAYER, lines=[RENT])],
        )
        for booked, amount, reference in rows
    ]
    total = sum((Decimal(amount) for _booked, amount, _ref in rows), Decimal("0.00"))
    return camt053("02", [stmt(account, entries, opening="0.00", closing=f"{total:.2f}")])


def apply(content, office, name):
    preview = preview_bank_statement(file_name=name, content=content)
    assert not preview.has_errors, (preview.file_errors, [r.errors for r in preview.rows])
    import_apply(preview=preview, user=office)
    return preview


@pytest.mark.parametrize("other", ["mt940", "camt"])
@pytest.mark.parametrize("csv_first", [True, False], ids=["csv_first", "csv_second"])
def test_transfer_ordered_friday_booked_monday_is_one_payment_in_csv_and_statement(
    other, csv_first, community, building, office
):
    setup_bank(community, building, "11402004")
    account = community.bank_account
    csv = mbank_csv(account, [(FRIDAY, MONDAY, "350,27")])
    statement = (
        mt940(account, [(MONDAY, "350,27", "25125000001")])
        if other == "mt940"
        else camt(account, [(MONDAY, "350.27", "C-1")])
    )
    files = [("maj.csv", csv), (f"maj.{other}", statement)]
    if not csv_first:
        files.reverse()
    apply(files[0][1], office, files[0][0])
    second = apply(files[1][1], office, files[1][0])
    assert [row.notice for row in second.rows] == [SKIPPED_BY_ACCOUNT]
    payment = Payment.objects.get()
    assert payment.booked_on == MONDAY  # the day the money was booked on the account


def test_two_equal_rents_of_one_month_with_their_own_references_stay_two(
    community, building, office
):
    """Jan Kowalski paid the rent twice in May (once by mistake): the bank booked two
    operations; the CSV and the MT940 of the month each have both, and so has the ledger."""
    setup_bank(community, building, "11402004")
    account = community.bank_account
    second_monday = datetime.date(2025, 5, 12)
    apply(
        mbank_csv(account, [(FRIDAY, MONDAY, "350,27"), (second_monday, second_monday, "350,27")]),
        office,
        "maj.csv",
    )
    preview = apply(
        mt940(account, [(MONDAY, "350,27", "25125000001"), (second_monday, "350,27", "25132")]),
        office,
        "maj.sta",
    )
    assert preview.to_create == []
    assert Payment.objects.count() == 2
    # A later MT940 with a third such rent is a third payment.
    apply(mt940(account, [(datetime.date(2025, 5, 13), "350,27", "25133")]), office, "13.sta")
    assert Payment.objects.count() == 3


def test_csv_payment_booked_before_by_the_order_date_is_known_in_a_csv_again(
    community, building, office
):
    """Strefa booked the banks' CSV rows by the order date before; the same export imported
    again (or a longer one) must not book those transfers a second time."""
    setup_bank(community, building, "11402004")
    account = community.bank_account
    before = (
        "data;kwota;tytul;nadawca;rachunek_nadawcy;rachunek_odbiorcy\n"
        f"{FRIDAY:%d.%m.%Y};350,27;{RENT};JAN KOWALSKI;{PAYER};{account}\n"
    ).encode()
    apply(before, office, "stary.csv")
    preview = apply(mbank_csv(account, [(FRIDAY, MONDAY, "350,27")]), office, "maj.csv")
    assert preview.to_create == []
    assert Payment.objects.count() == 1


def test_payer_paying_the_same_amount_on_another_day_is_not_taken_for_a_known_one(
    community, building, office
):
    """The order date is compared only with what the bank booked on that very day."""
    setup_bank(community, building, "11402004")
    account = community.bank_account
    apply(mt940(account, [(datetime.date(2025, 5, 1), "350,27", "25121")]), office, "1.sta")
    preview = apply(
        mbank_csv(account, [(datetime.date(2025, 4, 30), MONDAY, "350,27")]), office, "maj.csv"
    )
    assert len(preview.to_create) == 1
    assert Payment.objects.count() == 2


def test_reference_booked_with_another_amount_is_refused_in_polish(community, building, office):
    """The same bank reference with another amount: a file edited by hand or a corrupted
    export; the office must look, so nothing is imported."""
    setup_bank(community, building, "11402004")
    account = community.bank_account
    apply(mt940(account, [(MONDAY, "350,27", "25125000001")]), office, "maj.sta")
    preview = preview_bank_statement(
        file_name="maj2.sta", content=mt940(account, [(MONDAY, "530,27", "25125000001")])
    )
    assert preview.has_errors
    assert preview.error_rows[0].errors == [
        "Transakcja o tym identyfikatorze jest już zaksięgowana: 05.05.2025, 350,27\xa0zł; "
        "ta sama transakcja nie może mieć innej daty ani kwoty. Niczego nie zapisano."
    ]
    assert Payment.objects.count() == 1


def test_api_payment_resent_with_the_same_reference_and_another_amount_is_refused(
    community, building, office
):
    from api.batches import payments_push
    from api.keys import api_key_create
    from api.models import ApiKey

    key, _text = api_key_create(
        name="Papirus", communities=[community], access=ApiKey.Access.READ_WRITE, created_by=office
    )
    row = {"bank_reference": "KASA-1", "date": "2025-05-05", "amount": "100.00", "title": RENT}
    assert payments_push(key=key, community=community, rows=[row]).created == 1
    again = payments_push(key=key, community=community, rows=[dict(row, amount="110.00")])
    assert again.created == 0
    assert [(e["code"], e["message"]) for e in again.errors] == [
        (
            "conflict_with_booked",
            "Transakcja o tym identyfikatorze jest już zaksięgowana: 05.05.2025, 100,00\xa0zł; "
            "ta sama transakcja nie może mieć innej daty ani kwoty. Niczego nie zapisano.",
        )
    ]
    resent = payments_push(key=key, community=community, rows=[row])
    assert (resent.created, resent.unchanged, resent.errors) == (0, 1, [])
    assert Payment.objects.get().amount == Decimal("100.00")


def test_cash_payment_entered_twice_by_a_double_click_is_booked_once(
    client, office, community, building
):
    from django.urls import reverse

    from tests.factories import PremisesFactory

    flat = PremisesFactory(building=building, number="4")
    client.force_login(office)
    data = {
        "premises": flat.pk,
        "booked_on": "2025-05-05",
        "amount": "50.00",
        "title": "KP 17/2025",
        "source": Payment.Source.CASH,
    }
    add = reverse("admin:finance_payment_add")
    first = client.post(add, data)
    assert first.status_code == 302
    second = client.post(add, data, follow=True)
    payment = Payment.objects.get()
    assert second.redirect_chain[0][0] == reverse("admin:finance_payment_change", args=[payment.pk])
    assert "Tę wpłatę zapisano przed chwilą: nie zapisano jej drugi raz." in (
        second.content.decode()
    )
    # Another receipt of the same amount the same day is another payment.
    assert client.post(add, {**data, "title": "KP 18/2025"}).status_code == 302
    assert Payment.objects.count() == 2
