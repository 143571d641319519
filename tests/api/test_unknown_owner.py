"""The API's tally names the premises whose owner is unknown on the voting day."""

import datetime

import pytest
from django.utils import timezone

from community.services import vote_cast
from tests.factories import OwnershipFactory, PremisesFactory, ResolutionFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_resolutions_tally_counts_the_unknown_owner_of_a_sold_flat(
    api, key_a, community_a, building_a, premises_a
):
    community_a.voting_enabled = True
    community_a.save()
    anna = UserFactory()
    OwnershipFactory(user=anna, premises=premises_a)
    sold = PremisesFactory(building=building_a, number="30")
    OwnershipFactory(
        premises=sold,
        valid_from=timezone.localdate() - datetime.timedelta(days=300),
        valid_to=timezone.localdate() - datetime.timedelta(days=1),
    )
    resolution = ResolutionFactory(community=community_a, counting="per_owner")
    vote_cast(user=anna, resolution=resolution, premises=premises_a, choice="for")

    row = api("get", "/api/v1/resolutions/", key_a).json()["results"][0]

    assert row["tally"]["unknown_owner"]["count"] == 1
    assert row["tally"]["not_voted"]["count"] == 1
    assert row["tally"]["adopted"] is False  # Anna is 1 of 2 owners
