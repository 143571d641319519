"""Fee notices ("zawiadomienie o wysokości opłat") and arrears, from the finance ledger."""

import datetime

from django.utils import timezone

from premises.models import Premises


def premises_in_arrears(*, community, building=None, today: datetime.date | None = None):
    """Ids of the community's (or building's) premises with an amount due today."""
    from finance.selectors import balances_for_premises

    today = today or timezone.localdate()
    premises_qs = Premises.objects.filter(building__community=community).select_related(
        "building__community"
    )
    if building is not None:
        premises_qs = premises_qs.filter(building=building)
    return [b.premises.pk for b in balances_for_premises(premises_qs, today) if b.amount_due > 0]
