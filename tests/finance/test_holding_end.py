"""A resident's account also ends: where their role has a known end (a sale the office recorded
ahead, a tenancy with a fixed end), the charges due after it are the next holder's.

The seller keeps seeing and paying their own charges until the last day, and never sees, pays
or is reminded of the buyer's advance charges booked for later months.
"""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from correspondence.models import DeliveryConsent
from finance.export import finance_section
from finance.models import Charge
from finance.reminders import payment_reminders_send
from finance.selectors import balances_for_user, charges_for_user
from notifications.sms import MemorySmsBackend
from premises.models import Ownership
from premises.selectors import HoldingPeriod, holding_periods_for_user, holding_starts_for_user
from tests.factories import OwnershipFactory, PremisesFactory, UserFactory, add_charge, add_payment
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db

URL = "/finanse/"
D = datetime.date
TODAY = D(2025, 5, 9)
LAST_DAY = D(2025, 6, 15)  # the sale, recorded ahead: the 15th of next month
DAY = datetime.timedelta(days=1)


def _today(monkeypatch, day):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: day)


@pytest.fixture
def sale_ahead(building, monkeypatch):
    """The office recorded a sale with the seller's last day on 15 June 2025; the buyer's
    advance charges for July and August are booked already."""
    _today(monkeypatch, TODAY)
    flat = PremisesFactory(building=building, number="60")
    seller = UserFactory(first_name="Sprzedający", last_name="Kowalski")
    buyer = UserFactory(first_name="Kupujący", last_name="Wiśniewski")
    OwnershipFactory(user=seller, premises=flat, valid_from=D(2024, 1, 1), valid_to=LAST_DAY)
    OwnershipFactory(user=buyer, premises=flat, valid_from=LAST_DAY + DAY)
    add_charge(flat, "400.00", D(2025, 4, 10), title="Zaliczka sprzedającego 04/2025")
    add_charge(flat, "400.00", D(2025, 5, 10), title="Zaliczka sprzedającego 05/2025")
    add_charge(flat, "400.00", D(2025, 6, 10), title="Zaliczka sprzedającego 06/2025")
    add_charge(flat, "777.00", D(2025, 7, 10), title="Zaliczka nabywcy 07/2025")
    add_charge(flat, "777.00", D(2025, 8, 10), title="Zaliczka nabywcy 08/2025")
    add_payment(flat, "100.00", D(2025, 4, 8), title="Wpłata sprzedającego")
    return flat, seller, buyer


def test_holding_period_ends_on_the_last_day_of_the_role(sale_ahead):
    flat, seller, buyer = sale_ahead
    assert holding_periods_for_user(seller) == {flat.pk: HoldingPeriod(D(2024, 1, 1), LAST_DAY)}
    assert holding_starts_for_user(seller) == {flat.pk: D(2024, 1, 1)}
    assert holding_periods_for_user(buyer) == {}  # not the buyer's yet


def test_a_role_continued_without_a_gap_keeps_the_period_open(building, monkeypatch):
    """A tenant whose purchase is recorded from the day after the tenancy ends."""
    _today(monkeypatch, TODAY)
    flat = PremisesFactory(building=building, number="61")
    user = UserFactory()
    OwnershipFactory(
        user=user,
        premises=flat,
        role=Ownership.Role.TENANT,
        valid_from=D(2025, 1, 1),
        valid_to=D(2025, 5, 31),
    )
    OwnershipFactory(user=user, premises=flat, valid_from=D(2025, 6, 1))
    assert holding_periods_for_user(user) == {flat.pk: HoldingPeriod(D(2025, 1, 1), None)}


def test_seller_sees_and_pays_only_their_own_charges(client, sale_ahead):
    flat, seller, _buyer = sale_ahead
    [balance] = balances_for_user(seller, TODAY)
    # Due now: April 400 − 100 paid; still to come: May and June, not the buyer's July, August.
    assert balance.amount_due == Decimal("300.00")
    assert balance.not_yet_due == Decimal("800.00")
    assert balance.balance == Decimal("-1100.00")
    assert (balance.since, balance.until) == (D(2024, 1, 1), LAST_DAY)
    client.force_login(seller)
    response = client.get(URL)
    html = response.content.decode()
    titles = [e.title for e in response.context["entries"]]
    assert titles == [
        "Zaliczka sprzedającego 06/2025",
        "Zaliczka sprzedającego 05/2025",
        "Zaliczka sprzedającego 04/2025",
        "Wpłata sprzedającego",
    ]
    assert "nabywcy" not in html and "777,00" not in html and "1\xa0554" not in html
    assert "800,00\xa0zł" in html  # Naliczone z terminem płatności w przyszłości
    assert "Lokal jest przypisany do Ciebie do 15.06.2025" in html
    assert response.context["summary"].closing_balance == Decimal("-1100.00")
    [target] = response.context["targets"]
    assert target.amount == Decimal("300.00") and "|030000|" in target.code.payload
    assert sorted(c.title for c in charges_for_user(seller)) == sorted(titles[:3])


