"""Pulling e-delivery consents, resolutions with tally and ballots, resignation requests."""

import datetime

import pytest
from django.utils import timezone

from accounts.services import resignation_handle, resignation_request
from community.selectors import resolution_tally
from community.services import paper_vote_record, vote_cast
from correspondence.services import consent_give, consent_withdraw
from tests.factories import ResolutionFactory

from ..factories import OwnershipFactory, PremisesFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_a(premises_a):
    user = UserFactory(first_name="Anna", last_name="Nowak", email="anna@example.com")
    OwnershipFactory(user=user, premises=premises_a)
    return user


@pytest.fixture
def owner_b(premises_b):
    user = UserFactory(first_name="Obcy", last_name="Właściciel", email="obcy@example.com")
    OwnershipFactory(user=user, premises=premises_b)
    return user


def _ids(response):
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def test_consents_with_withdrawal_history_scoped_and_cursor(
    api, key_a, premises_a, premises_b, owner_a, owner_b
):
    mine = consent_give(user=owner_a, premises=premises_a, channel="email", address=owner_a.email)
    consent_give(user=owner_b, premises=premises_b, channel="email", address=owner_b.email)
    before = timezone.now()
    consent_withdraw(consent=mine)
    body = api("get", "/api/v1/consents/", key_a).json()
    assert [c["id"] for c in body["results"]] == [mine.pk]
    row = body["results"][0]
    assert (row["channel"], row["address"], row["active"]) == ("email", "anna@example.com", False)
    assert row["withdrawn_at"] is not None
    assert [h["change"] for h in row["history"]] == ["given", "withdrawn"]
    # The withdrawal moves the cursor: a sync since before it sees the consent again.
    since = {"updated_since": before.isoformat()}
    assert _ids(api("get", "/api/v1/consents/", key_a, data=since)) == [mine.pk]
    later = {"updated_since": (timezone.now() + datetime.timedelta(seconds=1)).isoformat()}
    assert _ids(api("get", "/api/v1/consents/", key_a, data=later)) == []


def test_resolutions_tally_from_selector_with_paper_ballot(
    api, key_a, community_a, community_b, premises_a, premises_a2, owner_a, office_admin
):
    community_a.voting_enabled = True
    community_a.save()
    resolution = ResolutionFactory(community=community_a, number="2/2026")
    ResolutionFactory(community=community_b, number="9/2026")
    vote_cast(user=owner_a, resolution=resolution, premises=premises_a, choice="for")
    owner_2 = UserFactory(first_name="Jan", last_name="Papierowy")
    OwnershipFactory(user=owner_2, premises=premises_a2)
    paper_vote_record(
        resolution=resolution,
        premises=premises_a2,
        voter=owner_2,
        choice="against",
        recorded_by=office_admin,
    )
    body = api("get", "/api/v1/resolutions/", key_a).json()
    assert [r["number"] for r in body["results"]] == ["2/2026"]
    row = body["results"][0]
    tally = resolution_tally(resolution)
    assert row["counting"] == "share"
    assert row["tally"]["for"] == {
        "share": f"{tally.for_.share.numerator}/{tally.for_.share.denominator}",
        "percent": str(tally.for_.percent),
        "count": 1,
    }
    assert row["tally"]["against"]["count"] == 1
    assert row["tally"]["adopted"] is tally.adopted
    assert row["outcome"] is None
    ballots = {b["source"]: b for b in row["ballots"]}
    assert ballots["paper"]["voter_name"] == "Jan Papierowy"
    assert ballots["paper"]["counted"] is True
    assert ballots["online"]["choice"] == "for"


def test_resolutions_cursor_moves_with_a_ballot(api, key_a, community_a, premises_a, owner_a):
    community_a.voting_enabled = True
    community_a.save()
    resolution = ResolutionFactory(community=community_a)
    since = {"updated_since": timezone.now().isoformat()}
    assert _ids(api("get", "/api/v1/resolutions/", key_a, data=since)) == []
    vote_cast(user=owner_a, resolution=resolution, premises=premises_a, choice="against")
    assert _ids(api("get", "/api/v1/resolutions/", key_a, data=since)) == [resolution.pk]


