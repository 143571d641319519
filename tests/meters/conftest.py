import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from .factories import MeterFactory, ReadingFactory

# A day inside the default window (20.05.2025–12.06.2025).
TODAY = datetime.date(2025, 5, 25)


@pytest.fixture
def freeze_today(monkeypatch):
    """Freeze ``timezone.localdate()`` (what every window and scope check asks) on a day."""
    original = timezone.localdate

    def freeze(day: datetime.date):
        def localdate(value=None, timezone=None):
            return day if value is None else original(value, timezone)

        monkeypatch.setattr("django.utils.timezone.localdate", localdate)
        return day

    return freeze


@pytest.fixture
def today(freeze_today):
    return freeze_today(TODAY)


@pytest.fixture
def meter(premises):
    return MeterFactory(premises=premises, serial_number="ZW-12345", location="łazienka")


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
