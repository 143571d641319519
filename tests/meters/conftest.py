import datetime

import pytest
from django.utils import timezone

from tests.factories import MeterFactory

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
