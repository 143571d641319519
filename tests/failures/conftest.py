"""Fixtures of the Awarie tests: reports in the resident's building and elsewhere, photos."""

import pytest

from tests.factories import (
    BuildingFactory,
    OwnershipFactory,
    PremisesFactory,
    UserFactory,
    make_report,
)


@pytest.fixture
def other_building_resident(community):
    """A resident of another building of the same community."""
    user = UserFactory(first_name="Ewa", last_name="Zdrugiegobudynku")
    other = BuildingFactory(community=community, street="ul. Inna 3")
    OwnershipFactory(user=user, premises=PremisesFactory(building=other, number="3"))
    return user


@pytest.fixture
def neighbour_report(neighbour, building):
    """A report by the neighbour, about their own flat, with a photo."""
    return make_report(
        neighbour,
        building=building,
        premises=neighbour.ownerships.get().premises,
        description="Zaciek na suficie w kuchni.",
        phone="+48 699 888 777",
        photos=1,
    )
