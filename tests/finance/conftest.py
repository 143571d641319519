import datetime
from decimal import Decimal

import pytest

from finance.models import Charge, Payment


def add_charge(
    premises, amount, due_date, *, category=Charge.Category.MANAGEMENT, title="", fund=None
):
    period = due_date.replace(day=1)
    return Charge.objects.create(
        premises=premises,
        category=category,
        fund=fund or Charge.fund_for_category(category),
        title=title or f"Zaliczka {period:%m/%Y}",
        period=period,
        due_date=due_date,
        amount=Decimal(amount),
    )


def add_payment(premises, amount, booked_on, *, title="Wpłata", **extra):
    return Payment.objects.create(
        premises=premises, amount=Decimal(amount), booked_on=booked_on, title=title, **extra
    )


@pytest.fixture
def may_2025(premises):
    """The May 2025 advance of 350,27 zł, due on the community's day (10th by default)."""
    return add_charge(premises, "350.27", datetime.date(2025, 5, 10))
