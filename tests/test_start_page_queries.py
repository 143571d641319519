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
    # the session with its user; the premises list (shared with the finance and failures
    # panels); finance: holding starts and every sum in one query; the latest letter with the
    # unread count; open failures; announcements and votes in one query; meters. Was 16, 13, 9.
    with django_assert_num_queries(8):
        response = resident_client.get("/")
    body = response.content.decode()
    assert "2</span> nieprzeczytane pisma" in body
    assert "Informacja o przeglądzie" in body
    assert "lokal 90" in body and "lokal 91" in body and "Zgłoś awarię" in body


def test_start_page_with_an_open_vote_reads_the_ballots_once(
    resident_client, household, premises, django_assert_num_queries
):
    """An open vote in the resident's community adds one query (the ballots on their premises),
    whatever the number of votes or premises: 9."""
    from tests.factories import ResolutionFactory

    community = premises.building.community
    community.voting_enabled = True
    community.save()
    ResolutionFactory(community=community, title="Remont dachu")
    resident_client.get("/")
    with django_assert_num_queries(9):
        body = resident_client.get("/").content.decode()
    assert "Remont dachu" in body


def test_start_page_counts_open_failures_in_the_same_query(
    resident_client, household, premises, django_assert_num_queries
):
    for _ in range(4):
        make_report(household, building=premises.building)
    resident_client.get("/")
    with django_assert_num_queries(8):  # as with one open failure: no separate COUNT
        body = resident_client.get("/").content.decode()
    assert "Otwarte zgłoszenia awarii w Twoich budynkach: <strong>5</strong>" in body


def test_finance_page_asks_for_the_data_date_once(
    resident_client, household, django_assert_num_queries
):
    resident_client.get("/finanse/")
    # the session with its user; balances (3: holding starts, premises, every sum with "stan na
    # dzień"); the ledger's count with its summary, and its page; the unpaid months of every
    # fund; the month's charges. Was 16, 14, 9.
    with django_assert_num_queries(8):
        response = resident_client.get("/finanse/")
    body = response.content.decode()
    assert "221,09" in body
    assert "Stan na dzień" in body


@pytest.fixture
def landlord(resident, premises):
    """A landlord with 40 premises in a community keeping its repair fund on its own account,
    each with a ledger and an upcoming instalment, so every branch of the figures runs."""
    from finance.models import FundAccount

    FundAccount.objects.create(
        community=premises.building.community,
        fund="repair",
        bank_account="27114020040000300201355387",
    )
    owned = [premises]
    for number in range(100, 139):
        flat = PremisesFactory(building=premises.building, number=str(number))
        OwnershipFactory(user=resident, premises=flat)
        owned.append(flat)
    for flat in owned:
        add_charge(flat, "300.00", datetime.date(2025, 1, 10))
        add_charge(flat, "50.00", datetime.date(2025, 1, 10), category="repair_fund")
        add_charge(flat, "300.00", datetime.date(2099, 1, 10))
        add_payment(flat, "120.00", datetime.date(2025, 1, 12))
    make_letter(premises=premises, recipient=resident, subject="Zawiadomienie o opłatach")
    make_report(resident, building=premises.building)
    return resident


@pytest.mark.parametrize("path", ["/", "/finanse/"])
def test_pages_stay_within_ten_queries_for_a_landlord_with_40_premises(
    resident_client, landlord, path, django_assert_max_num_queries
):
    """Issue 17's budget: at most 10 queries, whatever the number of premises or funds."""
    resident_client.get(path)
    with django_assert_max_num_queries(10):
        response = resident_client.get(path)
    assert response.status_code == 200
    body = response.content.decode()
    if path == "/":  # 8 premises named, the rest counted
        assert "Wszystkie lokale (40)" in body and "Jeszcze 32 lokale – zobacz Finanse" in body
    else:
        assert "lokal 138" in body
    if path == "/finanse/":
        assert "fundusz remontowy" in body.lower()


def test_start_page_names_eight_premises_and_links_to_all(resident_client, resident, premises):
    """An owner of many premises: "Twoje lokale" names 8 and links to Lokale with the count
    (issue 17: 40 lines before the panels)."""
    for number in range(9):
        OwnershipFactory(
            user=resident, premises=PremisesFactory(building=premises.building, number=f"7{number}")
        )
    body = resident_client.get("/").content.decode()
    section = body[
        body.index('id="home-premises"') : body.index(
            "</section>", body.index('id="home-premises"')
        )
    ]
    assert section.count("<li>") == 8
    assert '<a href="/lokale/">Wszystkie lokale (10)</a>' in section
