"""Amounts as a screen reader speaks them (WCAG 1.3.1): a balance says in words whether it is
owed or overpaid, since some screen readers (VoiceOver, TalkBack) skip a leading minus."""

import datetime
import re

import pytest

from portal.templatetags.strefa import balance
from tests.factories import add_charge, add_payment

pytestmark = pytest.mark.django_db

HIDDEN = '<span class="visually-hidden">'


def test_balance_filter_words_the_sign():
    assert balance("-120") == (
        f'<span class="amount amount--due">-120,00\xa0zł</span>{HIDDEN} (niedopłata)</span>'
    )
    assert balance("80") == f'<span class="amount">80,00\xa0zł</span>{HIDDEN} (nadpłata)</span>'
    assert balance("0") == '<span class="amount">0,00\xa0zł</span>'
    assert balance(None) == ""


def test_ledger_and_summary_balances_are_worded(resident_client, premises):
    add_charge(premises, "120.00", datetime.date(2025, 3, 10), title="Zaliczka 03/2025")
    add_payment(premises, "200.00", datetime.date(2025, 4, 12), title="Przelew")
    html = resident_client.get("/finanse/").content.decode()
    ledger = html[html.index('class="data data--stack finance-ledger"') :]
    assert f"-120,00\xa0zł</span>{HIDDEN} (niedopłata)</span></td>" in ledger
    assert f"80,00\xa0zł</span>{HIDDEN} (nadpłata)</span></td>" in ledger
    summary = html[html.index('class="details finance-summary"') :]
    closing = re.search(r"Saldo zamknięcia</dt><dd>(.*?)</dd>", summary).group(1)
    assert closing == f'<span class="amount">80,00\xa0zł</span>{HIDDEN} (nadpłata)</span>'
