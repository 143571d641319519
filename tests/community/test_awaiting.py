"""Which votes wait for the user: the start page's panel decides it in Python from flat rows
(issue 17), /wspolnota/ in SQL. Both must agree with the voting rules in every case."""

import datetime
import itertools

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from community.models import CoOwnersProxy, Vote
from community.selectors import home_items_for_user, resolutions_for_user
from premises.models import Ownership
from premises.selectors import held_premises_for_user, remember_scope
from tests.factories import (
    BuildingFactory,
    OwnershipFactory,
    PremisesFactory,
    ResolutionFactory,
    UserFactory,
)

codes = itertools.count(1)


def ballot(resolution, premises, voter):
    return Vote.objects.create(
        resolution=resolution,
        premises=premises,
        voter=voter,
        choice=Vote.Choice.FOR,
        receipt_code=f"T{next(codes):08d}",
    )


def awaiting(user) -> dict[str, list[int]]:
    """The waiting votes as each path computes them, for a fresh copy of the user."""
    fresh = get_user_model().objects.get(pk=user.pk)
    subquery = [r.pk for r in home_items_for_user(fresh, announcements=3)[1]]
    remembered = get_user_model().objects.get(pk=user.pk)
    remember_scope(remembered)
    held_premises_for_user(remembered)
    ids = [r.pk for r in home_items_for_user(remembered, announcements=3)[1]]
    marked = sorted(r.pk for r in resolutions_for_user(fresh) if r.awaiting_vote)
    return {"panel": sorted(subquery), "panel, premises read": sorted(ids), "index": marked}


def same_everywhere(result: dict[str, list[int]]) -> list[int]:
    assert len({tuple(v) for v in result.values()}) == 1, result
    return result["index"]


@pytest.fixture
def other_premises(building, resident):
    premises = PremisesFactory(building=building, number="13")
    OwnershipFactory(user=resident, premises=premises)
    return premises


def test_waiting_until_each_premises_has_a_ballot(resident, premises, resolution, other_premises):
    assert same_everywhere(awaiting(resident)) == [resolution.pk]
    ballot(resolution, premises, resident)
    assert same_everywhere(awaiting(resident)) == [resolution.pk]  # one premises still open
    ballot(resolution, other_premises, resident)
    assert same_everywhere(awaiting(resident)) == []


def test_a_co_owners_ballot_binds_the_premises(resident, premises, resolution, co_owner):
    assert same_everywhere(awaiting(resident)) == [resolution.pk]
    ballot(resolution, premises, co_owner)
    assert same_everywhere(awaiting(resident)) == []


def test_a_former_owners_ballot_lapses(resident, premises, resolution):
    seller = UserFactory()
    OwnershipFactory(
        user=seller,
        premises=premises,
        valid_from=datetime.date(2010, 1, 1),
        valid_to=datetime.date(2019, 12, 31),
    )
    ballot(resolution, premises, seller)
    assert same_everywhere(awaiting(resident)) == [resolution.pk]


def test_the_co_owners_proxy_votes_for_the_premises(resident, premises, resolution):
    proxy = UserFactory()
    CoOwnersProxy.objects.create(
        premises=premises,
        proxy=proxy,
        granted_on=timezone.localdate(),
        valid_from=timezone.localdate() - datetime.timedelta(days=30),
    )
    ballot(resolution, premises, proxy)
    assert same_everywhere(awaiting(resident)) == []


def test_a_tenant_has_no_vote(tenant, resolution):
    assert same_everywhere(awaiting(tenant)) == []


def test_only_the_communities_where_the_user_owns(resident, premises, resolution):
    elsewhere = BuildingFactory()
    rented = PremisesFactory(building=elsewhere, number="1")
    OwnershipFactory(user=resident, premises=rented, role=Ownership.Role.TENANT)
    elsewhere.community.voting_enabled = True
    elsewhere.community.save()
    other = ResolutionFactory(community=elsewhere.community)
    assert other.pk not in same_everywhere(awaiting(resident))
    assert same_everywhere(awaiting(resident)) == [resolution.pk]


def test_closed_not_yet_open_and_disabled_votes_do_not_wait(resident, premises, voting_community):
    now = timezone.now()
    ResolutionFactory(community=voting_community, voting_closes_at=now - datetime.timedelta(1))
    ResolutionFactory(community=voting_community, voting_opens_at=now + datetime.timedelta(1))
    ResolutionFactory(community=voting_community, status="draft")
    assert same_everywhere(awaiting(resident)) == []
    open_one = ResolutionFactory(community=voting_community)
    assert same_everywhere(awaiting(resident)) == [open_one.pk]
    voting_community.voting_enabled = False
    voting_community.save()
    assert same_everywhere(awaiting(resident)) == []


