"""Small helpers of the personal data export (RODO art. 15 and 20): values as JSON text."""

import datetime
from decimal import Decimal

from django.utils import timezone


def iso_datetime(value: datetime.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def iso_date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def amount(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"
