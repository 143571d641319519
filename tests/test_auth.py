import datetime
import re

import pytest
from django.core import mail
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SAME_ANSWER = "Jeśli login i adres e-mail pasują do aktywnego konta"


def login(client, username, password=PASSWORD):
    return client.post("/logowanie/", {"login": username, "password": password}, follow=True)


def test_login_with_login_and_password_lands_on_start_page(client, resident):
    response = login(client, resident.username)
    assert response.redirect_chain[-1][0] == "/"
    page = response.content.decode()
    # A greeting without a guessed vocative; the person's name is in the header.
    assert "<h1>Dzień dobry</h1>" in page
    assert 'user-menu__name"> (Anna ' in page
    assert response.wsgi_request.user == resident


def test_login_with_wrong_password_is_refused_in_polish(client, resident):
    response = login(client, resident.username, "zle-haslo-123")
    assert not response.wsgi_request.user.is_authenticated
    assert "Nieprawidłowy login lub hasło." in response.content.decode()


def test_login_by_email_is_not_possible(client, resident):
    response = login(client, resident.email)
    assert not response.wsgi_request.user.is_authenticated


def test_inactive_account_cannot_log_in(client, resident):
    resident.is_active = False
    resident.save()
    response = login(client, resident.username)
    assert not response.wsgi_request.user.is_authenticated
    assert "Konto nieaktywne" in response.content.decode()


def test_there_is_no_signup_url_anywhere(client):
    with pytest.raises(NoReverseMatch):
        reverse("account_signup")
    for path in ["/accounts/signup/", "/rejestracja/", "/signup/"]:
        assert client.get(path).status_code == 404
    assert "rejestr" not in client.get("/logowanie/").content.decode().lower()


def test_pages_require_login(client):
    for path in ["/", "/lokale/", "/profil/"]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/logowanie/")


def test_about_page_shows_version_and_licence_holder(client, company):
    response = client.get("/o-aplikacji/")
    content = response.content.decode()
    assert "0.1.0" in content
    assert company.name in content


def test_login_page_shows_call_center_phone_for_lost_login(client, company):
    content = client.get("/nie-pamietam-hasla/").content.decode()
    assert "Nie pamiętasz loginu?" in content
    assert company.phone in content


# --- forgotten password ---------------------------------------------------------------------


def request_reset(client, username, email):
    # The mail goes through the outbox: it is sent after the request's transaction commits.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post("/nie-pamietam-hasla/", {"login": username, "email": email}, follow=True)


def reset_link_from(message) -> str:
    # Links are built from PORTAL_URL (http://127.0.0.1:8000 in tests), never the request Host.
    return re.search(
        r"http://127\.0\.0\.1:8000(/nie-pamietam-hasla/klucz/\S+/)", message.body
    ).group(1)


def test_reset_with_matching_login_and_email_sends_one_link(client, resident, company):
    response = request_reset(client, resident.username, resident.email.upper())
    assert SAME_ANSWER in response.content.decode()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [resident.email]
    assert resident.username in mail.outbox[0].body


@pytest.mark.parametrize("case", ["wrong_email", "unknown_login", "inactive", "other_users_email"])
def test_reset_mismatch_sends_nothing_and_answers_the_same(client, resident, neighbour, case):
    username, email = resident.username, resident.email
    if case == "wrong_email":
        email = "ktos@example.com"
    elif case == "unknown_login":
        username = "00000000"
    elif case == "inactive":
        resident.is_active = False
        resident.save()
    elif case == "other_users_email":
        email = neighbour.email
    response = request_reset(client, username, email)
    assert response.status_code == 200
    assert SAME_ANSWER in response.content.decode()
    assert mail.outbox == []


def test_reset_link_sets_new_password_and_works_only_once(client, resident):
    request_reset(client, resident.username, resident.email)
    link = reset_link_from(mail.outbox[0])
    form_page = client.get(link, follow=True)
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    new = "Nowe-Haslo-2026!"
    done = client.post(action, {"password1": new, "password2": new}, follow=True)
    assert "Hasło zostało zmienione" in done.content.decode()
    resident.refresh_from_db()
    assert resident.check_password(new)

    again = client.get(link, follow=True)
    assert "został już użyty albo wygasł" in again.content.decode()


