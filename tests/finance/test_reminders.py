import datetime

import pytest
from django.core import mail
from django.core.management import call_command

from correspondence.models import DeliveryConsent
from finance.models import FundAccount
from finance.reminders import payment_reminders_send
from notifications.models import ReminderSent
from notifications.sms import MemorySmsBackend
from portal.templatetags.strefa import format_money
from premises.models import Ownership
from tests.factories import OwnershipFactory, PremisesFactory, UserFactory, add_charge, add_payment

ACCOUNT = "27114020040000300201355387"
ACCOUNT_DISPLAY = "27 1140 2004 0000 3002 0135 5387"
REMIND_ON = datetime.date(2025, 5, 7)  # three days before the default due day (10th)
DUE = datetime.date(2025, 5, 10)  # a Saturday: the deadline is Monday 12.05 (art. 115 k.c.)


@pytest.fixture(autouse=True)
def _clean_sms():
    MemorySmsBackend.outbox.clear()


@pytest.fixture
def owed(premises, resident):
    """April unpaid (1 000,00 zł) and May's 234,56 zł due on the 10th: 1 234,56 zł to pay."""
    premises.bank_account = ACCOUNT
    premises.save()
    add_charge(premises, "1000.00", datetime.date(2025, 4, 10))
    add_charge(premises, "234.56", DUE)
    return premises


def _send(capture, today=REMIND_ON, **kwargs):
    with capture(execute=True):
        return payment_reminders_send(today=today, **kwargs)


def test_reminder_with_the_persons_amount_due_date_and_account(
    owed, resident, neighbour, stranger, django_capture_on_commit_callbacks
):
    paid_up = neighbour.ownerships.get().premises
    add_charge(paid_up, "300.00", DUE)
    add_payment(paid_up, "300.00", datetime.date(2025, 5, 2))
    stranger_premises = stranger.ownerships.get().premises
    add_charge(stranger_premises, "99.00", DUE)
    assert _send(django_capture_on_commit_callbacks) == 2
    [email] = [m for m in mail.outbox if m.to == [resident.email]]
    assert email.subject == f"Przypomnienie o płatności do 12.05.2025 – {owed}"
    assert f"Kwota do zapłaty: {format_money('1234.56')}" in email.body
    assert format_money("1234.56") == "1\xa0234,56\xa0zł"
    assert "Termin płatności: 12.05.2025" in email.body
    assert ACCOUNT_DISPLAY in email.body
    assert "/finanse/" in email.body
    assert "99,00" not in email.body
    [other] = [m for m in mail.outbox if m.to == [stranger.email]]
    assert "99,00" in other.body and "1\xa0234,56" not in other.body
    assert not [m for m in mail.outbox if m.to == [neighbour.email]]  # nothing to pay


