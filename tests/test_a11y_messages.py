"""Messages after an action (django.contrib.messages) are announced, and what kind each is
shows in words, not only in colour (WCAG 4.1.3, 1.4.1)."""

import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.template.loader import render_to_string

pytestmark = pytest.mark.django_db


def _render(*messages):
    return render_to_string("includes/_messages.html", {"messages": list(messages)})


def _text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_a_success_is_a_polite_status():
    html = _render(Message(constants.SUCCESS, "Zapisano odczyt."))
    assert 'role="status"' in html and 'role="alert"' not in html
    assert _text(html) == "Zapisano odczyt."


@pytest.mark.parametrize(
    ("level", "word"), [(constants.ERROR, "Błąd:"), (constants.WARNING, "Uwaga:")]
)
def test_an_error_or_warning_is_an_alert_that_says_so(level, word):
    html = _render(Message(constants.SUCCESS, "Zapisano."), Message(level, "Nie wysłano SMS."))
    # An alert is read at once; a problem must not wait behind a polite status.
    assert 'role="alert"' in html
    assert _text(html) == f"Zapisano. {word} Nie wysłano SMS."


def test_a_wrong_statement_period_is_alerted_on_the_finance_page(resident_client, premises):
    response = resident_client.get(f"/finanse/{premises.pk}/wyciag.pdf?od=nie-data", follow=True)
    html = response.content.decode()
    messages = re.search(r'<ul class="messages"[^>]*>.*?</ul>', html, re.S).group(0)
    assert 'role="alert"' in messages
    assert _text(messages) == "Błąd: Popraw okres wyciągu."
