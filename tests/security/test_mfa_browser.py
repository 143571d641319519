"""A resident who reset their password switches two-factor login on from Profil and uses it."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from .helpers import totp_code, totp_code_other_than

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Nowe-Haslo-Mieszkanca-2026"


def test_resident_turns_on_two_factor_login_after_a_reset_and_logs_in_with_a_code(
    live_server, page, resident
):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/nie-pamietam-hasla/")
    page.get_by_label("Login").fill(resident.username)
    page.get_by_label("Adres e-mail podany w danych kontaktowych").fill(resident.email)
    page.get_by_role("button", name="Wyślij link").click()
    link = re.search(r"http://[^/\s]+(/nie-pamietam-hasla/klucz/\S+/)", mail.outbox[-1].body)
    page.goto(f"{live_server.url}{link.group(1)}")
    page.locator("input[name=password1]").fill(NEW_PASSWORD)
    page.locator("input[name=password2]").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Zapisz nowe hasło").click()
    expect(page.get_by_role("heading", name="Hasło zostało zmienione")).to_be_visible()

    page.goto(f"{live_server.url}/logowanie/")
    page.get_by_label("Login").fill(resident.username)
    page.get_by_label("Hasło").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()
    expect(page.get_by_text("Dzień dobry")).to_be_visible()

    page.get_by_role("link", name=re.compile("^Profil")).click()
    page.get_by_role("link", name="Logowanie dwuetapowe").click()
    expect(page.get_by_role("heading", name="Logowanie dwuetapowe", exact=True)).to_be_visible()
    page.get_by_role("link", name="Włącz logowanie dwuetapowe").click()

    expect(page.get_by_role("heading", name="Potwierdź, że to Ty")).to_be_visible()
    page.get_by_label("Hasło").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Potwierdź").click()

    expect(page.get_by_role("heading", name="Włącz logowanie dwuetapowe")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("Kod QR"))).to_be_visible()
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    secret = page.locator("#totp-secret").inner_text().strip()
    activation_code = totp_code(secret)
    page.get_by_label("Kod z aplikacji uwierzytelniającej").fill(activation_code)
    page.get_by_role("button", name="Włącz logowanie dwuetapowe").click()
    expect(page.get_by_text("Logowanie dwuetapowe zostało włączone")).to_be_visible()
    expect(page.get_by_role("heading", name="Kody zapasowe")).to_be_visible()

    page.get_by_role("button", name="Wyloguj").click()
    page.goto(f"{live_server.url}/logowanie/")
    page.get_by_label("Login").fill(resident.username)
    page.get_by_label("Hasło").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()
    expect(page.get_by_text("Twoje konto chroni logowanie dwuetapowe")).to_be_visible()
    page.get_by_label("Kod z aplikacji uwierzytelniającej").fill("000000")
    page.get_by_role("button", name="Zaloguj się").click()
    # One error pattern: a summary at the top linking to the field, and the message at the field.
    expect(page.locator("#id_code_error")).to_contain_text("Kod jest nieprawidłowy albo wygasł")
    expect(page.get_by_role("link", name="Kod jest nieprawidłowy albo wygasł")).to_be_visible()
    code = totp_code_other_than(secret, activation_code)
    page.get_by_label("Kod z aplikacji uwierzytelniającej").fill(code)
    page.get_by_role("button", name="Zaloguj się").click()
    expect(page.get_by_text("Dzień dobry")).to_be_visible()
