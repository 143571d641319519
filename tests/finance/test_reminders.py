import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from correspondence.models import DeliveryConsent
from finance import reminders
from finance.models import FundAccount
from finance.reminders import payment_reminders_send
from notifications.models import Message, ReminderSent
from notifications.sms import MemorySmsBackend
from portal.templatetags.strefa import format_money
from premises.models import Ownership
from tests.factories import (
    BuildingFactory,
    CommunityFactory,
    OwnershipFactory,
    PremisesFactory,
    UserFactory,
    add_charge,
    add_payment,
)

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


def test_not_before_the_day_n_days_before(owed, resident, django_capture_on_commit_callbacks):
    for day in (1, 5, 6):
        assert _send(django_capture_on_commit_callbacks, datetime.date(2025, 5, day)) == 0
    assert _send(django_capture_on_commit_callbacks, DUE, days=0) == 1
    assert len(mail.outbox) == 1


def test_a_missed_reminder_day_is_caught_up_once(
    owed, resident, django_capture_on_commit_callbacks
):
    """The daily run did not happen on the 7th (server down, a failed run): the next run sends
    the reminder, and every later run that month sends nothing more."""
    assert _send(django_capture_on_commit_callbacks, datetime.date(2025, 5, 8)) == 1
    [email] = mail.outbox
    assert email.to == [resident.email]
    assert f"Kwota do zapłaty: {format_money('1234.56')}" in email.body
    assert "Termin płatności: 12.05.2025" in email.body
    for day in (8, 9, 12):
        assert _send(django_capture_on_commit_callbacks, datetime.date(2025, 5, day)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        call_command("remind_payments", "--date", "2025-05-10")
    assert len(mail.outbox) == 1
    assert ReminderSent.objects.get().period == datetime.date(2025, 5, 1)


def test_caught_up_until_the_deadline_moved_to_a_working_day(
    owed, resident, django_capture_on_commit_callbacks
):
    """Due Saturday 10.05.2025, payable until Monday 12.05: a run on the Monday still reminds."""
    assert _send(django_capture_on_commit_callbacks, datetime.date(2025, 5, 12)) == 1
    assert "Termin płatności: 12.05.2025" in mail.outbox[0].body


def test_never_after_the_deadline(owed, resident, django_capture_on_commit_callbacks):
    for day in (13, 20, 31):
        assert _send(django_capture_on_commit_callbacks, datetime.date(2025, 5, day)) == 0
    assert mail.outbox == []
    assert not ReminderSent.objects.exists()


def test_days_before_setting(settings, owed, resident, django_capture_on_commit_callbacks):
    settings.PAYMENT_REMINDER_DAYS_BEFORE = 5
    assert _send(django_capture_on_commit_callbacks, datetime.date(2025, 5, 4)) == 0
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


def test_due_day_past_the_months_end_is_reminded_before_the_last_day(
    community, premises, resident, django_capture_on_commit_callbacks
):
    # The due date of a month is ``due_date_for``'s: day 30 in February is the 28th.
    type(community).objects.filter(pk=community.pk).update(payment_due_day=30)
    add_charge(premises, "150.00", datetime.date(2026, 2, 28))
    assert _send(django_capture_on_commit_callbacks, datetime.date(2026, 2, 25)) == 1
    # Due Saturday 28.02.2026: payable until Monday 02.03.2026.
    assert "Termin płatności: 02.03.2026" in mail.outbox[0].body


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


def test_sms_with_separate_fund_accounts_never_sends_the_whole_amount_to_one_account(
    community, owed, resident, django_capture_on_commit_callbacks
):
    # The e-mail lists each fund's amount and account; the SMS asked for the total on the
    # premises' account, so the repair-fund part would have been paid to the wrong fund.
    community.sms_enabled = True
    community.save()
    DeliveryConsent.objects.create(
        user=resident, premises=owed, channel="sms", address="601000001", consent_text="x"
    )
    FundAccount.objects.create(
        community=community, fund="repair", bank_account="61109010140000071219812875"
    )
    add_charge(owed, "100.00", DUE, category="repair_fund")
    assert _send(django_capture_on_commit_callbacks) == 1
    [(_to, text)] = MemorySmsBackend.outbox
    # The amounts come first: a long address may cut only the closing hint (3 SMS parts).
    assert text.startswith(
        f"Strefa Klienta: do 12.05.2025 prosimy o wpłaty za lokal {owed}: koszty eksploatacji "
        "1\xa0234,56\xa0zł, fundusz remontowy 100,00\xa0zł, każdą na rachunek funduszu"
    )
    assert ACCOUNT_DISPLAY not in text and "1\xa0334,56" not in text


def test_sms_with_one_fund_owing_names_that_funds_account(
    community, premises, resident, django_capture_on_commit_callbacks
):
    community.sms_enabled = True
    community.save()
    premises.bank_account = ACCOUNT
    premises.save()
    DeliveryConsent.objects.create(
        user=resident, premises=premises, channel="sms", address="601000001", consent_text="x"
    )
    FundAccount.objects.create(
        community=community, fund="repair", bank_account="61109010140000071219812875"
    )
    add_charge(premises, "100.00", DUE, category="repair_fund")
    assert _send(django_capture_on_commit_callbacks) == 1
    [(_to, text)] = MemorySmsBackend.outbox
    assert text == (
        "Strefa Klienta: do 12.05.2025 prosimy o wpłatę 100,00\xa0zł za lokal "
        f"{premises} na rachunek 61 1090 1014 0000 0712 1981 2875."
    )


def test_command_rejects_bad_input():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="RRRR-MM-DD"):
        call_command("remind_payments", "--date", "7.05.2025")
    with pytest.raises(CommandError, match="ujemna"):
        call_command("remind_payments", "--days", "-1")
    with pytest.raises(CommandError, match="Liczba dni musi być liczbą całkowitą"):
        call_command("remind_payments", "--days", "trzy")