def test_resignations_scoped_and_handled(api, key_a, owner_a, owner_b, office_admin):
    mine = resignation_request(user=owner_a, reason="Wyprowadzam się.")
    resignation_request(user=owner_b)
    body = api("get", "/api/v1/resignations/", key_a).json()
    assert [r["id"] for r in body["results"]] == [mine.pk]
    assert body["results"][0]["handled_at"] is None
    assert body["results"][0]["reason"] == "Wyprowadzam się."
    since = {"updated_since": timezone.now().isoformat()}
    resignation_handle(requests=[mine], handled_by=office_admin)
    body = api("get", "/api/v1/resignations/", key_a, data=since).json()
    assert [r["id"] for r in body["results"]] == [mine.pk]
    assert body["results"][0]["handled_at"] is not None


@pytest.mark.parametrize(
    "url", ["/api/v1/consents/", "/api/v1/resolutions/", "/api/v1/resignations/"]
)
def test_new_pulls_refuse_other_community_and_bad_input(api, key_a, community_b, url):
    response = api("get", url, key_a, data={"community": community_b.pk})
    assert response.json()["results"] == []
    assert api("get", url, key_a, data={"community": "x"}).status_code == 400
    assert api("get", url, key_a, data={"updated_since": "jutro"}).status_code == 400
    assert api("get", url, None).status_code == 401


@pytest.mark.parametrize("count", [1, 4])
def test_consents_query_count_fixed(api, key_a, building_a, django_assert_num_queries, count):
    for n in range(count):
        user = UserFactory(email=f"osoba{n}@example.com")
        premises = PremisesFactory(building=building_a)
        OwnershipFactory(user=user, premises=premises)
        consent_give(user=user, premises=premises, channel="email", address=user.email)
    # key, last use, key's communities, count, page, history of the page
    with django_assert_num_queries(6):
        assert api("get", "/api/v1/consents/", key_a).json()["count"] == count


@pytest.mark.parametrize("voters", [1, 4])
def test_resolutions_queries_do_not_grow_with_ballots(
    api, key_a, community_a, building_a, django_assert_max_num_queries, voters
):
    community_a.voting_enabled = True
    community_a.save()
    resolution = ResolutionFactory(community=community_a)
    for _n in range(voters):
        owner = UserFactory()
        premises = PremisesFactory(building=building_a)
        OwnershipFactory(user=owner, premises=premises)
        vote_cast(user=owner, resolution=resolution, premises=premises, choice="for")
    # key (2), key's communities (1), count (1), page (1), tally (1), ballots and who was
    # entitled (2): per open resolution on the page, never per ballot.
    with django_assert_max_num_queries(8):
        body = api("get", "/api/v1/resolutions/", key_a).json()
    assert len(body["results"][0]["ballots"]) == voters


def test_resolutions_no_tally_for_a_resolution_adopted_at_a_meeting(api, key_a, community_a):
    meeting = ResolutionFactory(
        community=community_a,
        status="adopted",
        decided_on=datetime.date(2026, 10, 1),
        voting_opens_at=None,
        voting_closes_at=None,
    )

    row = api("get", "/api/v1/resolutions/", key_a).json()["results"][0]

    assert (row["id"], row["outcome"]) == (meeting.pk, "adopted")
    # Not a live tally of nobody voting that says the adopted resolution is not adopted.
    assert row["tally"] is None


def test_a_resolution_adopted_by_a_hair_shows_the_same_percent_as_its_page(
    api, key_a, community_a, premises_a, premises_a2, owner_a
):
    community_a.voting_enabled = True
    community_a.save()
    for premises, numerator in ((premises_a, 500_003), (premises_a2, 499_997)):
        premises.share_numerator, premises.share_denominator = numerator, 1_000_000
        premises.save()
    resolution = ResolutionFactory(community=community_a)
    vote_cast(user=owner_a, resolution=resolution, premises=premises_a, choice="for")

    row = api("get", "/api/v1/resolutions/", key_a).json()["results"][0]

    # Rounded to two places it said 50.00, a tie, next to "adopted": true.
    assert row["tally"]["for"]["percent"] == "50.0003"
    assert row["tally"]["not_voted"]["percent"] == "49.9997"
    assert row["tally"]["adopted"] is True