def test_seller_whose_own_charges_are_paid_gets_no_next_payment_of_the_buyer(client, sale_ahead):
    flat, seller, _buyer = sale_ahead
    add_payment(flat, "1100.00", D(2025, 5, 8), title="Rozliczenie przed sprzedażą")
    [balance] = balances_for_user(seller, TODAY)
    assert balance.amount_due == Decimal("0.00")
    assert balance.next_payment.due_date == D(2025, 5, 10)  # their own, covered
    assert balance.next_payment.amount == Decimal("0.00")
    # Once the May charge is due, the next one is June's (the seller's), never July's.
    [balance] = balances_for_user(seller, D(2025, 5, 12))
    assert balance.next_payment.due_date == D(2025, 6, 10)
    [balance] = balances_for_user(seller, D(2025, 6, 10))
    assert balance.next_payment is None and balance.overpayment == Decimal("0.00")


def test_sellers_statement_pdf_ends_on_the_last_day(client, sale_ahead):
    flat, seller, _buyer = sale_ahead
    client.force_login(seller)
    response = client.get(reverse("finance:statement", args=[flat.pk]))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "06/2025" in text and "15.06.2025" in text
    assert "nabywcy" not in text and "777,00" not in text
    later = client.get(reverse("finance:statement", args=[flat.pk]), {"do": "2025-12"})
    assert "nabywcy" not in pdf_text(later.content)


def test_sellers_data_export_leaves_out_the_buyers_charges(sale_ahead):
    flat, seller, _buyer = sale_ahead
    section = finance_section(seller)
    assert [c["title"] for c in section["charges"]] == [
        "Zaliczka sprzedającego 04/2025",
        "Zaliczka sprzedającego 05/2025",
        "Zaliczka sprzedającego 06/2025",
    ]
    assert [p["title"] for p in section["payments"]] == ["Wpłata sprzedającego"]


def test_seller_is_not_reminded_of_the_buyers_first_charge(
    building, monkeypatch, django_capture_on_commit_callbacks
):
    """The sale's last day falls between the reminder and the due day: the charge due on the
    10th is the buyer's, so the seller's reminder is of their own arrears alone."""
    remind_on = D(2025, 6, 7)
    _today(monkeypatch, remind_on)
    flat = PremisesFactory(building=building, number="62")
    seller = UserFactory(email="sprzedajacy@example.com")
    OwnershipFactory(user=seller, premises=flat, valid_from=D(2024, 1, 1), valid_to=D(2025, 6, 8))
    OwnershipFactory(premises=flat, valid_from=D(2025, 6, 9))
    add_charge(flat, "300.00", D(2025, 5, 10), title="Zaliczka 05/2025")
    add_charge(flat, "777.00", D(2025, 6, 10), title="Zaliczka nabywcy 06/2025")
    with django_capture_on_commit_callbacks(execute=True):
        assert payment_reminders_send(today=remind_on) == 1
    [email] = [m for m in mail.outbox if m.to == [seller.email]]
    assert "300,00\xa0zł" in email.body
    assert "777" not in email.body and "1\xa0077" not in email.body


def test_after_the_last_day_the_flat_is_gone_for_the_seller(client, sale_ahead, monkeypatch):
    flat, seller, buyer = sale_ahead
    _today(monkeypatch, LAST_DAY + DAY)
    assert balances_for_user(seller, LAST_DAY + DAY) == []
    client.force_login(seller)
    assert client.get(URL, {"lokal": flat.pk}).status_code == 404
    assert client.get(reverse("finance:statement", args=[flat.pk])).status_code == 404
    # The buyer's account starts that day, with the advance charges booked for them.
    [balance] = balances_for_user(buyer, LAST_DAY + DAY)
    assert balance.not_yet_due == Decimal("1554.00") and balance.amount_due == Decimal("0.00")


