"""Staff log in through the portal's one login (rate limits, two-factor login), never around it."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import caches

from office.services import community_role_assign
from premises.models import CommunityRole

from ..factories import PASSWORD, UserFactory
from .helpers import totp_code, totp_enable

pytestmark = pytest.mark.django_db

MFA_AUTH = "/profil/weryfikacja-dwuetapowa/authenticate/"


@pytest.fixture
def staff(community):
    user = UserFactory(username="pracownik", is_staff=True)
    community_role_assign(user=user, community=community, role=CommunityRole.Role.OFFICE_STAFF)
    return user


@pytest.fixture
def board_member(community):
    user = UserFactory(username="zarzad")
    community_role_assign(user=user, community=community, role=CommunityRole.Role.BOARD)
    return user


@pytest.fixture
def mfa_required(settings):
    settings.STREFA_STAFF_MFA_REQUIRED = True


def test_admin_login_page_sends_to_the_portal_login(client):
    response = client.get("/admin/login/?next=/admin/premises/premises/")
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == "/logowanie/"
    assert parse_qs(location.query)["next"] == ["/admin/premises/premises/"]

    page = client.get(response["Location"])
    assert "Logowanie do Strefy Klienta" in page.content.decode()


def test_admin_login_refuses_a_foreign_next_url(client):
    response = client.get("/admin/login/?next=https://evil.example.com/")
    assert parse_qs(urlsplit(response["Location"]).query)["next"] == ["/admin/"]


def test_password_posted_to_admin_login_logs_nobody_in(client, staff):
    response = client.post(
        "/admin/login/", {"username": staff.username, "password": PASSWORD}, follow=True
    )
    assert not response.wsgi_request.user.is_authenticated
    assert response.redirect_chain[-1][0].startswith("/logowanie/")


def test_staff_with_totp_must_give_the_code_to_reach_admin(client, staff):
    secret = totp_enable(staff)
    response = client.post(
        "/logowanie/?next=/admin/",
        {"login": staff.username, "password": PASSWORD, "next": "/admin/"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == MFA_AUTH
    assert not response.wsgi_request.user.is_authenticated
    assert client.get("/admin/").status_code == 302

    response = client.post(MFA_AUTH, {"code": totp_code(secret)}, follow=True)
    assert response.wsgi_request.user == staff
    assert response.redirect_chain[-1][0] == "/admin/"
    assert "Administracja" in response.content.decode()


def test_staff_failed_logins_are_limited_like_residents(client, settings, staff):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
    caches["default"].clear()
    for _attempt in range(5):
        client.post("/logowanie/", {"login": staff.username, "password": "zle-haslo-123"})
    response = client.post("/logowanie/", {"login": staff.username, "password": PASSWORD})
    assert "Zbyt wiele nieudanych prób logowania" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated
    caches["default"].clear()


def test_staff_without_two_factor_login_is_sent_to_enrol_in_polish(client, staff, mfa_required):
    client.force_login(staff)
    for path in ["/admin/", "/admin/premises/premises/"]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == "/profil/logowanie-dwuetapowe-wymagane/"
    page = client.get("/profil/logowanie-dwuetapowe-wymagane/").content.decode()
    assert "Włącz logowanie dwuetapowe" in page
    assert "pracownicy biura i członkowie" in page
    assert 'href="/profil/weryfikacja-dwuetapowa/totp/activate/"' in page

    secret = totp_enable(staff)
    # A session that never gave a code is asked for one before the admin opens.
    response = client.get("/admin/premises/premises/")
    assert response["Location"] == (
        "/profil/weryfikacja-dwuetapowa/reauthenticate/?next=%2Fadmin%2Fpremises%2Fpremises%2F"
    )
    response = client.post(response["Location"], {"code": totp_code(secret)}, follow=True)
    assert response.redirect_chain[-1][0] == "/admin/premises/premises/"
    assert "Administracja" in client.get("/admin/").content.decode()


def test_staff_logged_in_with_the_code_goes_straight_to_admin(client, staff, mfa_required):
    secret = totp_enable(staff)
    client.post("/logowanie/", {"login": staff.username, "password": PASSWORD})
    client.post(MFA_AUTH, {"code": totp_code(secret)})
    assert "Administracja" in client.get("/admin/").content.decode()


def test_board_member_must_enrol_too(client, board_member, mfa_required):
    board_member.refresh_from_db()
    assert board_member.is_staff
    client.force_login(board_member)
    assert client.get("/admin/")["Location"] == "/profil/logowanie-dwuetapowe-wymagane/"


def test_resident_is_not_forced_and_gets_a_polish_refusal_at_admin(client, resident, mfa_required):
    client.force_login(resident)
    assert "Dzień dobry" in client.get("/").content.decode()
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert "Brak dostępu do panelu biura" in response.content.decode()


def test_admin_password_change_is_the_portal_one(client, staff):
    client.force_login(staff)
    response = client.get("/admin/password_change/")
    assert response["Location"] == "/profil/haslo/"
