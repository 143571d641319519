"""Voting audit, fourth round: what a resident is asked to vote on agrees with what the vote
accepts (co-owners' proxy, art. 23 ust. 2b), and one owner – one vote shows the owner's one
vote on every flat of the same owners (art. 23 ust. 2a)."""

import datetime
import re

import pytest
from django.utils import timezone

from community.models import CoOwnersProxy
from community.services import vote_cast
from premises.models import Ownership
from tests.factories import OwnershipFactory, PremisesFactory, ResolutionFactory

from .helpers import stored_ballot
from .test_awaiting import awaiting, same_everywhere

ONE_DAY = datetime.timedelta(days=1)


def page(client, user, resolution) -> str:
    client.force_login(user)
    return client.get(f"/wspolnota/uchwaly/{resolution.pk}/").content.decode()


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def forms(html: str) -> int:
    return html.count('class="vote-form"')


def appoint(premises, proxy) -> CoOwnersProxy:
    return CoOwnersProxy.objects.create(
        premises=premises, proxy=proxy, granted_on=timezone.localdate() - ONE_DAY
    )


# --- 1. Only the co-owners' proxy is asked to vote for their premises --------------------------


def test_co_owner_who_is_not_the_proxy_is_not_awaited_and_sees_who_votes(
    client, resident, co_owner, premises, resolution
):
    appoint(premises, co_owner)  # Piotr Nowak votes for the co-owners

    assert same_everywhere(awaiting(resident)) == []
    assert same_everywhere(awaiting(co_owner)) == [resolution.pk]
    annas = page(client, resident, resolution)
    assert forms(annas) == 0
    assert "Za ten lokal głosuje pełnomocnik współwłaścicieli: Piotr Nowak" in text(annas)
    assert "czeka na Twój głos" not in client.get("/wspolnota/").content.decode()
    assert forms(page(client, co_owner, resolution)) == 1

    vote_cast(user=co_owner, resolution=resolution, premises=premises, choice="against")

    annas = text(page(client, resident, resolution))
    assert "Za ten lokal głos oddał(a) pełnomocnik współwłaścicieli Piotr Nowak" in annas
    assert same_everywhere(awaiting(co_owner)) == []


def test_per_owner_co_owners_without_a_proxy_are_not_awaited_and_told_to_appoint_one(
    client, resident, co_owner, premises, voting_community
):
    # The vote refuses co-owners without a recorded proxy (``proxy_required``): no form.
    resolution = ResolutionFactory(community=voting_community, counting="per_owner")

    assert same_everywhere(awaiting(resident)) == []
    assert same_everywhere(awaiting(co_owner)) == []
    annas = page(client, resident, resolution)
    assert forms(annas) == 0
    assert "współwłaściciele lokalu głosują przez pełnomocnika" in text(annas)
    assert "Złóż w biurze pełnomocnictwo" in text(annas)


def test_per_owner_co_owner_of_one_flat_still_waits_for_their_own_flat(
    client, resident, co_owner, premises, voting_community, building
):
    own = PremisesFactory(building=building, number="14")
    OwnershipFactory(user=resident, premises=own, role=Ownership.Role.OWNER)
    resolution = ResolutionFactory(community=voting_community, counting="per_owner")

    assert same_everywhere(awaiting(resident)) == [resolution.pk]
    assert forms(page(client, resident, resolution)) == 1


# --- 2. One owner – one vote: the second flat shows the vote cast through the first -----------


def test_per_owner_second_flat_is_covered_by_the_vote_cast_through_the_first(
    client, resident, premises, voting_community, building
):
    second = PremisesFactory(building=building, number="14")
    OwnershipFactory(user=resident, premises=second)
    resolution = ResolutionFactory(community=voting_community, counting="per_owner")
    assert forms(page(client, resident, resolution)) == 2

    vote_cast(user=resident, resolution=resolution, premises=premises, choice="against")

    html = page(client, resident, resolution)
    assert forms(html) == 1  # the vote is changed in one place: where it was cast
    assert "Oddaj głos" not in html
    assert "Zmień głos za lokal 12" in text(html)
    assert "Twój głos oddany za lokal 12 liczy się także za ten lokal: przeciw" in text(html), text(
        html
    )
    assert same_everywhere(awaiting(resident)) == []


def test_per_owner_the_latest_of_two_ballots_is_the_one_shown_and_changed(
    client, resident, premises, voting_community, building
):
    second = PremisesFactory(building=building, number="14")
    OwnershipFactory(user=resident, premises=second)
    resolution = ResolutionFactory(community=voting_community, counting="per_owner")
    vote_cast(
        user=resident,
        resolution=resolution,
        premises=premises,
        choice="against",
        now=timezone.now() - ONE_DAY / 24,
    )
    # Stored before a second ballot through another flat was refused: the latest counts.
    stored_ballot(resolution=resolution, premises=second, voter=resident, choice="for")

    html = text(page(client, resident, resolution))

    assert "Zmień głos za lokal 14" in html
    assert "Zmień głos za lokal 12" not in html
    assert "Twój głos oddany za lokal 14 liczy się także za ten lokal: za" in html


@pytest.mark.parametrize("counting", ["share", "per_owner"])
def test_resolution_page_queries_stay_fixed_with_proxies_and_co_owners(
    client, resident, co_owner, premises, voting_community, building, counting
):
    from tests.utils import count_queries

    appoint(premises, co_owner)
    for number in ("14", "15"):
        OwnershipFactory(user=resident, premises=PremisesFactory(building=building, number=number))
    resolution = ResolutionFactory(community=voting_community, counting=counting)
    client.force_login(resident)
    client.get(f"/wspolnota/uchwaly/{resolution.pk}/")
    # the session with its user, resolution, user's holdings, their premises' ballots, and the
    # tally (1 query by shares, 2 per owner).
    expected = 5 if counting == "share" else 6
    assert count_queries(client, f"/wspolnota/uchwaly/{resolution.pk}/") == expected


@pytest.mark.parametrize("counting", ["share", "per_owner"])
def test_home_panel_reads_ballots_owners_and_proxies_in_one_query(
    rf, resident, co_owner, premises, voting_community, counting, django_assert_num_queries
):
    from community.panels import home_panel

    appoint(premises, resident)
    resolution = ResolutionFactory(community=voting_community, counting=counting)
    request = rf.get("/")
    request.user = resident
    # The announcements, open votes and premises; the ballots, owners and proxies.
    with django_assert_num_queries(2):
        panel = home_panel(request)
    assert [item.pk for item in panel["awaiting"]] == [resolution.pk]
