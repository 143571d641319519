import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_resident_logs_in_sees_lokale_changes_password_and_logs_out(
    live_server, page, live_login, resident, premises
):
    live_login(resident)
    expect(page.get_by_role("heading", name="Dzień dobry", exact=True)).to_be_visible()

    page.get_by_role("navigation", name="Zakładki").get_by_role("link", name="Lokale").click()
    expect(page.get_by_role("heading", name="Lokale", exact=True)).to_be_visible()
    expect(page.get_by_text(premises.building.address).first).to_be_visible()

    page.get_by_role("link", name="Profil").click()
    page.get_by_role("link", name="Zmień hasło").click()
    page.get_by_label("Stare hasło").fill("Haslo-testowe-123")
    page.get_by_label("Nowe hasło", exact=True).fill("Nowe-Haslo-Przegladarka-1")
    page.get_by_label("Nowe hasło (powtórz)").fill("Nowe-Haslo-Przegladarka-1")
    page.get_by_role("button", name="Zmień hasło").click()
    expect(page.get_by_text("Hasło zostało zmienione.")).to_be_visible()

    page.get_by_role("button", name="Wyloguj").click()
    expect(page.get_by_role("heading", name="Logowanie do Strefy Klienta")).to_be_visible()
    resident.refresh_from_db()
    assert resident.check_password("Nowe-Haslo-Przegladarka-1")


def test_layout_fits_a_phone_screen(live_server, page, live_login, resident, premises):
    page.set_viewport_size({"width": 360, "height": 740})
    live_login(resident)
    page.goto(f"{live_server.url}/lokale/")
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow
