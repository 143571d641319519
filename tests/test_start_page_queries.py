"""The start page and Finanse share what they read instead of reading it again (issue 17)."""

import datetime

import pytest

from tests.factories import add_charge, add_payment, make_report

from .correspondence.helpers import make_letter
from .factories import OwnershipFactory, PremisesFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(resident, premises):
    """Three premises, a ledger, two unread letters and an open failure in the building."""
    add_charge(premises, "321.09", datetime.date(2025, 1, 10))
    add_payment(premises, "100.00", datetime.date(2025, 1, 12))
    for number in ("90", "91"):
        OwnershipFactory(
            user=resident, premises=PremisesFactory(building=premises.building, number=number)
        )
    make_letter(premises=premises, recipient=resident, subject="Zawiadomienie o opłatach")
    make_letter(premises=premises, recipient=resident, subject="Informacja o przeglądzie")
    make_report(resident, building=premises.building)
    return resident


def test_start_page_reads_each_thing_once(resident_client, household, django_assert_num_queries):
    resident_client.get("/")  # warms the cached company row
    # session, user; finance: holding starts, premises with sums, fund accounts, next payment
    # (2); the latest letter with the unread count; open failures; announcements and votes;
    # meters; the premises list (shared with the failures panel). Was 16.
    with django_assert_num_queries(13):
        response = resident_client.get("/")
    body = response.content.decode()
    assert "2</span> nieprzeczytane pisma" in body
    assert "Informacja o przeglądzie" in body
    assert "lokal 90" in body and "lokal 91" in body and "Zgłoś awarię" in body


def test_start_page_counts_open_failures_in_the_same_query(
    resident_client, household, premises, django_assert_num_queries
):
    for _ in range(4):
        make_report(household, building=premises.building)
    resident_client.get("/")
    with django_assert_num_queries(13):  # as with one open failure: no separate COUNT
        body = resident_client.get("/").content.decode()
    assert "Otwarte zgłoszenia awarii w Twoich budynkach: <strong>5</strong>" in body


def test_finance_page_asks_for_the_data_date_once(
    resident_client, household, django_assert_num_queries
):
    resident_client.get("/finanse/")
    # session, user; balances (5, as on the start page); ledger count and page; "stan na
    # dzień" in one query (was three); summary (2); unpaid months; the month's charges. Was 16.
    with django_assert_num_queries(14):
        response = resident_client.get("/finanse/")
    body = response.content.decode()
    assert "221,09" in body
    assert "Stan na dzień" in body
