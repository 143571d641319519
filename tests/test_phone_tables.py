"""Tables on a phone: every column stays visible (stacked rows labelled by their header), and
a scroll region is a named keyboard stop. The markup is checked here; the 360 px rendering in
tests/test_browser_a11y.py."""

import datetime

import pytest

from community.services import vote_cast
from correspondence.services import thread_start
from finance.models import Charge, FundAccount
from tests.factories import (
    MeterFactory,
    ResolutionFactory,
    add_charge,
    add_payment,
    monthly_readings,
)
from tests.tables import stacked_table_problems

pytestmark = pytest.mark.django_db


def _assert_tables_stack(html, expected_tables):
    assert html.count('class="data data--stack') == expected_tables
    assert stacked_table_problems(html) == []


def test_finance_history_and_funds_stack_with_labels(resident_client, premises):
    FundAccount.objects.create(
        community=premises.building.community,
        fund="repair",
        bank_account="27114020040000300201355387",
    )
    add_charge(premises, "200.00", datetime.date(2025, 4, 10))
    add_charge(premises, "80.00", datetime.date(2025, 4, 10), category=Charge.Category.REPAIR_FUND)
    add_payment(premises, "80.00", datetime.date(2025, 4, 11), fund="repair")
    html = resident_client.get("/finanse/").content.decode()
    _assert_tables_stack(html, 3)  # funds, the monthly fee breakdown, the history
    assert 'data-label="Saldo" class="num amount' in html
    assert 'aria-label="Historia naliczeń i wpłat"' in html


def test_meter_history_stacks_with_labels(resident_client, premises):
    meter = MeterFactory(premises=premises)
    monthly_readings(meter, months=3)
    html = resident_client.get(f"/liczniki/{meter.pk}/").content.decode()
    _assert_tables_stack(html, 1)


def test_tally_and_vote_receipt_stack_with_labels(resident_client, community, premises, resident):
    community.voting_enabled = True
    community.save()
    resolution = ResolutionFactory(community=community)
    vote_cast(user=resident, resolution=resolution, premises=premises, choice="for")
    _assert_tables_stack(
        resident_client.get(f"/wspolnota/uchwaly/{resolution.pk}/").content.decode(), 1
    )
    _assert_tables_stack(
        resident_client.get(f"/wspolnota/uchwaly/{resolution.pk}/potwierdzenie/").content.decode(),
        1,
    )


def test_message_list_stacks_with_labels(resident_client, resident, premises):
    thread_start(user=resident, premises=premises, subject="Woda", body="Pytanie o wodę.")
    html = resident_client.get("/korespondencja/wiadomosci/").content.decode()
    _assert_tables_stack(html, 1)


def test_checker_catches_an_unlabelled_column():
    html = (
        '<div class="table-wrap"><table class="data data--stack"><thead><tr><th>Data</th>'
        '<th>Kwota</th></tr></thead><tbody><tr><td data-label="Data">1</td><td>2</td></tr>'
        "</tbody></table></div>"
    )
    problems = stacked_table_problems(html)
    assert "cell under 'Kwota' is labelled None" in problems
    assert any("not a named keyboard stop" in problem for problem in problems)
