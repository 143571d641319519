import pytest

from premises.models import Ownership
from tests.factories import OwnershipFactory, PremisesFactory, ResolutionFactory, UserFactory


@pytest.fixture
def voting_community(community):
    community.voting_enabled = True
    community.save()
    return community


@pytest.fixture
def resolution(voting_community):
    return ResolutionFactory(community=voting_community)


@pytest.fixture
def co_owner(premises, resident):
    """The resident's spouse: a co-owner of the same premises."""
    Ownership.objects.filter(user=resident, premises=premises).update(role=Ownership.Role.CO_OWNER)
    user = UserFactory(first_name="Piotr", last_name="Nowak")
    OwnershipFactory(user=user, premises=premises, role=Ownership.Role.CO_OWNER)
    return user


@pytest.fixture
def tenant(building):
    user = UserFactory(first_name="Tomasz", last_name="Najemca")
    OwnershipFactory(
        user=user, premises=PremisesFactory(building=building, number="30"), role="tenant"
    )
    return user
