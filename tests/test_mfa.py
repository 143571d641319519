import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)

from .factories import PASSWORD

pytestmark = pytest.mark.django_db


def current_code(secret: str) -> str:
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def test_profile_offers_two_factor_login(resident_client):
    content = resident_client.get("/profil/").content.decode()
    assert "Logowanie dwuetapowe" in content
    page = resident_client.get("/profil/weryfikacja-dwuetapowa/")
    assert page.status_code == 200


def test_login_with_totp_asks_for_code_and_refuses_a_wrong_one(client, resident):
    secret = generate_totp_secret()
    TOTP.activate(resident, secret)

    response = client.post(
        "/logowanie/", {"login": resident.username, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/profil/weryfikacja-dwuetapowa/authenticate/"
    assert not response.wsgi_request.user.is_authenticated

    wrong = client.post("/profil/weryfikacja-dwuetapowa/authenticate/", {"code": "000000"})
    assert not wrong.wsgi_request.user.is_authenticated

    ok = client.post(
        "/profil/weryfikacja-dwuetapowa/authenticate/", {"code": current_code(secret)}, follow=True
    )
    assert ok.wsgi_request.user == resident
    assert ok.redirect_chain[-1][0] == "/"
