import pytest
from playwright.sync_api import expect

from failures.models import FailureReport
from tests.factories import jpeg_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_resident_reports_a_failure_with_a_photo_and_sees_it_listed(
    live_server, page, live_login, resident, premises, tmp_path
):
    photo = tmp_path / "zaciek.jpg"
    photo.write_bytes(jpeg_bytes(size=(1600, 1200), gps=True))
    page.set_viewport_size({"width": 360, "height": 740})
    live_login(resident)

    page.get_by_role("navigation", name="Zakładki").get_by_role("link", name="Awarie").click()
    expect(page.get_by_role("heading", name="Awarie", exact=True)).to_be_visible()
    page.get_by_role("link", name="Zgłoś awarię").click()

    page.get_by_label("Dotyczy").select_option(label="lokal 12")
    page.get_by_label("Opis zgłoszenia").fill("Zaciek na suficie w łazience, kapie woda.")
    expect(page.get_by_label("Telefon kontaktowy")).to_have_value("+48 601 200 300")
    page.get_by_label("Dodaj zdjęcia").set_input_files(photo)
    page.get_by_role("button", name="Wyślij zgłoszenie").click()

    report = FailureReport.objects.get()
    expect(page.get_by_text(f"przyjęliśmy zgłoszenie nr {report.number}")).to_be_visible()
    expect(page.get_by_text("Historia statusu")).to_be_visible()

    page.get_by_role("link", name="Wszystkie awarie").click()
    card = page.get_by_role("article").filter(has_text=report.number)
    expect(card.get_by_text("Twoje zgłoszenie")).to_be_visible()
    expect(card.get_by_text("Zaciek na suficie w łazience, kapie woda.")).to_be_visible()
    thumbnail = card.get_by_role("img")
    expect(thumbnail).to_be_visible()
    # The thumbnail really loaded (served by the access-checked view).
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle()
    )
    assert page.evaluate("document.documentElement.scrollWidth > window.innerWidth") is False
