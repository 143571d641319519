import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from meters.models import Meter, Reading
from tests.factories import PremisesFactory


class MeterFactory(DjangoModelFactory):
    class Meta:
        model = Meter

    premises = factory.SubFactory(PremisesFactory)
    kind = Meter.Kind.COLD_WATER
    serial_number = factory.Sequence(lambda n: f"ZW-{100000 + n}")
    location = "łazienka"
    unit = Meter.Unit.CUBIC_METRE
    decimal_places = 3
    installed_on = datetime.date(2023, 1, 1)
    initial_reading = Decimal("0")


class ReadingFactory(DjangoModelFactory):
    class Meta:
        model = Reading

    meter = factory.SubFactory(MeterFactory)
    read_on = datetime.date(2025, 4, 25)
    value = Decimal("10.000")
    source = Reading.Source.OFFICE
