"""Finance rows for tests: charges and payments of a premises."""

from decimal import Decimal

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
