"""Seed 003 / SPEC rule 5: when a letter may go by e-mail, and why it goes by post."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from correspondence.models import DeliveryConsent, Letter
from correspondence.services import (
    consent_give,
    consent_withdraw,
    delivery_decide,
    letter_create,
    letter_create_for_owners,
    letter_publish,
    letter_send_again,
)
from notifications.models import Message
from premises.models import Ownership
from tests.factories import CommunityFactory, OwnershipFactory, UserFactory

from .helpers import PDF_BYTES, make_consent

TODAY = datetime.date(2026, 3, 20)
START = datetime.date(2026, 1, 1)


def _community(**kw):
    defaults = {"e_delivery_enabled": True, "e_delivery_start": START}
    return CommunityFactory.build(**{**defaults, **kw})


def decide(community=None, *, kind=Letter.Kind.INFORMATION, created=TODAY, consent=None):
    return delivery_decide(
        kind=kind,
        created_on=created,
        community=community or _community(),
        consent_given_on=consent,
        today=TODAY,
    )


def test_valid_consent_older_than_14_days_goes_by_email():
    assert decide(consent=TODAY - datetime.timedelta(days=30)) == ("email", "consent")


@pytest.mark.parametrize(
    ("days", "expected"),
    [(0, "post"), (1, "post"), (13, "post"), (14, "post"), (15, "email"), (16, "email")],
)
def test_consent_waits_14_full_days_not_counting_the_consent_day(days, expected):
    channel, reason = decide(consent=TODAY - datetime.timedelta(days=days))
    assert channel == expected
    assert reason == ("consent_recent" if expected == "post" else "consent")


D = datetime.date


@pytest.mark.parametrize(
    ("given", "last_post_day"),
    [
        (D(2026, 9, 1), D(2026, 9, 15)),  # the example: e-mail from 16.09
        (D(2026, 1, 31), D(2026, 2, 14)),  # 31-day month
        (D(2026, 2, 17), D(2026, 3, 3)),  # across a 28-day February
        (D(2028, 2, 17), D(2028, 3, 2)),  # across a 29-day (leap) February
        (D(2026, 4, 20), D(2026, 5, 4)),  # across a 30-day month
        (D(2026, 12, 25), D(2027, 1, 8)),  # across the year
    ],
)
def test_email_consent_post_until_the_14th_day_after_consent(given, last_post_day):
    community = _community(e_delivery_start=D(2020, 1, 1))
    one_day = datetime.timedelta(days=1)

    def on(today):
        return delivery_decide(
            kind=Letter.Kind.INFORMATION,
            created_on=today,
            community=community,
            consent_given_on=given,
            today=today,
        )

    assert on(last_post_day - one_day) == ("post", "consent_recent")
    assert on(last_post_day) == ("post", "consent_recent")
    assert on(last_post_day + one_day) == ("email", "consent")


def test_no_consent_goes_by_post():
    assert decide(consent=None) == ("post", "no_consent")


@pytest.mark.parametrize(
    ("created", "expected"),
    [
        (START - datetime.timedelta(days=1), ("post", "before_start")),
        (START, ("email", "consent")),
        (START + datetime.timedelta(days=1), ("email", "consent")),
    ],
)
def test_only_letters_created_from_the_start_date_are_e_delivered(created, expected):
    assert decide(created=created, consent=START - datetime.timedelta(days=60)) == expected


def test_e_delivery_not_started_or_disabled_goes_by_post():
    old = TODAY - datetime.timedelta(days=60)
    assert decide(_community(e_delivery_start=None), consent=old) == ("post", "not_started")
    assert decide(_community(e_delivery_enabled=False), consent=old) == ("post", "disabled")


def test_payment_demand_goes_by_post_unless_community_allows():
    old = TODAY - datetime.timedelta(days=60)
    demand = Letter.Kind.PAYMENT_DEMAND
    assert decide(kind=demand, consent=old) == ("post", "payment_demand")
    allowed = _community(payment_demands_electronic=True)
    assert decide(allowed, kind=demand, consent=old) == ("email", "consent")


# --- With the database: publishing, consents, recipients --------------------------------------


@pytest.fixture
def e_community(community):
    community.e_delivery_start = datetime.date(2020, 1, 1)
    community.save()
    return community


def _publish(premises, recipient, kind=Letter.Kind.INFORMATION):
    return letter_create(
        community=premises.building.community,
        premises=premises,
        recipient=recipient,
        kind=kind,
        subject="Zmiana stawki za wywóz odpadów",
        body="Od 1 kwietnia stawka wynosi 38 zł od osoby.",
        attachments=[("informacja.pdf", PDF_BYTES)],
    )


def test_published_letter_with_old_consent_is_emailed_to_consent_address(
    e_community, premises, resident, django_capture_on_commit_callbacks
):
    make_consent(user=resident, premises=premises, days_ago=20, address="e-doreczenia@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        letter = _publish(premises, resident)
    assert (letter.delivery_channel, letter.delivery_reason) == ("email", "consent")
    message = Message.objects.for_object(letter).get()
    assert message.status == Message.Status.SENT
    [email] = mail.outbox
    assert email.to == ["e-doreczenia@example.com"]
    assert "Zmiana stawki za wywóz odpadów" in email.subject
    assert f"/korespondencja/pisma/{letter.pk}/" in email.body


def test_letter_email_greets_the_resident_by_name_with_both_parts_and_no_unsubscribe(
    e_community, premises, resident, django_capture_on_commit_callbacks
):
    make_consent(user=resident, premises=premises, days_ago=20, address="e-doreczenia@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        letter = _publish(premises, resident)
    [email] = mail.outbox
    assert "Dzień dobry, Anna Nowak," in email.body
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    assert "Anna Nowak" in html
    assert f"/korespondencja/pisma/{letter.pk}/" in html
    assert email.extra_headers["Auto-Submitted"] == "auto-generated"
    # A letter is not a newsletter: the person cannot unsubscribe from their correspondence.
    assert "List-Unsubscribe" not in email.extra_headers


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        ("2026-09-14T12:00", "post"),
        ("2026-09-15T23:30", "post"),
        ("2026-09-16T00:10", "email"),
    ],
)
def test_letter_of_the_consent_day_plus_14_still_goes_by_post(
    e_community, premises, resident, published, expected
):
    tz = timezone.get_current_timezone()
    consent = make_consent(user=resident, premises=premises, address="e-doreczenia@example.com")
    consent.given_at = datetime.datetime(2026, 9, 1, 23, 50, tzinfo=tz)
    consent.save()
    now = datetime.datetime.fromisoformat(published).replace(tzinfo=tz)
    letter = letter_create(
        community=e_community,
        premises=premises,
        recipient=resident,
        kind=Letter.Kind.INFORMATION,
        subject="Zawiadomienie",
        publish=False,
    )
    letter = letter_publish(letter=letter, now=now)
    assert letter.delivery_channel == expected
    assert letter.delivery_address == ("e-doreczenia@example.com" if expected == "email" else "")


def test_recent_consent_letter_goes_to_print_list(e_community, premises, resident):
    make_consent(user=resident, premises=premises, days_ago=3)
    letter = _publish(premises, resident)
    assert (letter.delivery_channel, letter.delivery_reason) == ("post", "consent_recent")
    assert list(Letter.objects.to_print()) == [letter]
    assert not Message.objects.exists()


def test_payment_demand_with_consent_goes_by_post(e_community, premises, resident):
    make_consent(user=resident, premises=premises, days_ago=100)
    letter = _publish(premises, resident, kind=Letter.Kind.PAYMENT_DEMAND)
    assert (letter.delivery_channel, letter.delivery_reason) == ("post", "payment_demand")


def test_withdrawn_consent_sends_by_post_again(e_community, premises, resident):
    consent = make_consent(user=resident, premises=premises, days_ago=100)
    assert _publish(premises, resident).delivery_channel == "email"
    consent_withdraw(consent=consent)
    letter = _publish(premises, resident)
    assert (letter.delivery_channel, letter.delivery_reason) == ("post", "no_consent")
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert consent.history.count() == 2  # given, then withdrawn: both recorded


def test_consent_of_former_owner_is_not_valid(e_community, premises, resident):
    make_consent(user=resident, premises=premises, days_ago=100)
    Ownership.objects.filter(user=resident).update(
        valid_to=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert _publish(premises, resident).delivery_reason == "no_consent"


def test_tenant_cannot_consent(premises, resident):
    tenant = UserFactory()
    OwnershipFactory(user=tenant, premises=premises, role=Ownership.Role.TENANT)
    with pytest.raises(ValidationError, match="właściciel"):
        consent_give(user=tenant, premises=premises, channel="email", address="t@example.com")
    assert not DeliveryConsent.objects.exists()


def test_owner_consents_with_text_snapshot(premises, resident):
    consent = consent_give(user=resident, premises=premises, channel="sms", address="601-200-300")
    assert consent.address == "+48601200300"  # E.164, what the SMS gateway gets
    assert "na numer +48 601 200 300:" in consent.consent_text
    assert premises.building.address in consent.consent_text
    with pytest.raises(ValidationError, match="już wyrażona"):
        consent_give(user=resident, premises=premises, channel="sms", address="601200300")


def test_only_designated_co_owner_consents_and_receives(e_community, premises, resident):
    Ownership.objects.filter(user=resident).update(role=Ownership.Role.CO_OWNER)
    designated = UserFactory(first_name="Piotr", last_name="Nowak")
    OwnershipFactory(
        user=designated,
        premises=premises,
        role=Ownership.Role.CO_OWNER,
        is_correspondence_recipient=True,
    )
    with pytest.raises(ValidationError, match="Piotr Nowak"):
        consent_give(user=resident, premises=premises, channel="email", address="a@example.com")
    consent_give(user=designated, premises=premises, channel="email", address="p@example.com")

    [letter] = letter_create_for_owners(
        community=e_community,
        kind=Letter.Kind.INFORMATION,
        subject="Wyniki głosowania nad uchwałą 3/2026",
        body="Uchwała została podjęta.",
        attachment=("uchwala.pdf", PDF_BYTES),
    )
    assert letter.recipient == designated
    assert letter.premises == premises
    assert letter.published_at is not None
    assert letter.attachments.get().name == "uchwala.pdf"
    # The consent is fresh: by post for now.
    assert letter.delivery_reason == "consent_recent"


def test_letters_for_owners_skip_tenants_and_share_one_file(
    e_community, building, premises, resident
):
    from tests.factories import PremisesFactory

    rented = PremisesFactory(building=building, number="20")
    owner = UserFactory()
    OwnershipFactory(user=owner, premises=rented)
    OwnershipFactory(user=UserFactory(), premises=rented, role=Ownership.Role.TENANT)
    empty = PremisesFactory(building=building, number="21")  # nobody holds it
    letters = letter_create_for_owners(
        community=e_community,
        kind=Letter.Kind.INFORMATION,
        subject="Wyniki głosowania",
        body="…",
        attachment=("wyniki.pdf", PDF_BYTES),
    )
    assert {(lt.premises, lt.recipient) for lt in letters} == {
        (premises, resident),
        (rented, owner),
    }
    assert empty not in {lt.premises for lt in letters}
    names = {lt.attachments.get().file.name for lt in letters}
    assert len(names) == 1


def test_send_again_requeues_email_and_reprints_post(
    e_community, premises, resident, django_capture_on_commit_callbacks
):
    make_consent(user=resident, premises=premises, days_ago=30)
    with django_capture_on_commit_callbacks(execute=True):
        letter = _publish(premises, resident)
        letter_send_again(letter=letter)
    assert Message.objects.for_object(letter).count() == 2
    assert len(mail.outbox) == 2

    post_letter = _publish(premises, resident, kind=Letter.Kind.PAYMENT_DEMAND)
    post_letter.printed_at = timezone.now()
    post_letter.save()
    letter_send_again(letter=post_letter)
    post_letter.refresh_from_db()
    assert post_letter.printed_at is None  # back on the list to print


def test_unpublished_letter_is_not_delivered(e_community, premises, resident):
    letter = letter_create(
        community=e_community,
        premises=premises,
        recipient=resident,
        kind=Letter.Kind.INFORMATION,
        subject="Szkic",
        publish=False,
    )
    assert letter.delivery_channel == ""
    letter_publish(letter=letter)
    assert letter.delivery_channel == "post"


def test_former_designee_gets_no_sms_once_another_co_owner_receives(
    e_community, premises, resident
):
    """Seed 003: of several co-owners one designated person receives e-mails and/or SMS. A
    consent given while the person was the designee stays on file, but is not used after the
    office designates another co-owner."""
    from correspondence.models import SmsNotice
    from correspondence.selectors import sms_recipients
    from correspondence.services import sms_notice_send
    from notifications.services import sms_address

    e_community.sms_enabled = True
    e_community.save()
    Ownership.objects.filter(user=resident).update(role=Ownership.Role.CO_OWNER)
    make_consent(user=resident, premises=premises, channel="sms", address="601000001")
    designated = UserFactory()
    OwnershipFactory(
        user=designated,
        premises=premises,
        role=Ownership.Role.CO_OWNER,
        is_correspondence_recipient=True,
    )
    consent_give(user=designated, premises=premises, channel="sms", address="601000002")

    assert [c.user for c in sms_recipients(community=e_community)] == [designated]
    notice = SmsNotice.objects.create(community=e_community, kind="failure", text="Awaria wody.")
    assert sms_notice_send(notice=notice) == 1
    assert list(Message.objects.values_list("to_address", flat=True)) == ["+48601000002"]
    assert sms_address(user=resident, community=e_community, premises=premises) == ""
    assert sms_address(user=designated, community=e_community, premises=premises)


def test_a_letter_whose_e_mail_failed_for_good_goes_to_the_print_list(
    e_community, premises, resident
):
    make_consent(user=resident, premises=premises, days_ago=30)
    letter = _publish(premises, resident)
    assert letter.delivery_channel == "email"
    (message,) = Message.objects.filter(object_id=letter.pk, channel="email")
    assert list(Letter.objects.to_print()) == []  # the e-mail is on its way
    message.status, message.attempts = Message.Status.FAILED, 8
    message.save()
    assert list(Letter.objects.to_print()) == [letter]
    # Sent again from the admin: no longer to print while the new e-mail is under way.
    Message.objects.create(
        recipient=resident,
        channel="email",
        to_address=resident.email,
        body="…",
        content_type=message.content_type,
        object_id=letter.pk,
    )
    assert list(Letter.objects.to_print()) == []