def test_community_account_when_the_premises_has_none(
    premises, resident, django_capture_on_commit_callbacks
):
    add_charge(premises, "10.00", DUE)
    assert _send(django_capture_on_commit_callbacks) == 1
    body = mail.outbox[0].body
    assert "Rachunek do wpłat: 61 1090 1014 0000 0712 1981 2874" in body
    assert "indywidualny" not in body


# --- At scale: a fixed number of queries, chunked transactions (issue 17) ----------------------


def _owing_community(company, count: int, *, due_day: int):
    """``count`` premises, each with one owner owing 100,00 zł on ``due_day`` of May 2025;
    every other owner consented to SMS (the community has SMS on)."""
    community = CommunityFactory(company=company, payment_due_day=due_day, sms_enabled=True)
    building = BuildingFactory(community=community)
    owners = []
    for number in range(count):
        premises = PremisesFactory(building=building, number=str(number + 1))
        owner = UserFactory()
        OwnershipFactory(user=owner, premises=premises)
        add_charge(premises, "100.00", datetime.date(2025, 5, due_day))
        if number % 2 == 0:
            DeliveryConsent.objects.create(
                user=owner,
                premises=premises,
                channel="sms",
                address=f"60100{number:04d}",
                consent_text="x",
            )
        owners.append(owner)
    return community, owners


def _queries(function) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        result = function()
    return len(queries), result


def test_queries_do_not_grow_with_the_premises(company):
    _small, small_owners = _owing_community(company, 2, due_day=10)
    _large, large_owners = _owing_community(company, 7, due_day=20)
    ContentType.objects.get_for_model(ReminderSent)  # cached for the process after the first
    small_queries, small_sent = _queries(
        lambda: payment_reminders_send(today=datetime.date(2025, 5, 7))
    )
    large_queries, large_sent = _queries(
        lambda: payment_reminders_send(today=datetime.date(2025, 5, 17))
    )
    assert (small_sent, large_sent) == (2, 7)
    assert small_queries == large_queries
    # The same channels as one notify() per person: e-mail to each, SMS only with a consent.
    for owners in (small_owners, large_owners):
        for number, owner in enumerate(owners):
            channels = sorted(m.channel for m in Message.objects.filter(recipient=owner))
            assert channels == (["email", "sms"] if number % 2 == 0 else ["email"])


