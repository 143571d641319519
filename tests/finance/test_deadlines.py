"""A charge is due on its working-day deadline (art. 115 k.c.), in every figure alike.

A due date on a Saturday, Sunday or public holiday moves to the next working day: until that
day the charge is the coming instalment, not yet "Kwota do zapłaty"; on that day it is due; the
day after it is arrears. The resident's page, its QR code, the start page, the office's balance
list and the payment reminder all count it on the same day.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from correspondence.models import DeliveryConsent, SmsNotice
from finance.qr import payment_targets
from finance.reminders import payment_reminder_sms_send, payment_reminders_send
from finance.selectors import balances_for_user, premises_with_overpayment, with_arrears
from notifications.models import Message
from notifications.sms import MemorySmsBackend
from premises.models import Premises
from tests.factories import add_charge, add_payment

pytestmark = pytest.mark.django_db
D = datetime.date
URL = "/finanse/"


@pytest.fixture(autouse=True)
def _clean_sms():
    MemorySmsBackend.outbox.clear()


# (nominal due date, the working-day deadline it moves to)
MOVED = [
    (D(2026, 10, 10), D(2026, 10, 12)),  # Saturday → Monday
    (D(2026, 5, 10), D(2026, 5, 11)),  # Sunday → Monday
    (D(2026, 11, 1), D(2026, 11, 2)),  # All Saints' Day (a Sunday) → Monday
    (D(2026, 11, 11), D(2026, 11, 12)),  # Independence Day (Wednesday) → Thursday
    (D(2026, 12, 24), D(2026, 12, 28)),  # Christmas Eve, Christmas, Saturday, Sunday
    (D(2026, 12, 25), D(2026, 12, 28)),
    (D(2027, 3, 29), D(2027, 3, 30)),  # Easter Monday
    (D(2027, 5, 3), D(2027, 5, 4)),  # Constitution Day (a Monday)
    (D(2027, 5, 27), D(2027, 5, 28)),  # Corpus Christi (Thursday)
]


def _days(start, end):
    day = start
    while day <= end:
        yield day
        day += datetime.timedelta(days=1)


@pytest.mark.parametrize(("due", "deadline"), MOVED)
def test_charge_due_on_a_day_off_is_due_on_the_next_working_day(premises, resident, due, deadline):
    add_charge(premises, "100.00", due)
    one_day = datetime.timedelta(days=1)
    for day in _days(due, deadline - one_day):
        [balance] = balances_for_user(resident, day)
        assert balance.amount_due == Decimal("0.00"), day
        assert balance.not_yet_due == Decimal("100.00"), day
        assert balance.next_payment.amount == Decimal("100.00"), day
        assert balance.next_payment.deadline == deadline, day
        [target] = payment_targets(balance)
        assert target.is_next and target.deadline == deadline, day
    [on_deadline] = balances_for_user(resident, deadline)
    assert (on_deadline.amount_due, on_deadline.arrears) == (Decimal("100.00"), Decimal("0.00"))
    [target] = payment_targets(on_deadline)
    assert not target.is_next and target.amount == Decimal("100.00")
    [late] = balances_for_user(resident, deadline + one_day)
    assert (late.amount_due, late.arrears) == (Decimal("100.00"), Decimal("100.00"))


def test_charge_due_on_a_working_day_is_due_that_very_day(premises, resident):
    add_charge(premises, "100.00", D(2026, 11, 10))  # a Tuesday (11.11 is the holiday)
    [before] = balances_for_user(resident, D(2026, 11, 9))
    [on_the_day] = balances_for_user(resident, D(2026, 11, 10))
    [day_after] = balances_for_user(resident, D(2026, 11, 11))
    assert before.amount_due == Decimal("0.00")
    assert (on_the_day.amount_due, on_the_day.arrears) == (Decimal("100.00"), Decimal("0.00"))
    assert (day_after.amount_due, day_after.arrears) == (Decimal("100.00"), Decimal("100.00"))


def test_page_on_a_saturday_due_day_shows_the_coming_instalment(
    resident_client, premises, monkeypatch
):
    add_charge(premises, "100.00", D(2026, 10, 10))  # Saturday
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: D(2026, 10, 10))
    html = resident_client.get(URL).content.decode()
    assert 'Kwota do zapłaty: <span class="amount">0,00\xa0zł</span>' in html
    assert "do 12.10.2026" in html
    assert "Następna wpłata, termin 12.10.2026" in html


def test_office_list_counts_the_amount_due_on_the_same_day_as_the_resident(premises, resident):
    add_charge(premises, "100.00", D(2026, 10, 10))  # Saturday → Monday 12.10
    add_payment(premises, "30.00", D(2026, 10, 1))
    for day in _days(D(2026, 10, 9), D(2026, 10, 13)):
        [balance] = balances_for_user(resident, day)
        row = with_arrears(Premises.objects.filter(pk=premises.pk), day, full=True).get()
        assert (Decimal(row.amount_due), Decimal(row.arrears), Decimal(row.overpayment)) == (
            balance.amount_due,
            balance.arrears,
            balance.overpayment,
        ), day
        overpaid = premises_with_overpayment(Premises.objects.all(), day).exists()
        assert overpaid is (balance.overpayment > 0), day


def test_reminder_before_a_saturday_due_day_asks_for_that_charge(
    premises, resident, django_capture_on_commit_callbacks
):
    add_charge(premises, "100.00", D(2026, 9, 10))
    add_payment(premises, "100.00", D(2026, 9, 9))
    add_charge(premises, "234.56", D(2026, 10, 10))  # Saturday → Monday 12.10
    with django_capture_on_commit_callbacks(execute=True):
        assert payment_reminders_send(today=D(2026, 10, 7)) == 1
    [message] = Message.objects.filter(channel=Message.Channel.EMAIL)
    assert "Kwota do zapłaty: 234,56\xa0zł" in message.body
    assert "Termin płatności: 12.10.2026" in message.body


def test_warsaw_midnight_decides_the_day_not_utc(resident_client, premises, monkeypatch):
    # 23:30 UTC on 9.11 is 00:30 on 10.11 in Warsaw: the charge due 10.11 is due.
    add_charge(premises, "100.00", D(2026, 11, 10))
    moment = datetime.datetime(2026, 11, 9, 23, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    response = resident_client.get(URL)
    assert response.context["today"] == D(2026, 11, 10)
    assert 'Kwota do zapłaty: <span class="amount amount--due">100,00\xa0zł</span>' in (
        response.content.decode()
    )


def test_office_sms_without_amount_names_the_arrears_as_arrears(
    premises, resident, community, django_capture_on_commit_callbacks
):
    # Monday 12.10.2026: September is in arrears; October's charge (due Saturday 10.10) is due
    # today. The page says "Kwota do zapłaty 220,00 zł, w tym zaległość 120,00 zł": the SMS
    # that adds the arrears must not call them "Do zapłaty".
    community.sms_enabled = True
    community.save()
    DeliveryConsent.objects.create(
        user=resident,
        premises=premises,
        channel="sms",
        address="601000009",
        consent_text="x",
        given_at=timezone.make_aware(datetime.datetime(2024, 1, 1, 12)),
    )
    add_charge(premises, "120.00", D(2026, 9, 10))
    add_charge(premises, "100.00", D(2026, 10, 10))
    [balance] = balances_for_user(resident, D(2026, 10, 12))
    assert (balance.amount_due, balance.arrears) == (Decimal("220.00"), Decimal("120.00"))
    notice = SmsNotice.objects.create(
        community=community, kind="payment_reminder", text="Strefa: prosimy o wpłatę."
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert payment_reminder_sms_send(notice=notice, today=D(2026, 10, 12)) == 1
    assert MemorySmsBackend.outbox == [
        ("601000009", "Strefa: prosimy o wpłatę. Zaległość: 120,00\xa0zł.")
    ]
