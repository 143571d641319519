import datetime

import pytest
from playwright.sync_api import expect

from tests.factories import add_charge, add_payment
from tests.pdf import pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_resident_filters_history_and_downloads_statement(
    live_server, page, live_login, resident, premises
):
    add_charge(premises, "300.00", datetime.date(2025, 1, 10), title="Zaliczka styczeń")
    add_charge(premises, "300.00", datetime.date(2025, 2, 10), title="Zaliczka luty")
    add_payment(premises, "250.55", datetime.date(2025, 2, 15), title="Przelew za luty")
    add_charge(premises, "300.00", datetime.date(2025, 3, 10), title="Zaliczka marzec")

    live_login(resident)
    page.get_by_role("navigation", name="Zakładki").get_by_role("link", name="Finanse").click()
    expect(page.get_by_role("heading", name="Finanse", exact=True)).to_be_visible()
    expect(page.get_by_text("Kwota do zapłaty")).to_be_visible()
    expect(page.get_by_role("img", name="Kod QR przelewu")).to_be_visible()
    expect(page.get_by_text("Zaliczka styczeń")).to_be_visible()

    page.get_by_label("Od miesiąca").fill("2025-02")
    page.get_by_label("Do miesiąca").fill("2025-02")
    page.get_by_role("button", name="Pokaż").click()
    ledger = page.locator("table.finance-ledger")
    expect(ledger.get_by_text("Przelew za luty")).to_be_visible()
    expect(ledger.get_by_text("Zaliczka styczeń")).to_have_count(0)
    expect(ledger.get_by_text("Zaliczka marzec")).to_have_count(0)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Pobierz wyciąg (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == "wyciag-lokal-12-2025-02-2025-02.pdf"
    with open(download.path(), "rb") as pdf:
        text = pdf_text(pdf.read()).replace("\xa0", " ")
    assert "Przelew za luty" in text and "-349,45 zł" in text
    assert "Zaliczka marzec" not in text
