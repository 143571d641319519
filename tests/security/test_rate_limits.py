"""Rate limits: per visitor and per login, a progressive delay instead of a lock-out."""

import re

import pytest
from django.core.cache import caches

from accounts.logins import login_generate
from lib import throttle

from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reauthenticate": "10/m/user",
    "change_password": "5/m/user,10/h/user",
}


@pytest.fixture(autouse=True)
def limits(settings):
    settings.ACCOUNT_RATE_LIMITS = LIMITS
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.fixture
def clock(monkeypatch):
    now = [throttle._now()]
    monkeypatch.setattr(throttle, "_now", lambda: now[0])
    return now


def attempt(client, user, password, *, ip="198.51.100.7", **extra):
    return client.post(
        "/logowanie/",
        {"login": user.username, "password": password},
        REMOTE_ADDR=ip,
        **extra,
    )


def test_a_new_host_header_does_not_buy_new_guesses(client, resident):
    for port in range(1000, 1005):
        attempt(client, resident, "zle-haslo-123", HTTP_HOST=f"127.0.0.1:{port}")
    response = attempt(client, resident, PASSWORD, HTTP_HOST="127.0.0.1:1019")
    assert "Zbyt wiele nieudanych prób logowania" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_guesses_from_elsewhere_only_delay_the_owner_briefly(client, resident, clock):
    for number in range(5):
        attempt(client, resident, "zle-haslo-123", ip=f"203.0.113.{number}")
    # The owner, from home, right after: a short, stated wait instead of a 5-minute lock-out.
    response = attempt(client, resident, PASSWORD, ip="192.0.2.50")
    assert "Spróbuj ponownie za 1 s." in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated

    clock[0] += 2
    response = attempt(client, resident, PASSWORD, ip="192.0.2.50")
    assert response.status_code == 302
    assert response.wsgi_request.user == resident


def test_a_distributed_guesser_never_keeps_the_owner_out_longer_than_a_minute(
    client, resident, clock
):
    for number in range(40):
        clock[0] += 61
        attempt(client, resident, "zle-haslo-123", ip=f"203.0.113.{number}")
    refused = attempt(client, resident, PASSWORD, ip="192.0.2.50")
    wait = int(re.search(r"Spróbuj ponownie za (\d+) s\.", refused.content.decode()).group(1))
    assert 0 < wait <= 60
    clock[0] += wait
    ok = attempt(client, resident, PASSWORD, ip="192.0.2.50")
    assert ok.wsgi_request.user == resident


def test_one_address_guessing_one_login_is_stopped(client, resident, clock):
    for _ in range(5):
        clock[0] += 61
        attempt(client, resident, "zle-haslo-123")
    clock[0] += 61
    response = attempt(client, resident, PASSWORD)
    assert "Zbyt wiele nieudanych prób logowania. Spróbuj ponownie później." in (
        response.content.decode()
    )


def test_behind_the_proxy_each_visitor_has_their_own_limit(client, settings, resident):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    victims = UserFactory.create_batch(10)
    proxy = {"ip": "10.0.0.2"}
    for user in victims:
        attempt(client, user, "zle-haslo-123", HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy)
    refused = attempt(client, victims[0], PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy)
    assert "Zbyt wiele nieudanych prób logowania" in refused.content.decode()

    other = attempt(client, resident, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.50", **proxy)
    assert other.wsgi_request.user == resident


def test_a_short_forwarded_for_header_is_no_500(client, settings, resident):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    response = attempt(client, resident, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.50")
    assert response.wsgi_request.user == resident


def test_too_many_requests_get_a_polish_page_in_the_layout(client, settings, resident):
    settings.ACCOUNT_RATE_LIMITS = {**LIMITS, "login": "2/m/ip"}
    for _ in range(2):
        attempt(client, resident, "zle-haslo-123")
    response = attempt(client, resident, PASSWORD)
    assert response.status_code == 429
    content = response.content.decode()
    assert "Zbyt wiele prób" in content
    assert 'class="site-header"' in content
    assert "Too Many Requests" not in content


def test_current_password_checks_on_profile_are_limited(client, resident):
    client.force_login(resident)
    new = "Nowe-Haslo-Mieszkanca-1"
    for _ in range(5):
        response = client.post(
            "/profil/haslo/",
            {"old_password": "zgaduje-123", "new_password1": new, "new_password2": new},
        )
        assert response.status_code == 200
    response = client.post(
        "/profil/haslo/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 429
    assert "Zbyt wiele prób" in response.content.decode()
    resident.refresh_from_db()
    assert resident.check_password(PASSWORD)


def test_a_successful_password_change_does_not_count(client, resident):
    client.force_login(resident)
    password = PASSWORD
    for number in range(6):
        new = f"Nowe-Haslo-Mieszkanca-{number}"
        response = client.post(
            "/profil/haslo/",
            {"old_password": password, "new_password1": new, "new_password2": new},
        )
        assert response.status_code == 302
        password = new


def test_issued_logins_are_random_unique_eight_digit_numbers(monkeypatch):
    logins = [login_generate() for _ in range(30)]
    assert all(re.fullmatch(r"[1-9]\d{7}", login) for login in logins)
    assert len(set(logins)) == len(logins)
    ordered = sorted(int(login) for login in logins)
    assert max(b - a for a, b in zip(ordered, ordered[1:], strict=False)) > 1000

    taken = UserFactory(username="12345678")
    draws = iter([int(taken.username) - 10_000_000, 87_654_321 - 10_000_000])
    monkeypatch.setattr("accounts.services.secrets.randbelow", lambda _n: next(draws))
    assert login_generate() == "87654321"
