"""Two communities, each with premises; keys of community A (read-write and read-only)."""

import pytest
from django.core.cache import cache

from api.keys import api_key_create
from api.models import ApiKey

from ..factories import BuildingFactory, CommunityFactory, PremisesFactory, UserFactory


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()  # throttle counters live in the cache
    yield
    cache.clear()


@pytest.fixture
def office_admin(db):
    return UserFactory(username="admin-biura", is_staff=True, is_superuser=True)


@pytest.fixture
def community_a(company):
    return CommunityFactory(company=company, name="WM Lipowa 5")


@pytest.fixture
def community_b(company):
    return CommunityFactory(company=company, name="WM Obca")


@pytest.fixture
def building_a(community_a):
    return BuildingFactory(community=community_a, street="ul. Lipowa 5")


@pytest.fixture
def building_b(community_b):
    return BuildingFactory(community=community_b, street="ul. Obca 1")


@pytest.fixture
def premises_a(building_a):
    return PremisesFactory(building=building_a, number="12")


@pytest.fixture
def premises_a2(building_a):
    return PremisesFactory(building=building_a, number="14")


@pytest.fixture
def premises_b(building_b):
    return PremisesFactory(building=building_b, number="12")


def _key(office_admin, communities, access):
    key, text = api_key_create(
        name="Papirus", communities=communities, access=access, created_by=office_admin
    )
    return text


@pytest.fixture
def key_a(office_admin, community_a):
    return _key(office_admin, [community_a], ApiKey.Access.READ_WRITE)


@pytest.fixture
def key_a_read(office_admin, community_a):
    return _key(office_admin, [community_a], ApiKey.Access.READ)


@pytest.fixture
def api(client):
    """``api(method, url, key, json=None)`` → response."""

    def call(method, url, key, json=None, **extra):
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        kwargs = {"headers": headers, **extra}
        if json is not None:
            kwargs["data"] = json
            kwargs["content_type"] = "application/json"
        return getattr(client, method)(url, **kwargs)

    return call
