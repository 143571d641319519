"""One phone rule everywhere a number is entered: "601-200-300" accepted, E.164 stored."""

import importlib

import pytest
from django.apps import apps

from accounts.models import User
from correspondence.models import DeliveryConsent, SmsNotice
from correspondence.services import sms_notice_send
from failures.models import FailureReport
from notifications.sms import MemorySmsBackend
from premises import imports
from tests.factories import UserFactory, make_report

pytestmark = pytest.mark.django_db

TYPED = "601-200-300"
STORED = "+48601200300"
SHOWN = "+48 601 200 300"


def test_profile_accepts_dashes_stores_e164_shows_polish_format(resident_client, resident):
    resident_client.post("/profil/", {"email": resident.email, "phone": TYPED})
    resident.refresh_from_db()
    assert resident.phone == STORED
    assert f'value="{SHOWN}"' in resident_client.get("/profil/").content.decode()


def test_failure_report_accepts_dashes_and_office_sees_polish_format(resident_client, premises):
    resident_client.post(
        "/awarie/zglos/",
        {
            "place": f"lokal-{premises.pk}",
            "description": "Nie działa oświetlenie na klatce schodowej.",
            "contact_phone": TYPED,
        },
    )
    report = FailureReport.objects.get()
    assert report.contact_phone == STORED
    page = resident_client.get(f"/awarie/{report.pk}/").content.decode()
    assert SHOWN in page


def test_sms_consent_accepts_dashes_and_sms_goes_to_e164(
    resident_client, resident, premises, django_capture_on_commit_callbacks
):
    MemorySmsBackend.outbox.clear()
    key = f"sms-{premises.pk}"
    page = resident_client.post(
        "/korespondencja/zgody/",
        {
            "form_key": key,
            f"{key}-premises": premises.pk,
            f"{key}-channel": "sms",
            f"{key}-address": TYPED,
            f"{key}-agree": "on",
        },
        follow=True,
    ).content.decode()
    consent = DeliveryConsent.objects.get()
    assert consent.address == STORED
    assert f"na numer {SHOWN}:" in consent.consent_text
    assert SHOWN in page
    community = premises.building.community
    community.sms_enabled = True
    community.save()
    notice = SmsNotice.objects.create(
        community=community, building=premises.building, kind="interruption", text="Przerwa."
    )
    with django_capture_on_commit_callbacks(execute=True):
        sms_notice_send(notice=notice)
    assert [to for to, _text in MemorySmsBackend.outbox] == [STORED]


def test_sms_consent_refuses_a_landline(resident_client, premises):
    key = f"sms-{premises.pk}"
    page = resident_client.post(
        "/korespondencja/zgody/",
        {
            "form_key": key,
            f"{key}-premises": premises.pk,
            f"{key}-channel": "sms",
            f"{key}-address": "22 100 20 30",
            f"{key}-agree": "on",
        },
    ).content.decode()
    assert "Podaj numer telefonu komórkowego" in page
    assert not DeliveryConsent.objects.exists()


def test_register_import_accepts_dashes():
    assert imports.phone(TYPED) == STORED
    assert imports.phone("") == ""


def test_office_adds_person_with_dashed_phone(admin_client):
    admin_client.post(
        "/admin/accounts/user/add/",
        {"first_name": "Zofia", "last_name": "Żółć", "email": "z@example.com", "phone": TYPED},
    )
    assert User.objects.get(last_name="Żółć").phone == STORED


@pytest.mark.parametrize(
    ("module", "model", "field"),
    [
        ("accounts.migrations.0003_phone_e164", "accounts.User", "phone"),
        ("failures.migrations.0004_contact_phone_e164", "failures.FailureReport", "contact_phone"),
    ],
)
def test_data_migration_converts_stored_phones_to_e164(module, model, field, premises):
    forwards = importlib.import_module(module).forwards
    old = ["+48 601 200 300", "601200300", "48601200300", "601-200-300", "nie wiem", ""]
    rows = []
    for _value in old:
        if model == "accounts.User":
            rows.append(UserFactory())
        else:
            rows.append(make_report(UserFactory(), building=premises.building))
    Model = apps.get_model(model)
    for row, value in zip(rows, old, strict=True):
        Model.objects.filter(pk=row.pk).update(**{field: value})
    forwards(apps, None)
    stored = [getattr(Model.objects.get(pk=row.pk), field) for row in rows]
    assert stored == [STORED, STORED, STORED, STORED, "nie wiem", ""]


def test_data_migration_converts_sms_consents_only(resident, premises):
    forwards = importlib.import_module(
        "correspondence.migrations.0003_sms_consent_phone_e164"
    ).forwards
    sms = DeliveryConsent.objects.create(
        user=resident, premises=premises, channel="sms", address="601 200 300", consent_text="x"
    )
    email = DeliveryConsent.objects.create(
        user=resident, premises=premises, channel="email", address="a@example.com"
    )
    forwards(apps, None)
    sms.refresh_from_db()
    email.refresh_from_db()
    assert (sms.address, email.address) == (STORED, "a@example.com")
