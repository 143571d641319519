"""Changing the contact e-mail or phone needs the password (or app code); the old address hears."""

import pytest

from notifications.models import Message

from ..factories import PASSWORD
from .helpers import totp_code, totp_enable

pytestmark = pytest.mark.django_db

CONFIRM = "/potwierdz-haslo/?next=%2Fprofil%2F"


def _change(client, email="nowy@example.com", phone="601 222 333"):
    return client.post("/profil/", {"email": email, "phone": phone})


def test_new_email_waits_for_the_password_then_the_old_address_is_told(resident_client, resident):
    old = resident.email
    response = _change(resident_client)
    assert response.status_code == 302
    assert response["Location"] == CONFIRM
    resident.refresh_from_db()
    assert resident.email == old

    wrong = resident_client.post(CONFIRM, {"password": "zle-haslo-123"})
    assert "Potwierdź, że to Ty" in wrong.content.decode()
    resident.refresh_from_db()
    assert resident.email == old

    done = resident_client.post(CONFIRM, {"password": PASSWORD}, follow=True)
    assert "Dane kontaktowe zostały zapisane." in done.content.decode()
    resident.refresh_from_db()
    assert (resident.email, resident.phone) == ("nowy@example.com", "+48601222333")

    notice = Message.objects.get(channel=Message.Channel.EMAIL)
    assert notice.to_address == old
    assert notice.subject == "Zmieniono adres e-mail w Strefie Klienta"
    assert "n***@example.com" in notice.body
    assert "Jeżeli ta zmiana nie pochodzi od Ciebie" in notice.body
    assert not Message.objects.filter(to_address="nowy@example.com").exists()


def test_new_phone_also_needs_the_password(resident_client, resident):
    response = _change(resident_client, email=resident.email, phone="602 999 888")
    assert response["Location"] == CONFIRM
    resident.refresh_from_db()
    assert resident.phone == "+48601200300"
    resident_client.post(CONFIRM, {"password": PASSWORD})
    resident.refresh_from_db()
    assert resident.phone == "+48602999888"
    # The e-mail stayed, so nobody is told about a new one.
    assert not Message.objects.exists()


def test_saving_unchanged_contact_data_needs_no_password(resident_client, resident):
    response = _change(resident_client, email=resident.email, phone="601 200 300")
    assert response["Location"] == "/profil/"


def test_with_two_factor_login_the_app_code_confirms_too(resident_client, resident):
    secret = totp_enable(resident)
    _change(resident_client)
    page = resident_client.get(CONFIRM).content.decode()
    assert "Potwierdź kodem z aplikacji uwierzytelniającej" in page
    url = "/profil/weryfikacja-dwuetapowa/reauthenticate/?next=%2Fprofil%2F"
    assert url.replace("&", "&amp;") in page or url in page
    resident_client.post(url, {"code": totp_code(secret)})
    resident.refresh_from_db()
    assert resident.email == "nowy@example.com"


def test_a_recent_confirmation_is_not_asked_again(resident_client, resident):
    resident_client.get(CONFIRM)
    resident_client.post(CONFIRM, {"password": PASSWORD})
    response = _change(resident_client)
    assert response["Location"] == "/profil/"
    resident.refresh_from_db()
    assert resident.email == "nowy@example.com"
