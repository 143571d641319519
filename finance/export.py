"""The finance sections of the personal data export (``data_export`` in the AppConfig).

Only rows tied to the person; a fixed number of queries (see ``accounts/export.py``).
"""

from lib.export import amount, iso_date
from premises.export import premises_ref

from .selectors import charges_for_user, payments_for_user


def finance_section(user) -> dict:
    """Charges and payments of the premises the person currently holds (2 queries)."""
    charges = charges_for_user(user).select_related("premises__building").order_by("due_date", "pk")
    payments = (
        payments_for_user(user).select_related("premises__building").order_by("booked_on", "pk")
    )
    return {
        "charges": [
            {
                "premises": premises_ref(c.premises),
                "category": c.get_category_display(),
                "title": c.title,
                "period": iso_date(c.period),
                "due_date": iso_date(c.due_date),
                "amount": amount(c.amount),
            }
            for c in charges
        ],
        "payments": [
            {
                "premises": premises_ref(p.premises),
                "booked_on": iso_date(p.booked_on),
                "amount": amount(p.amount),
                "title": p.title,
                "source": p.get_source_display(),
            }
            for p in payments
        ],
    }
