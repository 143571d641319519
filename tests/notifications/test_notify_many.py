"""Telling many people at once (reminder runs, issue 17): ``notify_many`` makes the same
channel decision as ``notify`` for each notice, in a fixed number of queries, and hands the
messages to the sending tasks in batches; ``reminders_record`` is the set-based once-only guard."""

import datetime
from types import SimpleNamespace

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications import services, tasks
from notifications.models import Message, ReminderSent
from notifications.services import Notice, notify_many, reminders_record, sms_addresses
from notifications.sms import MemorySmsBackend
from premises.models import Ownership
from tests.correspondence.helpers import make_consent
from tests.factories import (
    BuildingFactory,
    CommunityFactory,
    OwnershipFactory,
    PremisesFactory,
    UserFactory,
)

TEMPLATE = "notifications/test"


@pytest.fixture(autouse=True)
def _clean_sms_outbox():
    MemorySmsBackend.outbox.clear()


@pytest.fixture
def sms_community(company):
    return CommunityFactory(company=company, sms_enabled=True)


def _owner(building, number, *, phone=None, email=None):
    person = UserFactory() if email is None else UserFactory(email=email)
    premises = PremisesFactory(building=building, number=number)
    OwnershipFactory(user=person, premises=premises)
    if phone:
        make_consent(user=person, premises=premises, channel="sms", address=phone)
    return person, premises


def _notice(person, community, **kwargs):
    return Notice(
        user=person, template=TEMPLATE, context={"text": "Ala"}, community=community, **kwargs
    )


def test_sms_only_to_a_valid_consent_for_the_premises_building_or_community(company, sms_community):
    building = BuildingFactory(community=sms_community)
    other_building = BuildingFactory(community=sms_community)
    consenting, own = _owner(building, "1", phone="601000001")
    _, other = _owner(building, "2")
    far, far_premises = _owner(other_building, "3", phone="601000003")
    no_consent, _ = _owner(building, "4")
    tenant = UserFactory()
    OwnershipFactory(user=tenant, premises=own, role=Ownership.Role.TENANT)
    make_consent(user=tenant, premises=own, channel="sms", address="601000009")
    sms_off = CommunityFactory(company=company)
    off, _ = _owner(BuildingFactory(community=sms_off), "5", phone="601000005")
    notices = [
        _notice(consenting, sms_community, premises=own, sms=True),
        _notice(consenting, sms_community, premises=other, sms=True),  # not their premises
        _notice(consenting, sms_community, premises=[own, other], sms=True),
        _notice(consenting, sms_community, building=building, sms=True),
        _notice(consenting, sms_community, building=other_building, sms=True),
        _notice(consenting, sms_community, sms=True),
        _notice(consenting, sms_community),  # no SMS asked for
        _notice(far, sms_community, sms=True),
        _notice(far, sms_community, premises=[far_premises], building=building, sms=True),
        _notice(no_consent, sms_community, sms=True),
        _notice(tenant, sms_community, premises=own, sms=True),  # only owners get SMS
        _notice(off, sms_off, sms=True),  # SMS switched off in the community
        _notice(off, None, sms=True),
    ]
    assert sms_addresses(notices) == [
        "601000001",
        "",
        "601000001",
        "601000001",
        "",
        "601000001",
        "",
        "601000003",
        "",
        "",
        "",
        "",
        "",
    ]


