"""Per-user limits on failure reports, messages to the office and meter readings."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from correspondence.models import Thread, ThreadMessage
from failures.models import FailureReport
from tests.factories import MeterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def limits(settings):
    settings.RESIDENT_RATE_LIMITS = {
        "failure_report": (2, 3600),
        "message": (2, 3600),
        "reading": (2, 3600),
    }
    cache.clear()
    yield
    cache.clear()


def report(premises, floor=2):
    # Each a report of its own: the same text again within minutes is one report sent twice.
    return {
        "place": f"lokal-{premises.pk}",
        "description": f"Nie działa oświetlenie na klatce schodowej, {floor}. piętro.",
        "contact_phone": "601 200 300",
    }


def test_third_failure_report_in_an_hour_is_refused_in_polish(client, resident, premises):
    client.force_login(resident)
    for floor in (1, 2):
        assert client.post("/awarie/zglos/", report(premises, floor)).status_code == 302
    response = client.post("/awarie/zglos/", report(premises, 3))
    assert response.status_code == 429
    content = response.content.decode()
    assert "Wysłano zbyt wiele zgłoszeń w krótkim czasie" in content
    assert "Nie działa oświetlenie na klatce schodowej" in content  # what was typed stays
    assert FailureReport.objects.count() == 2


def test_the_limit_is_per_person(client, resident, neighbour, premises):
    client.force_login(resident)
    for floor in (1, 2, 3):
        client.post("/awarie/zglos/", report(premises, floor))
    client.force_login(neighbour)
    own = neighbour.ownerships.get().premises
    assert client.post("/awarie/zglos/", report(own)).status_code == 302


def test_messages_to_the_office_are_limited_new_threads_and_replies_together(
    client, resident, premises
):
    client.force_login(resident)
    data = {"premises": premises.pk, "subject": "Pytanie", "body": "Treść wiadomości."}
    assert client.post(reverse("correspondence:thread_create"), data).status_code == 302
    thread = Thread.objects.get()
    url = reverse("correspondence:thread", args=[thread.pk])
    assert client.post(url, {"body": "Jeszcze jedno."}).status_code == 302
    response = client.post(url, {"body": "I jeszcze."})
    assert response.status_code == 429
    assert "Wysłano zbyt wiele wiadomości w krótkim czasie" in response.content.decode()
    response = client.post(reverse("correspondence:thread_create"), data)
    assert response.status_code == 429
    assert ThreadMessage.objects.count() == 2


def test_meter_readings_are_limited(client, resident, premises):
    meter = MeterFactory(premises=premises)
    client.force_login(resident)
    url = reverse("meters:reading_add", args=[meter.pk])
    data = {"read_on": "2025-05-25", "value": "1"}
    for _attempt in range(2):
        assert client.post(url, data).status_code != 429
    response = client.post(url, data)
    assert response.status_code == 429
    assert "Wysłano zbyt wiele odczytów w krótkim czasie" in response.content.decode()
