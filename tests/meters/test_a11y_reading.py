"""The confirmation step of "Dodaj odczyt" as a screen reader meets it."""

import re
from decimal import Decimal

from django.urls import reverse

from tests.factories import monthly_readings


def test_implausible_value_error_belongs_to_the_confirmation_checkbox(
    db, today, resident_client, meter
):
    monthly_readings(meter, start=Decimal(100), step=Decimal(3))
    url = reverse("meters:reading_add", args=[meter.pk])
    html = resident_client.post(url, {"read_on": "2025-05-25", "value": "160"}).content.decode()
    # The summary links to the checkbox the user has to tick ...
    assert re.search(r'<a href="#id_confirmed">Zużycie [^<]*Potwierdzam', html)
    # ... and the checkbox is marked invalid and described by the message.
    checkbox = re.search(r'<input type="checkbox" name="confirmed"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in checkbox
    assert 'aria-describedby="id_confirmed_error"' in checkbox
    assert re.search(r'<p class="error-message" id="id_confirmed_error">', html)
