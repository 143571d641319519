"""Form fields a browser can fill and a screen reader can explain (WCAG 1.3.5, 3.3.2)."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_consent_contact_fields_say_their_purpose(resident_client, premises):
    html = resident_client.get("/korespondencja/zgody/").content.decode()
    email = re.search(r'<input type="email" name="email-\d+-address"[^>]*>', html).group(0)
    phone = re.search(r'<input type="tel" name="sms-\d+-address"[^>]*>', html).group(0)
    assert 'autocomplete="email"' in email
    assert 'autocomplete="tel"' in phone and 'inputmode="tel"' in phone


def test_month_filter_says_how_to_type_a_month(resident_client, premises):
    # Firefox and Safari on a computer show a month field as plain text.
    html = resident_client.get("/finanse/").content.decode()
    for name in ("od", "do"):
        assert re.search(
            rf'<input type="month" name="{name}"[^>]*aria-describedby="id_{name}_helptext"', html
        )
        assert re.search(rf'id="id_{name}_helptext">Np\. 2025-\d\d\.<', html)
