"""Money figures a resident can trust (issue 12): the holder's own account, funds kept on
their own account settled apart, Polish working days, the next payment, the QR data."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.utils import timezone

from correspondence.models import DeliveryConsent, SmsNotice
from finance.models import Charge, FundAccount
from finance.panels import home_panel
from finance.qr import payment_targets, recipient_name
from finance.reminders import payment_reminder_sms_send, payment_reminders_send
from finance.selectors import (
    balances_for_premises,
    balances_for_user,
    premises_in_arrears,
    with_arrears,
)
from notifications.sms import MemorySmsBackend
from premises.models import Premises
from tests.factories import OwnershipFactory, PremisesFactory, UserFactory, add_charge, add_payment

pytestmark = pytest.mark.django_db
D = datetime.date
URL = "/finanse/"
REPAIR_ACCOUNT = "27114020040000300201355387"


@pytest.fixture(autouse=True)
def _clean_sms():
    MemorySmsBackend.outbox.clear()


def _today(monkeypatch, day):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: day)


def _sms_consent(user, premises):
    return DeliveryConsent.objects.create(
        user=user,
        premises=premises,
        channel="sms",
        address="601000009",
        consent_text="x",
        given_at=timezone.make_aware(datetime.datetime(2024, 1, 1, 12)),
    )


# --- 1. The holder's own account ----------------------------------------------------------


@pytest.fixture
def sold_in_may(building):
    """Sold 15.05.2025: the seller's May charge (523,56 zł) unpaid, the buyer's June 400 zł."""
    community = building.community
    community.sms_enabled = True
    community.save()
    flat = PremisesFactory(building=building, number="7")
    seller, buyer = UserFactory(), UserFactory()
    OwnershipFactory(user=seller, premises=flat, valid_to=D(2025, 5, 14))
    OwnershipFactory(user=buyer, premises=flat, valid_from=D(2025, 5, 15))
    add_charge(flat, "523.56", D(2025, 5, 10), title="Zaliczka 05/2025")
    add_charge(flat, "400.00", D(2025, 6, 10), title="Zaliczka 06/2025")
    _sms_consent(buyer, flat)
    return flat, seller, buyer


def test_buyers_reminder_email_has_only_the_buyers_amount(
    sold_in_may, django_capture_on_commit_callbacks
):
    flat, _seller, buyer = sold_in_may
    [portal] = balances_for_user(buyer, D(2025, 6, 10))
    assert portal.amount_due == Decimal("400.00")
    with django_capture_on_commit_callbacks(execute=True):
        assert payment_reminders_send(today=D(2025, 6, 7)) == 1
    [email] = mail.outbox
    assert email.to == [buyer.email]
    assert "Kwota do zapłaty: 400,00\xa0zł" in email.body
    assert "923,56" not in email.body and "523,56" not in email.body
    [(_to, sms)] = MemorySmsBackend.outbox
    assert "400,00\xa0zł" in sms and "923,56" not in sms


def test_office_sms_reminder_gives_the_buyer_only_the_buyers_arrears(
    sold_in_may, django_capture_on_commit_callbacks
):
    flat, _seller, _buyer = sold_in_may
    notice = SmsNotice.objects.create(
        community=flat.building.community, kind="payment_reminder", text="Zaległość: {kwota}."
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert payment_reminder_sms_send(notice=notice, today=D(2025, 6, 20)) == 1
    assert MemorySmsBackend.outbox == [("601000009", "Zaległość: 400,00\xa0zł.")]
    # The office still sees the premises as a whole.
    [whole] = balances_for_premises(Premises.objects.filter(pk=flat.pk), D(2025, 6, 20))
    assert whole.arrears == Decimal("923.56")


def test_buyer_with_nothing_of_their_own_due_gets_no_office_sms(
    sold_in_may, django_capture_on_commit_callbacks
):
    flat, _seller, _buyer = sold_in_may
    notice = SmsNotice.objects.create(
        community=flat.building.community, kind="payment_reminder", text="Zaległość: {kwota}."
    )
    with django_capture_on_commit_callbacks(execute=True):
        # 20.05: the seller's May charge is in arrears; the buyer owes nothing yet.
        assert payment_reminder_sms_send(notice=notice, today=D(2025, 5, 20)) == 0
    assert MemorySmsBackend.outbox == []


# --- 2. Funds on their own account are settled apart ---------------------------------------


@pytest.fixture
def paid_to_repair_fund(premises, resident):
    """1 821,12 zł booked to the repair-fund account; the operating charges stay unpaid."""
    FundAccount.objects.create(
        community=premises.building.community, fund="repair", bank_account=REPAIR_ACCOUNT
    )
    add_charge(premises, "681.06", D(2025, 3, 10))
    add_charge(premises, "681.06", D(2025, 4, 10))
    add_charge(premises, "229.53", D(2025, 3, 10), category=Charge.Category.REPAIR_FUND)
    add_charge(premises, "229.53", D(2025, 4, 10), category=Charge.Category.REPAIR_FUND)
    add_payment(premises, "1821.12", D(2025, 4, 12), fund="repair")
    return premises


def test_repair_fund_payment_does_not_hide_operating_arrears(
    client, resident, paid_to_repair_fund, monkeypatch
):
    _today(monkeypatch, D(2025, 5, 9))
    client.force_login(resident)
    response = client.get(URL)
    html = response.content.decode()
    selected = response.context["selected"]
    funds = {f.fund: f for f in selected.funds}
    assert funds["operating"].amount_due == Decimal("1362.12")
    assert funds["repair"].overpayment == Decimal("1362.06")
    assert selected.amount_due == Decimal("1362.12") == selected.arrears
    assert 'Kwota do zapłaty: <span class="amount amount--due">1\xa0362,12\xa0zł' in html
    # The QR asks for the same figure as the page and the fund table.
    operating = next(t for t in response.context["targets"] if t.account != REPAIR_ACCOUNT)
    assert operating.amount == Decimal("1362.12")
    assert operating.code.payload.split("|")[3] == "136212"
    # No signed "saldo" next to the amount due.
    assert "-1\xa0362,12" not in html.split('aria-labelledby="finance-history"')[0]
    request = client.get("/").wsgi_request
    panel = home_panel(request)
    home = render_to_string(panel["template"], {"panel": panel}, request=request)
    assert "1\xa0362,12\xa0zł" in home


def test_repair_fund_payment_keeps_the_flat_in_arrears_and_reminders(
    paid_to_repair_fund, resident, django_capture_on_commit_callbacks
):
    today = D(2025, 5, 9)
    ids = list(premises_in_arrears(Premises.objects.all(), today).values_list("pk", flat=True))
    assert ids == [paid_to_repair_fund.pk]
    arrears = with_arrears(Premises.objects.all(), today).get().arrears
    assert arrears == Decimal("1362.12")
    with django_capture_on_commit_callbacks(execute=True):
        assert payment_reminders_send(today=D(2025, 5, 7)) == 1
    assert "Kwota do zapłaty: 1\xa0362,12\xa0zł" in mail.outbox[0].body


def test_office_sms_names_the_account_of_the_fund_in_arrears(
    premises, resident, django_capture_on_commit_callbacks
):
    community = premises.building.community
    community.sms_enabled = True
    community.save()
    _sms_consent(resident, premises)
    FundAccount.objects.create(community=community, fund="repair", bank_account=REPAIR_ACCOUNT)
    add_charge(premises, "300.00", D(2025, 4, 10))
    add_payment(premises, "300.00", D(2025, 4, 9))
    add_charge(premises, "120.00", D(2025, 4, 10), category=Charge.Category.REPAIR_FUND)
    notice = SmsNotice.objects.create(
        community=community, kind="payment_reminder", text="Zaległość {kwota}, rachunek {rachunek}."
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert payment_reminder_sms_send(notice=notice, today=D(2025, 5, 20)) == 1
    assert MemorySmsBackend.outbox == [
        ("601000009", "Zaległość 120,00\xa0zł, rachunek 27 1140 2004 0000 3002 0135 5387.")
    ]


# --- 3. Working days (art. 115 k.c.) -------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "deadline_day", "day_after"),
    [
        (D(2026, 5, 10), D(2026, 5, 11), D(2026, 5, 12)),  # Sunday → Monday
        (D(2026, 5, 9), D(2026, 5, 11), D(2026, 5, 12)),  # Saturday → Monday
        (D(2026, 11, 11), D(2026, 11, 12), D(2026, 11, 13)),  # Independence Day (Wednesday)
        (D(2026, 3, 10), D(2026, 3, 10), D(2026, 3, 11)),  # an ordinary Tuesday
    ],
)
def test_arrears_start_the_day_after_the_working_day_deadline(
    premises, resident, due, deadline_day, day_after
):
    add_charge(premises, "100.00", due)
    # Due (to pay now) from the working-day deadline, in arrears the day after it.
    for day, amount_due, arrears in (
        (due, "100.00" if due == deadline_day else "0.00", "0.00"),
        (deadline_day, "100.00", "0.00"),
        (day_after, "100.00", "100.00"),
    ):
        [balance] = balances_for_user(resident, day)
        assert balance.amount_due == Decimal(amount_due), day
        assert balance.arrears == Decimal(arrears), day
        in_arrears = premises_in_arrears(Premises.objects.all(), day).exists()
        assert in_arrears is (arrears != "0.00"), day


def test_dashboard_counts_a_flat_only_after_its_moved_deadline(admin_client, premises, monkeypatch):
    add_charge(premises, "100.00", D(2026, 5, 10))  # Sunday
    for day, count in ((D(2026, 5, 11), "0"), (D(2026, 5, 12), "1")):
        _today(monkeypatch, day)
        html = admin_client.get("/admin/").content.decode()
        row = html.split("lokale z zaległością")[1][:200]
        assert f">{count}<" in row, (day, row)


# --- 4. Next payment -----------------------------------------------------------------------


def test_next_payment_before_and_after_the_due_day(premises, resident):
    add_charge(premises, "350.00", D(2026, 4, 10))
    add_payment(premises, "350.00", D(2026, 4, 8))
    add_charge(premises, "350.00", D(2026, 5, 10), title="Zaliczka 05/2026")  # Sunday
    # Before the due day: the booked May advance, payable until Monday 11.05.
    [before] = balances_for_user(resident, D(2026, 5, 5))
    assert before.amount_due == Decimal("0.00")
    assert before.next_payment.amount == Decimal("350.00")
    assert before.next_payment.deadline == D(2026, 5, 11)
    assert not before.next_payment.projected
    [target] = payment_targets(before)
    assert target.is_next and target.title == "Lokal 12 opłaty 05/2026"
    # After paying May: June, not booked yet, projected from the current monthly charge.
    add_payment(premises, "350.00", D(2026, 5, 11))
    [after] = balances_for_user(resident, D(2026, 5, 15))
    assert after.amount_due == Decimal("0.00")
    assert (after.next_payment.amount, after.next_payment.deadline) == (
        Decimal("350.00"),
        D(2026, 6, 10),
    )
    assert after.next_payment.projected


# --- 6. QR code data -----------------------------------------------------------------------


def test_qr_title_names_every_month_the_amount_covers(premises, resident):
    for month in (9, 10, 11):
        add_charge(premises, "300.00", D(2026, month, 10))
    [balance] = balances_for_user(resident, D(2026, 11, 20))
    [target] = payment_targets(balance)
    assert target.amount == Decimal("900.00")
    assert target.title == "Lokal 12 opłaty 09-11/2026"
    # Part paid: the oldest month is settled first.
    add_payment(premises, "400.00", D(2026, 11, 12))
    [balance] = balances_for_user(resident, D(2026, 11, 20))
    assert payment_targets(balance)[0].title == "Lokal 12 opłaty 10-11/2026"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Wspólnota Mieszkaniowa Lipowa 5", "WM Lipowa 5"),
        ("WSPÓLNOTA MIESZKANIOWA LIPOWA 5", "WM LIPOWA 5"),
        ("wspólnota mieszkaniowa Lipowa 5", "WM Lipowa 5"),
        ("Wspo\u0301lnota Mieszkaniowa Lipowa 5", "WM Lipowa 5"),  # NFD "ó"
        ("SPÓŁDZIELNIA MIESZKANIOWA SŁONECZNA", "SM SŁONECZNA"),
        ("Spółdzielnia Budowlano-Mieszkaniowa Jutrzenka", "SBM Jutrzenka"),
        ("Wspólnota Mieszkaniowa przy ulicy Długiej 123", "WM przy ulicy Długie"),
    ],
)
def test_recipient_name_is_abbreviated_whatever_its_form(name, expected):
    assert recipient_name(name) == expected
    assert len(recipient_name(name)) <= 20


def test_nfd_name_is_sent_as_nfc_in_the_payload():
    from finance.qr import payment_payload

    payload = payment_payload(
        nip="5214349636",
        account="61109010140000071219812874",
        amount=Decimal("1"),
        name="Z\u0301ro\u0301dło",
        title="Lokal 1",
    )
    assert payload.split("|")[4] == "Źródło"


# --- 7. Statement totals after the last row -------------------------------------------------


def _page_texts(pdf: bytes) -> list[str]:
    import subprocess

    from tests.pdf import pdf_page_count

    return [
        subprocess.run(
            ["pdftotext", "-layout", "-f", str(n), "-l", str(n), "-", "-"],
            input=pdf,
            capture_output=True,
            check=True,
        ).stdout.decode()
        for n in range(1, pdf_page_count(pdf) + 1)
    ]


def test_statement_totals_only_after_the_last_row(resident_client, premises, monkeypatch):
    from django.urls import reverse

    _today(monkeypatch, D(2026, 11, 20))
    for month in range(60):
        due = D(2021 + month // 12, month % 12 + 1, 10)
        add_charge(premises, "300.00", due, title=f"Zaliczka {due:%m/%Y}")
        add_payment(premises, "300.00", due, title=f"Wpłata {due:%m/%Y}")
    response = resident_client.get(reverse("finance:statement", args=[premises.pk]))
    pages = _page_texts(response.content)
    assert len(pages) > 1
    for text in pages[:-1]:
        assert "Razem w okresie" not in text and "Saldo zamknięcia" not in text
    last = pages[-1]
    assert "Razem w okresie" in last and "Saldo zamknięcia" in last
    # After the last row, not above it.
    assert last.index("Wpłata 12/2025") < last.index("Razem w okresie")
    assert "18\xa0000,00" in last.replace(" ", "\xa0") or "18 000,00" in last


# --- 8. Monthly fee breakdown ----------------------------------------------------------------


def test_fee_breakdown_lists_the_current_monthly_components(resident_client, premises, monkeypatch):
    _today(monkeypatch, D(2026, 5, 20))
    add_charge(premises, "150.00", D(2026, 4, 10), title="Zaliczka 04/2026")
    components = [
        (Charge.Category.MANAGEMENT, "189.70", "3,50 zł/m² × 54,20 m²"),
        (Charge.Category.REPAIR_FUND, "108.40", "2,00 zł/m² × 54,20 m²"),
        (Charge.Category.WATER, "96.00", "2 os. × 4 m³ × 12,00 zł"),
        (Charge.Category.HEATING, "140.92", ""),
        (Charge.Category.WASTE, "74.00", "2 os. × 37,00 zł"),
    ]
    for category, amount, rate in components:
        charge = add_charge(premises, amount, D(2026, 5, 10), category=category)
        Charge.objects.filter(pk=charge.pk).update(rate=rate)
    add_charge(premises, "-20.00", D(2026, 5, 15), title="Korekta wody 04/2026")
    html = resident_client.get(URL).content.decode()
    section = html.split('id="finance-breakdown"')[1].split("</section>")[0]
    assert "Wykaz opłat za 05.2026" in section
    for label in (
        "zaliczka na koszty zarządu",
        "fundusz remontowy",
        "woda i ścieki",
        "centralne ogrzewanie",
        "odpady",
    ):
        assert label in section
    assert "3,50 zł/m² × 54,20 m²" in section and "2 os. × 37,00 zł" in section
    assert "Razem miesięcznie" in section and "609,02\xa0zł" in section
    assert "Korekta" not in section and "150,00" not in section


def test_next_payment_per_fund_projects_each_funds_own_monthly_charge(
    paid_to_repair_fund, resident
):
    add_charge(paid_to_repair_fund, "681.06", D(2025, 5, 10))  # May: operating only, so far
    [balance] = balances_for_user(resident, D(2025, 5, 9))
    funds = {f.fund: f for f in balance.funds}
    assert funds["operating"].next_payment.instalment == Decimal("681.06")
    repair = funds["repair"].next_payment
    # April's repair-fund charge repeated for May, covered by the repair-fund overpayment.
    assert (repair.instalment, repair.amount, repair.projected) == (
        Decimal("229.53"),
        Decimal("0.00"),
        True,
    )


def test_projected_instalment_is_the_monthly_fee_without_corrections(
    resident_client, premises, resident, monkeypatch
):
    # The page's "Wykaz opłat" leaves corrections out of the monthly fee; the next payment
    # projected from that fee must too, or the page shows two different monthly amounts.
    _today(monkeypatch, D(2026, 5, 20))
    add_charge(premises, "350.00", D(2026, 5, 10), title="Zaliczka 05/2026")
    add_charge(premises, "-20.00", D(2026, 5, 15), title="Korekta wody 04/2026")
    add_payment(premises, "330.00", D(2026, 5, 11))
    [balance] = balances_for_user(resident, D(2026, 5, 20))
    next_payment = balance.next_payment
    assert next_payment.projected
    assert (next_payment.instalment, next_payment.deadline) == (Decimal("350.00"), D(2026, 6, 10))
    html = resident_client.get(URL).content.decode()
    assert "Razem miesięcznie" in html
    next_section = html.split('class="finance-next"')[1].split("</section>")[0]
    assert "350,00\xa0zł" in next_section and "330,00" not in next_section


def test_a_correction_booked_for_a_later_month_does_not_hide_the_next_payment(premises, resident):
    add_charge(premises, "350.00", D(2026, 5, 10), title="Zaliczka 05/2026")
    add_payment(premises, "350.00", D(2026, 5, 8))
    correction = add_charge(premises, "-20.00", D(2026, 5, 15), title="Korekta 06/2026")
    Charge.objects.filter(pk=correction.pk).update(period=D(2026, 6, 1))
    [balance] = balances_for_user(resident, D(2026, 5, 20))
    assert balance.next_payment is not None
    assert balance.next_payment.instalment == Decimal("350.00")


def test_a_credit_note_falling_due_before_the_next_payment_does_not_hide_it(premises, resident):
    """May is paid; on 20.05 the office books a 20 zł credit note due on 29.05. The page still
    shows the next payment (10.06), less the credit that falls due before it."""
    add_charge(premises, "350.00", D(2026, 5, 10), title="Zaliczka 05/2026")
    add_payment(premises, "350.00", D(2026, 5, 8))
    add_charge(premises, "-20.00", D(2026, 5, 29), title="Korekta 05/2026")
    [balance] = balances_for_user(resident, D(2026, 5, 20))
    assert balance.next_payment is not None
    assert balance.next_payment.due_date == D(2026, 6, 10)
    assert (balance.next_payment.instalment, balance.next_payment.amount) == (
        Decimal("350.00"),
        Decimal("330.00"),
    )
