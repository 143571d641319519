import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from meters.models import Meter, Reading

from .register import PremisesFactory


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


def monthly_readings(meter, *, start=Decimal("100"), step=Decimal("3"), months=6, last=None):
    """Readings on the 25th of consecutive months ending at ``last`` (25.04.2025)."""
    last = last or datetime.date(2025, 4, 25)
    readings = []
    for back in range(months - 1, -1, -1):
        index = last.year * 12 + last.month - 1 - back
        day = datetime.date(index // 12, index % 12 + 1, 25)
        readings.append(
            ReadingFactory(meter=meter, read_on=day, value=start + step * (months - 1 - back))
        )
    return readings
