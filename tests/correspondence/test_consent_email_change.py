"""Changing the contact e-mail on /profil/ never leaves letters going to the old address."""

import datetime

import pytest
from django.core import mail

from correspondence.models import DeliveryConsent, Letter
from correspondence.services import consent_withdraw, letter_create

from ..factories import PASSWORD
from .helpers import make_consent


@pytest.fixture
def e_community(community):
    community.e_delivery_start = datetime.date(2020, 1, 1)
    community.save()
    return community


def _change_email(client, resident, email):
    client.force_login(resident)
    # A contact change asks for the password first (tests/security/test_contact_change.py).
    client.post("/potwierdz-haslo/", {"password": PASSWORD})
    return client.post("/profil/", {"email": email, "phone": "601 200 300"}, follow=True)


def _publish(premises, resident, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return letter_create(
            community=premises.building.community,
            premises=premises,
            recipient=resident,
            kind=Letter.Kind.INFORMATION,
            subject="Informacja o przeglądzie kominiarskim",
        )


def test_consent_for_the_old_contact_email_follows_the_new_one(
    client, e_community, premises, resident, django_capture_on_commit_callbacks
):
    resident.email = "stary@example.com"
    resident.save()
    consent = make_consent(user=resident, premises=premises, days_ago=30)
    given_at = consent.given_at
    page = _change_email(client, resident, "nowy@example.com").content.decode()

    consent.refresh_from_db()
    assert consent.address == "nowy@example.com"
    assert consent.given_at == given_at  # the 14 days are not counted again
    assert consent.withdrawn_at is None
    old = consent.history.order_by("history_date")
    assert [h.address for h in old] == ["stary@example.com", "nowy@example.com"]
    assert old.last().history_change_reason == "Zmiana adresu e-mail w profilu"
    assert "wysyłamy e-mailem na adres <strong>nowy@example.com</strong>" in page
    assert "To nie jest Twój adres kontaktowy" not in page

    letter = _publish(premises, resident, django_capture_on_commit_callbacks)
    assert (letter.delivery_channel, letter.delivery_address) == ("email", "nowy@example.com")
    assert [m.to for m in mail.outbox] == [["nowy@example.com"]]


def test_case_of_the_old_address_does_not_matter(client, e_community, premises, resident):
    resident.email = "Stary@Example.com"
    resident.save()
    consent = make_consent(user=resident, premises=premises, address="stary@example.com")
    _change_email(client, resident, "nowy@example.com")
    consent.refresh_from_db()
    assert consent.address == "nowy@example.com"


def test_consent_for_another_address_stays_and_the_profile_says_so(
    client, e_community, premises, resident
):
    consent = make_consent(user=resident, premises=premises, address="e-doreczenia@example.com")
    page = _change_email(client, resident, "nowy@example.com").content.decode()
    consent.refresh_from_db()
    assert consent.address == "e-doreczenia@example.com"
    assert "wysyłamy e-mailem na adres <strong>e-doreczenia@example.com</strong>" in page
    assert "To nie jest Twój adres kontaktowy" in page
    assert "wycofaj tę zgodę i wyraź ją ponownie" in page


def test_withdrawn_and_sms_consents_are_not_touched(client, e_community, premises, resident):
    resident.email = "stary@example.com"
    resident.save()
    withdrawn = consent_withdraw(consent=make_consent(user=resident, premises=premises))
    sms = make_consent(user=resident, premises=premises, channel="sms", address="+48601200300")
    _change_email(client, resident, "nowy@example.com")
    withdrawn.refresh_from_db()
    sms.refresh_from_db()
    assert withdrawn.address == "stary@example.com"
    assert sms.address == "+48601200300"
    assert DeliveryConsent.objects.filter(address="nowy@example.com").count() == 0


def test_same_email_changes_no_consent(client, e_community, premises, resident):
    consent = make_consent(user=resident, premises=premises)
    _change_email(client, resident, resident.email.upper())
    assert consent.history.count() == 1


def test_refused_profile_form_does_not_warn_about_the_saved_address(
    client, e_community, premises, resident
):
    make_consent(user=resident, premises=premises)
    client.force_login(resident)
    page = client.post("/profil/", {"email": "nowy@example.com", "phone": "12"}).content.decode()
    assert "Podaj prawidłowy numer telefonu" in page
    assert "To nie jest Twój adres kontaktowy" not in page
    resident.refresh_from_db()
    assert DeliveryConsent.objects.get().address == resident.email != "nowy@example.com"