def test_tenant_with_a_fixed_end_sees_no_charges_after_it(client, building, monkeypatch):
    _today(monkeypatch, TODAY)
    flat = PremisesFactory(building=building, number="63")
    tenant = UserFactory()
    OwnershipFactory(
        user=tenant,
        premises=flat,
        role=Ownership.Role.TENANT,
        valid_from=D(2025, 1, 1),
        valid_to=D(2025, 5, 31),
    )
    add_charge(flat, "500.00", D(2025, 5, 10), title="Czynsz 05/2025")
    add_charge(flat, "500.00", D(2025, 6, 10), title="Czynsz 06/2025")
    add_payment(flat, "500.00", D(2025, 5, 5), title="Czynsz najemcy")
    [balance] = balances_for_user(tenant, TODAY)
    assert balance.not_yet_due == Decimal("500.00")
    assert balance.next_payment.due_date == D(2025, 5, 10)
    assert balance.next_payment.amount == Decimal("0.00")  # paid ahead
    client.force_login(tenant)
    html = client.get(URL).content.decode()
    assert "Czynsz 05/2025" in html and "Czynsz 06/2025" not in html
    assert "Lokal jest przypisany do Ciebie do 31.05.2025" in html
    # Once May's rent is due, nothing more is the tenant's: no instalment of June, booked or
    # projected from the latest month.
    [balance] = balances_for_user(tenant, D(2025, 5, 12))
    assert balance.next_payment is None
    Charge.objects.filter(title="Czynsz 06/2025").delete()
    [balance] = balances_for_user(tenant, D(2025, 5, 12))
    assert balance.next_payment is None
    _today(monkeypatch, D(2025, 5, 12))
    response = client.get(URL)
    [target] = response.context["targets"]
    assert target.amount == Decimal("0.00")


def _buyer_starts_before_the_due_day(building, monkeypatch, *, designated_seller=False):
    """The reminder goes out on 7.06 for the 10th; the buyer's holding starts on the 9th."""
    remind_on = D(2025, 6, 7)
    _today(monkeypatch, remind_on)
    flat = PremisesFactory(building=building, number="64")
    seller = UserFactory(email="sprzedajacy@example.com")
    buyer = UserFactory(email="nabywca@example.com")
    OwnershipFactory(
        user=seller,
        premises=flat,
        valid_from=D(2024, 1, 1),
        valid_to=D(2025, 6, 8),
        is_correspondence_recipient=designated_seller,
    )
    OwnershipFactory(user=buyer, premises=flat, valid_from=D(2025, 6, 9))
    add_charge(flat, "300.00", D(2025, 5, 10), title="Zaliczka 05/2025")
    add_charge(flat, "777.00", D(2025, 6, 10), title="Zaliczka nabywcy 06/2025")
    return remind_on, seller, buyer


@pytest.mark.parametrize("designated_seller", [False, True])
def test_buyer_whose_holding_starts_before_the_due_day_is_reminded_of_their_first_charge(
    building, monkeypatch, django_capture_on_commit_callbacks, designated_seller
):
    """Neither the seller's arrears nor the seller's being the designated recipient of
    correspondence keep the buyer from the reminder of their own first charge."""
    remind_on, seller, buyer = _buyer_starts_before_the_due_day(
        building, monkeypatch, designated_seller=designated_seller
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert payment_reminders_send(today=remind_on) == 1
    [email] = [m for m in mail.outbox if m.to == [buyer.email]]
    assert "Kwota do zapłaty: 777,00\xa0zł" in email.body
    assert "300,00" not in email.body and "1\xa0077" not in email.body
    [email] = [m for m in mail.outbox if m.to == [seller.email]]
    assert "Kwota do zapłaty: 300,00\xa0zł" in email.body and "777" not in email.body


def test_buyer_who_consented_to_sms_gets_the_first_reminder_by_sms(
    building, monkeypatch, django_capture_on_commit_callbacks
):
    """The office took the buyer's SMS consent at the handover, before the holding starts."""
    remind_on, _seller, buyer = _buyer_starts_before_the_due_day(building, monkeypatch)
    community = building.community
    community.sms_enabled = True
    community.save()
    flat = buyer.ownerships.get().premises
    DeliveryConsent.objects.create(
        user=buyer, premises=flat, channel="sms", address="601000077", consent_text="x"
    )
    MemorySmsBackend.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert payment_reminders_send(today=remind_on) == 1
    [(to, text)] = MemorySmsBackend.outbox
    assert to == "601000077" and "777,00\xa0zł" in text and "300,00" not in text
