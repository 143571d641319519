"""Polish order for names and streets, natural order for premises numbers, on both databases."""

import pytest

from accounts.models import User
from lib.collation import polish, polish_sort_key
from premises.selectors import premises_with_holders_for_user
from tests.factories import BuildingFactory, OwnershipFactory, PremisesFactory, UserFactory

SURNAMES = ["Zięba", "Łukasiewicz", "Śliwa", "Lis", "Mazur", "Sowa", "Żak", "Ćwik", "Cebula"]
POLISH_ORDER = ["Cebula", "Ćwik", "Lis", "Łukasiewicz", "Mazur", "Sowa", "Śliwa", "Zięba", "Żak"]


def test_python_key_sorts_surnames_in_polish_order():
    assert sorted(SURNAMES, key=polish_sort_key) == POLISH_ORDER


def test_python_key_sorts_premises_numbers_naturally():
    numbers = ["10", "2", "1", "10a", "G3", "G10", "3"]
    assert sorted(numbers, key=polish_sort_key) == ["1", "2", "3", "10", "10a", "G3", "G10"]


@pytest.mark.django_db
def test_database_orders_surnames_like_python():
    for surname in SURNAMES:
        UserFactory(last_name=surname)
    ordered = list(
        User.objects.filter(last_name__in=SURNAMES)
        .order_by(polish("last_name"))
        .values_list("last_name", flat=True)
    )
    assert ordered == POLISH_ORDER


@pytest.mark.django_db
def test_premises_list_in_street_and_natural_number_order(client, resident, building):
    other_street = BuildingFactory(community=building.community, street="Łąkowa 1")
    building.street = "Lipowa 5"
    building.save()
    for number in ["10", "2"]:
        OwnershipFactory(user=resident, premises=PremisesFactory(building=building, number=number))
    OwnershipFactory(user=resident, premises=PremisesFactory(building=other_street, number="1"))
    labels = [(p.building.street, p.number) for p in premises_with_holders_for_user(resident)]
    assert labels == [
        ("Lipowa 5", "2"),
        ("Lipowa 5", "10"),
        ("Lipowa 5", "12"),
        ("Łąkowa 1", "1"),
    ]
