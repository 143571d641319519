import json

import pytest
from playwright.sync_api import expect

from accounts.models import ResignationRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_resident_downloads_data_and_requests_resignation_on_a_phone(
    live_server, page, live_login, resident, premises
):
    page.set_viewport_size({"width": 360, "height": 740})
    live_login(resident)
    page.goto(f"{live_server.url}/profil/")
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Pobierz moje dane").click()
    download = download_info.value
    assert download.suggested_filename.startswith("strefa-moje-dane-")
    with open(download.path(), encoding="utf-8") as f:
        assert json.load(f)["profile"]["login"] == resident.username

    page.get_by_role("link", name="Złóż wniosek o rezygnację").click()
    expect(page.get_by_role("heading", name="Rezygnacja ze Strefy Klienta")).to_be_visible()
    page.get_by_label("Powód (nieobowiązkowo)").fill("Wolę korespondencję papierową.")
    page.get_by_role("button", name="Wyślij wniosek o rezygnację").click()
    # The error is listed in the summary at the top (a link to the box) and under the box.
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(
        summary.get_by_role("link", name="Zaznacz, że chcesz zrezygnować ze Strefy Klienta.")
    ).to_be_visible()
    expect(page.locator(".error-message")).to_have_text(
        "Błąd: Zaznacz, że chcesz zrezygnować ze Strefy Klienta."
    )
    page.get_by_label("Rezygnuję z korzystania ze Strefy Klienta").check()
    page.get_by_role("button", name="Wyślij wniosek o rezygnację").click()
    expect(page.get_by_text("Wniosek przyjęty; biuro dezaktywuje konto")).to_be_visible()
    expect(page.get_by_text("czeka na biuro")).to_be_visible()
    assert ResignationRequest.objects.get().reason == "Wolę korespondencję papierową."
