import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.factories import monthly_readings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_resident_adds_a_reading_and_sees_it_in_history_and_chart(
    live_server, page, live_login, resident, meter, today
):
    monthly_readings(meter, start=Decimal(100), step=Decimal(3), months=6)  # last: 115 on 25.04
    page.set_viewport_size({"width": 360, "height": 740})
    live_login(resident)
    page.get_by_role("navigation", name="Zakładki").get_by_role("link", name="Liczniki").click()
    expect(page.get_by_role("heading", name="Liczniki", exact=True)).to_be_visible()
    page.get_by_role("heading", name="Zimna woda").get_by_role("link").click()
    expect(page.get_by_role("heading", name="Historia odczytów")).to_be_visible()

    page.get_by_role("link", name="Dodaj odczyt").click()
    page.get_by_label("Data odczytu").fill(today.isoformat())
    page.get_by_label("Stan licznika").fill("117,25")
    page.get_by_role("button", name="Zapisz odczyt").click()

    expect(page.get_by_text("Odczyt został zapisany")).to_be_visible()
    # The message has focus, so a screen reader reads it first (a status region already in
    # a freshly loaded page is not announced).
    expect(page.get_by_role("status")).to_be_focused()
    history = page.get_by_role("table").last
    expect(history.get_by_role("row").nth(1)).to_contain_text("25.05.2025")
    expect(history.get_by_role("row").nth(1)).to_contain_text("117,250")
    expect(history.get_by_role("row").nth(1)).to_contain_text("2,250")
    # The chart's May bar carries the new consumption in its accessible title.
    chart = page.get_by_role("img", name="Zużycie w kolejnych miesiącach")
    expect(chart).to_be_visible()
    assert "2,250 m³" in chart.inner_html()
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow
    assert meter.readings.filter(read_on=datetime.date(2025, 5, 25)).exists()