def test_a_spouses_ballot_does_not_vote_for_the_other_member_of_a_cooperative(
    resident, premises, community
):
    # Spouses holding a cooperative flat jointly are both members, each with one vote
    # (art. 36 § 1 prawa spółdzielczego): one's ballot does not end the other's wait.
    community.kind = community.Kind.COOPERATIVE
    community.voting_enabled = True
    community.save()
    Ownership.objects.filter(user=resident).update(role=Ownership.Role.MEMBER)
    spouse = UserFactory()
    OwnershipFactory(user=spouse, premises=premises, role=Ownership.Role.MEMBER)
    resolution = ResolutionFactory(community=community, counting="per_member")
    assert same_everywhere(awaiting(resident)) == [resolution.pk]

    ballot(resolution, premises, spouse)

    assert same_everywhere(awaiting(resident)) == [resolution.pk]
    assert same_everywhere(awaiting(spouse)) == []


def test_a_cooperative_member_of_two_premises_waits_for_one_vote_only(
    resident, premises, other_premises, community
):
    # One member, one vote (art. 36 § 1): a ballot for the flat is the member's vote, also
    # for the garage; asking again would only replace it.
    community.kind = community.Kind.COOPERATIVE
    community.voting_enabled = True
    community.save()
    Ownership.objects.filter(user=resident).update(role=Ownership.Role.MEMBER)
    resolution = ResolutionFactory(community=community, counting="per_member")
    assert same_everywhere(awaiting(resident)) == [resolution.pk]

    ballot(resolution, premises, resident)

    assert same_everywhere(awaiting(resident)) == []


# --- One owner – one vote: the voting unit is the owner set, as in ``Tally.per_owner`` --------


def per_owner_flat(building, number, *owners, proxy=None):
    """A premises of ``owners`` (co-owners when several, voting through ``proxy``)."""
    premises = PremisesFactory(building=building, number=number)
    role = Ownership.Role.CO_OWNER if len(owners) > 1 else Ownership.Role.OWNER
    for owner in owners:
        OwnershipFactory(user=owner, premises=premises, role=role)
    if proxy is not None:
        CoOwnersProxy.objects.create(
            premises=premises,
            proxy=proxy,
            granted_on=timezone.localdate(),
            valid_from=timezone.localdate() - datetime.timedelta(days=30),
        )
    return premises


def test_per_owner_a_ballot_for_one_flat_is_the_owners_vote_for_all(
    resident, premises, other_premises, voting_community
):
    # Art. 23 ust. 2a: the resident owning two flats is one owner with one vote.
    resolution = ResolutionFactory(community=voting_community, counting="per_owner")
    assert same_everywhere(awaiting(resident)) == [resolution.pk]

    ballot(resolution, other_premises, resident)

    assert same_everywhere(awaiting(resident)) == []


def test_per_owner_a_couple_co_owning_two_flats_votes_once(building, voting_community):
    anna, piotr = UserFactory(), UserFactory()
    per_owner_flat(building, "41", anna, piotr, proxy=anna)
    second = per_owner_flat(building, "42", anna, piotr, proxy=piotr)
    resolution = ResolutionFactory(community=voting_community, counting="per_owner")

    ballot(resolution, second, piotr)

    assert same_everywhere(awaiting(anna)) == []
    assert same_everywhere(awaiting(piotr)) == []


def test_per_owner_a_different_owner_set_still_waits(building, voting_community):
    # Anna alone owns one flat and co-owns another with Piotr: two owners, two votes.
    anna, piotr = UserFactory(), UserFactory()
    own = per_owner_flat(building, "51", anna)
    shared = per_owner_flat(building, "52", anna, piotr, proxy=piotr)
    resolution = ResolutionFactory(community=voting_community, counting="per_owner")

    ballot(resolution, own, anna)

    # The couple has not voted: Piotr, their proxy, is asked; Anna cannot vote for it.
    assert same_everywhere(awaiting(anna)) == []
    assert same_everywhere(awaiting(piotr)) == [resolution.pk]
    ballot(resolution, shared, piotr)
    assert same_everywhere(awaiting(anna)) == []
    assert same_everywhere(awaiting(piotr)) == []


def test_per_owner_a_former_owners_ballot_on_the_other_flat_does_not_count(
    resident, premises, voting_community, building
):
    seller = UserFactory()
    bought = PremisesFactory(building=building, number="61")
    OwnershipFactory(
        user=seller,
        premises=bought,
        valid_from=datetime.date(2010, 1, 1),
        valid_to=timezone.localdate() - datetime.timedelta(days=2),
    )
    OwnershipFactory(
        user=resident, premises=bought, valid_from=timezone.localdate() - datetime.timedelta(1)
    )
    resolution = ResolutionFactory(community=voting_community, counting="per_owner")

    ballot(resolution, bought, seller)

    assert same_everywhere(awaiting(resident)) == [resolution.pk]