def test_not_for_overpaid_or_charges_due_later(
    premises, resident, django_capture_on_commit_callbacks
):
    add_charge(premises, "300.00", datetime.date(2025, 5, 25))  # due after the 10th
    assert _send(django_capture_on_commit_callbacks) == 0
    # another charge of May: its own title (a charge is unique per premises, period and title)
    add_charge(premises, "200.00", DUE, title="Zaliczka 05/2025 – część płatna 10.")
    add_payment(premises, "250.00", datetime.date(2025, 5, 1))
    assert _send(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


def test_only_on_the_day_n_days_before(owed, resident, django_capture_on_commit_callbacks):
    for day in (6, 8, 9, 10):
        assert _send(django_capture_on_commit_callbacks, datetime.date(2025, 5, day)) == 0
    assert _send(django_capture_on_commit_callbacks, DUE, days=0) == 1
    assert len(mail.outbox) == 1


def test_days_before_setting(settings, owed, resident, django_capture_on_commit_callbacks):
    settings.PAYMENT_REMINDER_DAYS_BEFORE = 5
    assert _send(django_capture_on_commit_callbacks) == 0
    assert _send(django_capture_on_commit_callbacks, datetime.date(2025, 5, 5)) == 1


def test_early_due_day_is_reminded_at_the_end_of_the_previous_month(
    community, premises, resident, django_capture_on_commit_callbacks
):
    community.payment_due_day = 2
    community.save()
    add_charge(premises, "150.00", datetime.date(2025, 3, 2))
    assert _send(django_capture_on_commit_callbacks, datetime.date(2025, 2, 26)) == 0
    # 27.02 + 3 days = 02.03 (February 2025 has 28 days).
    assert _send(django_capture_on_commit_callbacks, datetime.date(2025, 2, 27)) == 1
    # Due Sunday 02.03.2025: payable until Monday 03.03.2025.
    assert "Termin płatności: 03.03.2025" in mail.outbox[0].body
    assert ReminderSent.objects.get().period == datetime.date(2025, 3, 1)
    # Across the year end: 29.12.2025 + 3 days = 01.01.2026.
    community.payment_due_day = 1
    community.save()
    add_charge(premises, "150.00", datetime.date(2026, 1, 1))
    assert _send(django_capture_on_commit_callbacks, datetime.date(2025, 12, 29)) == 1
    # Due 01.01.2026, a public holiday: payable until Friday 02.01.2026.
    assert "Termin płatności: 02.01.2026" in mail.outbox[-1].body


def test_once_per_premises_per_month(owed, resident, django_capture_on_commit_callbacks):
    assert _send(django_capture_on_commit_callbacks) == 1
    assert _send(django_capture_on_commit_callbacks) == 0
    with django_capture_on_commit_callbacks(execute=True):
        call_command("remind_payments", "--date", "2025-05-07")
    assert len(mail.outbox) == 1
    # June is a new month.
    add_charge(owed, "234.56", datetime.date(2025, 6, 10))
    assert _send(django_capture_on_commit_callbacks, datetime.date(2025, 6, 7)) == 1


def test_designated_recipient_else_each_owner_never_the_tenant(
    owed, resident, django_capture_on_commit_callbacks
):
    co_owner = UserFactory()
    OwnershipFactory(user=co_owner, premises=owed, role=Ownership.Role.CO_OWNER)
    tenant = UserFactory()
    OwnershipFactory(user=tenant, premises=owed, role=Ownership.Role.TENANT)
    assert _send(django_capture_on_commit_callbacks) == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([resident.email, co_owner.email])
    mail.outbox.clear()
    ReminderSent.objects.all().delete()
    Ownership.objects.filter(user=co_owner).update(is_correspondence_recipient=True)
    assert _send(django_capture_on_commit_callbacks) == 1
    assert [m.to[0] for m in mail.outbox] == [co_owner.email]


def test_sms_only_with_consent_and_sms_enabled(
    community, owed, resident, neighbour, django_capture_on_commit_callbacks
):
    DeliveryConsent.objects.create(
        user=resident, premises=owed, channel="sms", address="601000001", consent_text="x"
    )
    other = PremisesFactory(building=owed.building, number="20")
    OwnershipFactory(user=neighbour, premises=other)
    add_charge(other, "50.00", DUE)  # the neighbour owes but gave no SMS consent
    assert _send(django_capture_on_commit_callbacks) == 2
    assert MemorySmsBackend.outbox == []  # SMS off in the community
    ReminderSent.objects.all().delete()
    community.sms_enabled = True
    community.save()
    assert _send(django_capture_on_commit_callbacks) == 2
    [(to, text)] = MemorySmsBackend.outbox
    assert to == "601000001"
    assert text == (
        "Strefa Klienta: do 12.05.2025 prosimy o wpłatę 1\xa0234,56\xa0zł za lokal "
        f"{owed} na rachunek {ACCOUNT_DISPLAY}."
    )


def test_separate_fund_accounts_listed(
    community, owed, resident, django_capture_on_commit_callbacks
):
    FundAccount.objects.create(
        community=community, fund="repair", bank_account="61109010140000071219812875"
    )
    add_charge(owed, "100.00", DUE, category="repair_fund")
    assert _send(django_capture_on_commit_callbacks) == 1
    body = mail.outbox[0].body
    assert f"Kwota do zapłaty: {format_money('1334.56')}" in body
    assert "fundusz remontowy: 100,00\xa0zł, rachunek 61 1090 1014 0000 0712 1981 2875" in body


def test_command_rejects_bad_input():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="RRRR-MM-DD"):
        call_command("remind_payments", "--date", "7.05.2025")
    with pytest.raises(CommandError, match="ujemna"):
        call_command("remind_payments", "--days", "-1")


def test_community_account_when_the_premises_has_none(
    premises, resident, django_capture_on_commit_callbacks
):
    add_charge(premises, "10.00", DUE)
    assert _send(django_capture_on_commit_callbacks) == 1
    body = mail.outbox[0].body
    assert "Rachunek do wpłat: 61 1090 1014 0000 0712 1981 2874" in body
    assert "indywidualny" not in body