def test_a_run_stopped_halfway_resumes_without_duplicates(
    company, monkeypatch, django_capture_on_commit_callbacks
):
    _community, owners = _owing_community(company, 5, due_day=10)
    monkeypatch.setattr(reminders, "CHUNK", 2)
    real_notify_many = reminders.notify_many
    calls = []

    def crash_on_the_second_chunk(notices, **kwargs):
        calls.append(len(notices))
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real_notify_many(notices, **kwargs)

    monkeypatch.setattr(reminders, "notify_many", crash_on_the_second_chunk)
    with pytest.raises(RuntimeError):
        _send(django_capture_on_commit_callbacks)
    assert ReminderSent.objects.count() == 2  # the first chunk stays, the second rolled back
    assert len(mail.outbox) == 2
    monkeypatch.setattr(reminders, "notify_many", real_notify_many)
    assert _send(django_capture_on_commit_callbacks) == 3
    assert _send(django_capture_on_commit_callbacks) == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted(o.email for o in owners)
    assert len(MemorySmsBackend.outbox) == 3  # owners 0, 2 and 4 consented, once each


def test_nobody_to_tell_is_not_recorded_nor_counted(
    owed, resident, django_capture_on_commit_callbacks
):
    """No e-mail address (or e-mail notifications switched off) and no SMS consent: nothing
    goes out, so nothing is counted as sent; once reachable, the next run reminds."""
    resident.email = ""
    resident.save()
    assert _send(django_capture_on_commit_callbacks) == 0
    assert not ReminderSent.objects.exists()
    assert not Message.objects.exists()
    resident.email = "jan.kowalski@example.com"
    resident.save()
    assert _send(django_capture_on_commit_callbacks, datetime.date(2025, 5, 8)) == 1
    [email] = mail.outbox
    assert email.to == ["jan.kowalski@example.com"]
    assert "Termin płatności: 12.05.2025" in email.body


def test_a_failing_send_does_not_stop_the_others_and_is_recorded(
    owed, resident, neighbour, monkeypatch, django_capture_on_commit_callbacks
):
    from notifications import services

    add_charge(neighbour.ownerships.get().premises, "300.00", DUE)
    real_send_now = services._send_now

    def smtp_refuses_the_resident(message):
        if message.to_address == resident.email:
            raise OSError("550 skrzynka nie istnieje")
        return real_send_now(message)

    monkeypatch.setattr(services, "_send_now", smtp_refuses_the_resident)
    assert _send(django_capture_on_commit_callbacks) == 2
    [email] = mail.outbox
    assert email.to == [neighbour.email] and "300,00" in email.body
    failed = Message.objects.get(recipient=resident)
    assert failed.status == Message.Status.QUEUED  # retried later by retry_due_messages
    assert "550 skrzynka nie istnieje" in failed.last_error
    assert failed.attempts == 1


def test_an_overlapping_run_that_recorded_first_wins(
    owed, resident, monkeypatch, django_capture_on_commit_callbacks
):
    """Two workers at once: the other one records the premises between this run's check and
    its own record; the unique constraint refuses it, so the reminder goes out only once."""
    real_notify_channels = reminders.notify_channels

    def another_worker_records_first(notices):
        ReminderSent.objects.create(
            kind=ReminderSent.Kind.PAYMENT,
            period=datetime.date(2025, 5, 1),
            premises=owed,
            community=owed.building.community,
        )
        return real_notify_channels(notices)

    monkeypatch.setattr(reminders, "notify_channels", another_worker_records_first)
    assert _send(django_capture_on_commit_callbacks, datetime.date(2025, 5, 8)) == 0
    assert mail.outbox == []
    assert ReminderSent.objects.count() == 1


def test_community_with_payment_reminders_switched_off_gets_none_others_still_do(
    community, owed, resident, stranger, django_capture_on_commit_callbacks
):
    """Some communities do not want reminders: neither the daily run nor its catch-up sends
    any to their residents (e-mail or SMS), while other communities are reminded as before."""
    community.payment_reminders_enabled = False
    community.sms_enabled = True
    community.save()
    DeliveryConsent.objects.create(
        user=resident, premises=owed, channel="sms", address="601000001", consent_text="x"
    )
    stranger_premises = stranger.ownerships.get().premises
    add_charge(stranger_premises, "99.00", DUE)
    assert _send(django_capture_on_commit_callbacks) == 1
    with django_capture_on_commit_callbacks(execute=True):
        call_command("remind_payments", "--date", "2025-05-09")  # a catch-up run
    assert [m.to for m in mail.outbox] == [[stranger.email]]
    assert "99,00" in mail.outbox[0].body
    assert MemorySmsBackend.outbox == []
    assert not ReminderSent.objects.filter(premises=owed).exists()
