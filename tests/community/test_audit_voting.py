"""Voting audit: what a resolution under vote must never let through (spec rule 8)."""

from decimal import Decimal
from fractions import Fraction

import pytest

from community.selectors import resolution_tally
from community.services import vote_cast
from community.tally import Tally
from tests.factories import ResolutionFactory, UserFactory

from .test_law import flats


@pytest.fixture
def office_client(db, client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _line_percents(tally) -> list[Decimal]:
    return [tally[k].percent for k in ("for", "against", "abstain", "none")]


# --- Percentages add up to the total shown under them -----------------------------------------


def test_share_percents_add_up_to_the_total_of_all_shares(client, voting_community):
    people = flats(voting_community, [(1, 3), (1, 3), (1, 3)])
    resolution = ResolutionFactory(community=voting_community)
    for (owner, premises), choice in zip(people, ["for", "against", "abstain"], strict=True):
        vote_cast(user=owner, resolution=resolution, premises=premises, choice=choice)

    tally = resolution_tally(resolution)

    assert tally.total_share_percent == Decimal("100.00")
    assert sum(_line_percents(tally)) == Decimal("100.00")
    client.force_login(people[0][0])
    content = client.get(f"/wspolnota/uchwaly/{resolution.pk}/").content.decode()
    shown = [
        content.split(f'data-tally="{key}">')[1].split("%")[0]
        for key in ("for", "against", "abstain", "none")
    ]
    assert sum(Decimal(v.replace(",", ".")) for v in shown) == Decimal("100.00")


def test_owner_percents_add_up_to_one_hundred():
    tally = Tally._count(
        {1: None, 2: None, 3: None},
        [(1, "for", 1, 1), (2, "against", 2, 2), (3, "abstain", 3, 3)],
        counting="per_owner",
        unit="owners",
    )
    assert sum(_line_percents(tally)) == Decimal("100.00")
    # The exact fractions are untouched; only the display is apportioned.
    assert tally.for_.share == Fraction(1, 3)


def test_stored_result_percents_add_up_too():
    tally = Tally.from_rows([("for", 3, 1, 1), ("against", 3, 1, 1), ("abstain", 3, 1, 1)])
    restored = Tally.from_json(tally.to_json())
    assert sum(_line_percents(restored)) == Decimal("100.00")
