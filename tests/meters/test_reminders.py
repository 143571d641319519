import datetime

import pytest
from django.core import mail
from django.core.management import call_command

from correspondence.models import DeliveryConsent
from meters.reminders import reading_reminders_send
from notifications.models import Message, ReminderSent
from notifications.sms import MemorySmsBackend
from premises.models import Ownership
from tests.factories import MeterFactory, OwnershipFactory, ReadingFactory, UserFactory

OPENS = datetime.date(2025, 5, 20)  # the default window: 20.05.2025–12.06.2025


@pytest.fixture(autouse=True)
def _clean_sms():
    MemorySmsBackend.outbox.clear()


@pytest.fixture
def meters(premises):
    return {
        "cold": MeterFactory(premises=premises, serial_number="ZW-111", location="łazienka"),
        "hot": MeterFactory(premises=premises, kind="hot_water", serial_number="CW-222"),
        "remote": MeterFactory(premises=premises, serial_number="RAD-333", is_remote_read=True),
    }


def _send(capture, today=OPENS):
    with capture(execute=True):
        return reading_reminders_send(today=today)


def _to(address):
    return [m for m in mail.outbox if m.to == [address]]


def test_opening_day_sends_one_email_per_resident_with_their_unread_meters(
    resident, neighbour, stranger, meters, django_capture_on_commit_callbacks
):
    ReadingFactory(meter=meters["hot"], read_on=OPENS)  # already read this window
    ReadingFactory(meter=meters["cold"], read_on=OPENS - datetime.timedelta(days=30))
    neighbour_meter = MeterFactory(
        premises=neighbour.ownerships.get().premises, serial_number="ZW-SASIAD"
    )
    stranger_meter = MeterFactory(
        premises=stranger.ownerships.get().premises, serial_number="ZW-OBCY"
    )
    assert _send(django_capture_on_commit_callbacks) == 3
    [email] = _to(resident.email)
    assert email.subject == "Podaj odczyty liczników do 12.06.2025"
    assert "ZW-111 (łazienka)" in email.body and "zimna woda" in email.body
    assert "CW-222" not in email.body  # read already
    assert "RAD-333" not in email.body  # remote-read
    assert "od 20.05.2025 do 12.06.2025" in email.body
    assert "http://" in email.body and "/liczniki/" in email.body
    assert "ZW-SASIAD" not in email.body and "ZW-OBCY" not in email.body
    [other] = _to(neighbour.email)
    assert neighbour_meter.serial_number in other.body and "ZW-111" not in other.body
    [far] = _to(stranger.email)
    assert stranger_meter.serial_number in far.body and "ZW-111" not in far.body
    assert len(mail.outbox) == 3


def test_co_owner_and_tenant_get_their_own_email(
    resident, premises, meters, django_capture_on_commit_callbacks
):
    co_owner = UserFactory()
    OwnershipFactory(user=co_owner, premises=premises, role=Ownership.Role.CO_OWNER)
    tenant = UserFactory()
    OwnershipFactory(user=tenant, premises=premises, role=Ownership.Role.TENANT)
    former = UserFactory()
    OwnershipFactory(user=former, premises=premises, valid_to=datetime.date(2024, 12, 31))
    no_email = UserFactory(email="")
    OwnershipFactory(user=no_email, premises=premises, role=Ownership.Role.TENANT)
    assert _send(django_capture_on_commit_callbacks) == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [resident.email, co_owner.email, tenant.email]
    )


def test_not_on_other_days(resident, meters, django_capture_on_commit_callbacks):
    for day in (OPENS - datetime.timedelta(days=1), OPENS + datetime.timedelta(days=1)):
        assert _send(django_capture_on_commit_callbacks, day) == 0
    assert mail.outbox == []
    assert not Message.objects.exists()


def test_custom_window_start_day_and_month_end(
    community, resident, meters, django_capture_on_commit_callbacks
):
    community.reading_window_start_day = 31  # the month's last day: 28.02 in 2025
    community.reading_window_end_day = 10
    community.save()
    assert _send(django_capture_on_commit_callbacks, datetime.date(2025, 2, 27)) == 0
    assert _send(django_capture_on_commit_callbacks, datetime.date(2025, 2, 28)) == 1
    assert "do 10.03.2025" in mail.outbox[0].subject


def test_not_twice_for_the_same_window(resident, meters, django_capture_on_commit_callbacks):
    assert _send(django_capture_on_commit_callbacks) == 1
    assert _send(django_capture_on_commit_callbacks) == 0
    with django_capture_on_commit_callbacks(execute=True):
        call_command("remind_readings", "--date", "2025-05-20")
    assert len(mail.outbox) == 1
    assert ReminderSent.objects.get().period == OPENS
    # The next window is a new reminder.
    assert _send(django_capture_on_commit_callbacks, datetime.date(2025, 6, 20)) == 1


def test_nothing_when_readings_disabled(
    community, resident, meters, django_capture_on_commit_callbacks
):
    community.meter_readings_enabled = False
    community.save()
    assert _send(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


def test_nothing_when_only_remote_or_all_read(
    premises, resident, django_capture_on_commit_callbacks
):
    MeterFactory(premises=premises, is_remote_read=True)
    read = MeterFactory(premises=premises)
    ReadingFactory(meter=read, read_on=OPENS)
    MeterFactory(premises=premises, removed_on=datetime.date(2025, 1, 31))
    assert _send(django_capture_on_commit_callbacks) == 0
    assert not ReminderSent.objects.exists()


def test_sms_only_with_consent_and_sms_enabled(
    community, premises, resident, neighbour, meters, django_capture_on_commit_callbacks
):
    MeterFactory(premises=neighbour.ownerships.get().premises)
    DeliveryConsent.objects.create(
        user=resident, premises=premises, channel="sms", address="601000001", consent_text="x"
    )
    assert _send(django_capture_on_commit_callbacks) == 2
    assert MemorySmsBackend.outbox == []  # SMS off in the community
    ReminderSent.objects.all().delete()
    community.sms_enabled = True
    community.save()
    assert _send(django_capture_on_commit_callbacks) == 2
    [(to, text)] = MemorySmsBackend.outbox
    assert to == "601000001"
    assert text == "Strefa Klienta: podaj do 12.06.2025 odczyty 2 liczników w zakładce Liczniki."


def test_command_rejects_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="RRRR-MM-DD"):
        call_command("remind_readings", "--date", "20.05.2025")
