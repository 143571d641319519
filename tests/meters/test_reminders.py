import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from correspondence.models import DeliveryConsent
from meters import reminders
from meters.reminders import reading_reminders_send
from notifications.models import Message, ReminderSent
from notifications.sms import MemorySmsBackend
from premises.models import Ownership
from tests.factories import (
    BuildingFactory,
    CommunityFactory,
    MeterFactory,
    OwnershipFactory,
    PremisesFactory,
    ReadingFactory,
    UserFactory,
)

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


def test_not_while_the_window_is_closed(resident, meters, django_capture_on_commit_callbacks):
    for day in (OPENS - datetime.timedelta(days=1), datetime.date(2025, 6, 13)):
        assert _send(django_capture_on_commit_callbacks, day) == 0
    assert mail.outbox == []
    assert not Message.objects.exists()
    assert not ReminderSent.objects.exists()


def test_a_missed_opening_day_is_caught_up_once_while_the_window_is_open(
    resident, meters, django_capture_on_commit_callbacks
):
    """No run on 20.05 (server down, a failed run): the next run sends the reminder, listing
    only the meters still without a reading in this window; later runs send nothing more."""
    ReadingFactory(meter=meters["hot"], read_on=OPENS)  # read on the opening day
    assert _send(django_capture_on_commit_callbacks, datetime.date(2025, 5, 22)) == 1
    [email] = _to(resident.email)
    assert email.subject == "Podaj odczyty liczników do 12.06.2025"
    assert "ZW-111" in email.body and "CW-222" not in email.body
    for day in (22, 23, 31):
        assert _send(django_capture_on_commit_callbacks, datetime.date(2025, 5, day)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        call_command("remind_readings", "--date", "2025-06-12")
    assert len(mail.outbox) == 1
    assert ReminderSent.objects.get().period == OPENS


def test_caught_up_only_while_meters_are_unread(
    resident, meters, django_capture_on_commit_callbacks
):
    ReadingFactory(meter=meters["hot"], read_on=OPENS)
    ReadingFactory(meter=meters["cold"], read_on=OPENS + datetime.timedelta(days=1))
    assert _send(django_capture_on_commit_callbacks, datetime.date(2025, 5, 25)) == 0
    assert mail.outbox == []


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


# --- At scale: a fixed number of queries, chunked transactions (issue 17) ----------------------


def _community_with_meters(company, count: int, *, opens_on_day: int):
    """``count`` premises with one meter and one owner each; every other owner consented to
    SMS (the community has SMS on)."""
    community = CommunityFactory(
        company=company, reading_window_start_day=opens_on_day, sms_enabled=True
    )
    building = BuildingFactory(community=community)
    owners = []
    for number in range(count):
        premises = PremisesFactory(building=building, number=str(number + 1))
        owner = UserFactory()
        OwnershipFactory(user=owner, premises=premises)
        MeterFactory(premises=premises, serial_number=f"ZW-{opens_on_day}-{number}")
        if number % 2 == 0:
            DeliveryConsent.objects.create(
                user=owner,
                premises=premises,
                channel="sms",
                address=f"60100{number:04d}",
                consent_text="x",
            )
        owners.append(owner)
    return owners


def _queries(function):
    with CaptureQueriesContext(connection) as queries:
        result = function()
    return len(queries), result


def test_queries_do_not_grow_with_the_people(company):
    small_owners = _community_with_meters(company, 2, opens_on_day=20)
    large_owners = _community_with_meters(company, 7, opens_on_day=21)
    ContentType.objects.get_for_model(ReminderSent)  # cached for the process after the first
    small_queries, small_sent = _queries(lambda: reading_reminders_send(today=OPENS))
    large_queries, large_sent = _queries(
        lambda: reading_reminders_send(today=OPENS + datetime.timedelta(days=1))
    )
    assert (small_sent, large_sent) == (2, 7)
    assert small_queries == large_queries
    for owners in (small_owners, large_owners):
        for number, owner in enumerate(owners):
            channels = sorted(m.channel for m in Message.objects.filter(recipient=owner))
            assert channels == (["email", "sms"] if number % 2 == 0 else ["email"])


def test_a_run_stopped_halfway_resumes_without_duplicates(
    company, monkeypatch, django_capture_on_commit_callbacks
):
    owners = _community_with_meters(company, 5, opens_on_day=20)
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


def test_nobody_to_tell_is_not_recorded(premises, meters, django_capture_on_commit_callbacks):
    no_email = UserFactory(email="")
    OwnershipFactory(user=no_email, premises=premises)
    assert _send(django_capture_on_commit_callbacks) == 0
    assert not ReminderSent.objects.exists()