def test_the_same_messages_as_notify_one_by_one(sms_community, django_capture_on_commit_callbacks):
    building = BuildingFactory(community=sms_community)
    consenting, own = _owner(building, "1", phone="601000001")
    silent, _ = _owner(building, "2")
    no_email, mute = _owner(building, "3", phone="601000003", email="")
    notices = [
        _notice(person, sms_community, premises=premises, sms=True)
        for person, premises in ((consenting, own), (silent, None), (no_email, mute))
    ]
    with django_capture_on_commit_callbacks(execute=True):
        stored = notify_many(notices)
    assert [[(m.channel, m.to_address) for m in messages] for messages in stored] == [
        [("email", consenting.email), ("sms", "601000001")],
        [("email", silent.email)],
        [("sms", "601000003")],
    ]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([consenting.email, silent.email])
    assert mail.outbox[0].subject == "Wiadomość testowa ze Strefy"
    assert "Ala" in mail.outbox[0].body
    assert "List-Unsubscribe" in mail.outbox[0].extra_headers
    assert sorted(MemorySmsBackend.outbox) == [
        ("601000001", "Strefa: wiadomość testowa. Ala"),
        ("601000003", "Strefa: wiadomość testowa. Ala"),
    ]
    assert set(Message.objects.values_list("status", flat=True)) == {Message.Status.SENT}


def test_queries_do_not_grow_with_the_notices(sms_community):
    building = BuildingFactory(community=sms_community)
    people = [_owner(building, str(n), phone=f"60100000{n}") for n in range(8)]
    related = ReminderSent.objects.create(kind="payment", period=datetime.date(2025, 5, 1))
    ContentType.objects.get_for_model(related)

    def count(chunk):
        with CaptureQueriesContext(connection) as queries:
            notify_many(
                [
                    _notice(p, sms_community, premises=premises, sms=True, related=related)
                    for p, premises in chunk
                ]
            )
        return len(queries)

    assert count(people[:2]) == count(people[2:])
    assert Message.objects.count() == 16


def test_one_sending_task_per_batch_of_messages(
    person_factory, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "SEND_BATCH", 3)
    batches = []
    real_enqueue = tasks.send_messages.enqueue

    def enqueue(*, message_ids):
        batches.append(len(message_ids))
        return real_enqueue(message_ids=message_ids)

    monkeypatch.setattr(tasks, "send_messages", SimpleNamespace(enqueue=enqueue))
    people = [person_factory() for _ in range(7)]
    with django_capture_on_commit_callbacks(execute=True):
        notify_many([Notice(user=p, template=TEMPLATE, context={}) for p in people])
    assert batches == [3, 3, 1]
    assert len(mail.outbox) == 7
    # A message sent already is skipped when a task runs again (each is claimed on its own).
    assert (
        services.messages_send(message_ids=list(Message.objects.values_list("pk", flat=True))) == 0
    )
    assert len(mail.outbox) == 7


@pytest.fixture
def person_factory(db):
    return UserFactory


def test_reminders_record_skips_the_recorded_ones(db):
    people = [UserFactory() for _ in range(3)]
    may = datetime.date(2025, 5, 20)
    ReminderSent.objects.create(kind="reading_window", period=may, user=people[0])

    def unsaved(person):
        return ReminderSent(kind="reading_window", period=may, user=person)

    records = reminders_record([unsaved(p) for p in people] + [unsaved(people[1])])
    # The first was recorded before; the last asks for the second person again.
    assert [r is not None for r in records] == [False, True, True, False]
    assert records[1].pk is not None and records[2].pk is not None
    # A second run records (and so sends) nothing.
    assert reminders_record([unsaved(p) for p in people]) == [None, None, None]
    assert ReminderSent.objects.count() == 3


def test_reminders_record_overlapping_run(db, monkeypatch):
    """Another run recorded one between our check and our insert: the constraints refuse the
    insert and each reminder is recorded on its own, the other run's one not again."""
    people = [UserFactory() for _ in range(3)]
    may = datetime.date(2025, 5, 20)
    ReminderSent.objects.create(kind="reading_window", period=may, user=people[1])
    monkeypatch.setattr(
        ReminderSent.objects, "filter", lambda *args, **kwargs: ReminderSent.objects.none()
    )
    records = reminders_record(
        [ReminderSent(kind="reading_window", period=may, user=p) for p in people]
    )
    assert [r is not None and r.pk is not None for r in records] == [True, False, True]
    assert ReminderSent.objects.count() == 3