def test_reset_link_expires(client, resident, settings, monkeypatch):
    request_reset(client, resident.username, resident.email)
    link = reset_link_from(mail.outbox[0])
    settings.PASSWORD_RESET_TIMEOUT = 60
    import django.contrib.auth.tokens as tokens

    later = datetime.datetime.now() + datetime.timedelta(minutes=2)
    monkeypatch.setattr(tokens.PasswordResetTokenGenerator, "_now", lambda self: later)
    response = client.get(link, follow=True)
    assert "został już użyty albo wygasł" in response.content.decode()


def test_reset_link_dies_when_the_account_is_deactivated(client, resident):
    from accounts.services import account_deactivate

    request_reset(client, resident.username, resident.email)
    link = reset_link_from(mail.outbox[0])
    account_deactivate(user=resident)
    page = client.get(link, follow=True)
    assert "został już użyty albo wygasł" in page.content.decode()
    action = page.redirect_chain[-1][0] if page.redirect_chain else link
    new = "Nowe-Haslo-2026!"
    client.post(action, {"password1": new, "password2": new}, follow=True)
    resident.refresh_from_db()
    assert not resident.check_password(new)
    assert resident.check_password(PASSWORD)


# --- forced first password change -----------------------------------------------------------


def test_first_login_forces_password_change(client):
    user = UserFactory(must_change_password=True)
    response = login(client, user.username)
    assert response.redirect_chain[-1][0] == "/profil/haslo/"
    assert "ustaw własne hasło" in response.content.decode()
    # Every other page sends the user back until the password is changed.
    assert client.get("/lokale/")["Location"] == "/profil/haslo/"

    new = "Moje-Wlasne-Haslo-9"
    response = client.post(
        "/profil/haslo/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        follow=True,
    )
    assert "Hasło zostało zmienione" in response.content.decode()
    user.refresh_from_db()
    assert not user.must_change_password
    assert client.get("/lokale/").status_code == 200


def test_password_change_rejects_weak_password_and_keeps_old(client, resident):
    client.force_login(resident)
    response = client.post(
        "/profil/haslo/",
        {"old_password": PASSWORD, "new_password1": "12345", "new_password2": "12345"},
    )
    assert "To hasło jest za krótkie" in response.content.decode()
    resident.refresh_from_db()
    assert resident.check_password(PASSWORD)


def test_profile_updates_contact_data_and_validates_phone(client, resident):
    client.force_login(resident)
    bad = client.post("/profil/", {"email": "nowy@example.com", "phone": "12"})
    assert "Podaj prawidłowy numer telefonu" in bad.content.decode()
    resident.refresh_from_db()
    assert resident.email != "nowy@example.com"

    client.post("/profil/", {"email": "nowy@example.com", "phone": "+48 601 222 333"})
    # A new e-mail (the reset channel) is saved once the password is confirmed.
    client.post("/potwierdz-haslo/?next=/profil/", {"password": PASSWORD})
    resident.refresh_from_db()
    assert (resident.email, resident.phone) == ("nowy@example.com", "+48601222333")


def test_logout_ends_the_session(client, resident):
    client.force_login(resident)
    client.post("/wyloguj/")
    assert client.get("/lokale/").status_code == 302


def test_profile_save_writes_the_user_once_with_one_history_row(client, resident):
    client.force_login(resident)
    client.post("/potwierdz-haslo/", {"password": PASSWORD})  # a contact change asks for it
    history_before = resident.history.count()
    with CaptureQueriesContext(connection) as ctx:
        response = client.post("/profil/", {"email": "nowy@example.com", "phone": "601 222 333"})
    assert response.status_code == 302
    updates = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].startswith("UPDATE") and "accounts_user" in q["sql"].split("SET")[0]
    ]
    assert len(updates) == 1, updates
    assert resident.history.count() == history_before + 1
    latest = resident.history.first()
    assert (latest.email, latest.phone) == ("nowy@example.com", "+48601222333")
    page = client.get("/profil/").content.decode()
    assert "Dane kontaktowe zostały zapisane." in page
