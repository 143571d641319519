import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from accounts.models import User
from premises.models import Building, Community, Company, Ownership, Premises

PASSWORD = "Haslo-testowe-123"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"{20000000 + n}")
    first_name = factory.Faker("first_name", locale="pl_PL")
    last_name = factory.Faker("last_name", locale="pl_PL")
    email = factory.Sequence(lambda n: f"osoba{n}@example.com")
    phone = "+48601200300"
    is_active = True

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])


class CompanyFactory(DjangoModelFactory):
    class Meta:
        model = Company

    name = "Zarządca Testowy sp. z o.o."
    phone = "22 100 20 30"
    email = "biuro@example.com"


class CommunityFactory(DjangoModelFactory):
    class Meta:
        model = Community

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Wspólnota Mieszkaniowa Testowa {n}")
    street = factory.Sequence(lambda n: f"ul. Testowa {n}")
    postal_code = "00-001"
    city = "Warszawa"
    bank_account = "61109010140000071219812874"


class BuildingFactory(DjangoModelFactory):
    class Meta:
        model = Building

    community = factory.SubFactory(CommunityFactory)
    street = factory.Sequence(lambda n: f"ul. Budynkowa {n}")
    postal_code = "00-001"
    city = "Warszawa"


class PremisesFactory(DjangoModelFactory):
    class Meta:
        model = Premises

    building = factory.SubFactory(BuildingFactory)
    number = factory.Sequence(lambda n: str(n + 1))
    area = Decimal("50.00")
    persons = 2
    share_numerator = 5000
    share_denominator = 100_000


class OwnershipFactory(DjangoModelFactory):
    class Meta:
        model = Ownership

    user = factory.SubFactory(UserFactory)
    premises = factory.SubFactory(PremisesFactory)
    role = Ownership.Role.OWNER
    valid_from = datetime.date(2020, 1, 1)
