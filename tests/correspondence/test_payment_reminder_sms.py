import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from correspondence.models import SmsNotice
from finance.models import Charge, Payment
from finance.reminders import payment_reminder_sms_send
from notifications.sms import MemorySmsBackend
from tests.factories import OwnershipFactory, PremisesFactory

from .helpers import make_consent


@pytest.fixture(autouse=True)
def _clean_sms():
    MemorySmsBackend.outbox.clear()


@pytest.fixture
def sms_community(community):
    community.sms_enabled = True
    community.save()
    return community


def _owe(premises, amount):
    due = timezone.localdate() - datetime.timedelta(days=5)
    Charge.objects.create(
        premises=premises,
        category="management",
        title="Zaliczka",
        period=due.replace(day=1),
        due_date=due,
        amount=Decimal(amount),
    )


def _post(admin_client, community, text, capture):
    with capture(execute=True):
        return admin_client.post(
            "/admin/correspondence/smsnotice/add/",
            {"community": community.pk, "kind": "payment_reminder", "text": text},
            follow=True,
        )


def test_each_premises_gets_its_own_amount(
    admin_client, sms_community, premises, resident, neighbour, django_capture_on_commit_callbacks
):
    _owe(premises, "1234.56")
    make_consent(user=resident, premises=premises, channel="sms", address="601000001")
    neighbour_premises = neighbour.ownerships.get().premises
    _owe(neighbour_premises, "80.00")
    Payment.objects.create(
        premises=neighbour_premises, booked_on=timezone.localdate(), amount=Decimal("30.00")
    )
    make_consent(user=neighbour, premises=neighbour_premises, channel="sms", address="601000002")
    # The resident owns a second premises in arrears: a separate SMS with that amount.
    garage = PremisesFactory(building=premises.building, number="G1")
    OwnershipFactory(user=resident, premises=garage)
    _owe(garage, "15.00")
    make_consent(user=resident, premises=garage, channel="sms", address="601000001")
    response = _post(
        admin_client,
        sms_community,
        "Zaległość za lokal {lokal}: {kwota}. Prosimy o wpłatę.",
        django_capture_on_commit_callbacks,
    )
    assert "SMS przekazano do wysłania do 3 osób." in response.content.decode()
    assert sorted(MemorySmsBackend.outbox) == sorted(
        [
            ("601000001", f"Zaległość za lokal {premises}: 1\xa0234,56\xa0zł. Prosimy o wpłatę."),
            ("601000001", f"Zaległość za lokal {garage}: 15,00\xa0zł. Prosimy o wpłatę."),
            (
                "601000002",
                f"Zaległość za lokal {neighbour_premises}: 50,00\xa0zł. Prosimy o wpłatę.",
            ),
        ]
    )
    assert SmsNotice.objects.get().recipients_count == 3


def test_amount_is_added_when_the_text_has_no_placeholder(
    admin_client, sms_community, premises, resident, django_capture_on_commit_callbacks
):
    _owe(premises, "300.00")
    make_consent(user=resident, premises=premises, channel="sms", address="601000001")
    _post(
        admin_client, sms_community, "Strefa: masz zaległość.", django_capture_on_commit_callbacks
    )
    assert MemorySmsBackend.outbox == [
        ("601000001", "Strefa: masz zaległość. Zaległość: 300,00\xa0zł.")
    ]


def test_text_too_long_once_filled_is_refused(admin_client, sms_community):
    response = admin_client.post(
        "/admin/correspondence/smsnotice/add/",
        {"community": sms_community.pk, "kind": "payment_reminder", "text": "x" * 440},
    )
    assert "skróć go" in response.content.decode()
    assert not SmsNotice.objects.exists()


def test_refused_where_the_community_switched_payment_reminders_off(
    admin_client, sms_community, premises, resident, django_capture_on_commit_callbacks
):
    sms_community.payment_reminders_enabled = False
    sms_community.save()
    _owe(premises, "300.00")
    make_consent(user=resident, premises=premises, channel="sms", address="601000001")
    response = _post(
        admin_client, sms_community, "Strefa: masz zaległość.", django_capture_on_commit_callbacks
    )
    assert (
        "Przypomnienia o płatności są wyłączone w tej wspólnocie (ustawienia)."
        in response.content.decode()
    )
    assert not SmsNotice.objects.exists()
    assert MemorySmsBackend.outbox == []
    # Other SMS notices to the community still go out.
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            "/admin/correspondence/smsnotice/add/",
            {"community": sms_community.pk, "kind": "failure", "text": "Awaria wody."},
        )
    assert MemorySmsBackend.outbox == [("601000001", "Awaria wody.")]


def test_service_sends_no_reminder_where_the_community_switched_them_off(
    sms_community, premises, resident
):
    """The rule holds for any caller of the service, not only the admin form."""
    sms_community.payment_reminders_enabled = False
    sms_community.save()
    _owe(premises, "300.00")
    make_consent(user=resident, premises=premises, channel="sms", address="601000001")
    notice = SmsNotice.objects.create(
        community=sms_community, kind=SmsNotice.Kind.PAYMENT_REMINDER, text="Zaległość."
    )
    assert payment_reminder_sms_send(notice=notice) == 0
    assert not notice.outbox_messages.exists()
