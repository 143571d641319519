from django.utils import timezone

from premises.selectors import premises_for_request

from .selectors import balances_for_user, totals_of

# The start page lists at most this many premises' figures; an owner of 40 premises sees those
# with something to pay (or an overpayment) first, the total due, and a link to Finanse for the
# rest (the list would bury the page, as the meters panel's does).
SHOWN = 8


def home_panel(request):
    """Start page: the amount due or the overpayment of each of the user's premises (2 queries:
    the premises are the ones the rest of the page reads)."""
    balances = balances_for_user(
        request.user, timezone.localdate(), premises=premises_for_request(request)
    )
    if not balances:
        return None
    more = max(len(balances) - SHOWN, 0)
    if more:
        # Stable: the address order stays within each group.
        balances = sorted(balances, key=lambda b: not (b.amount_due > 0 or b.overpayment > 0))
    return {
        "template": "finance/_home_panel.html",
        "balances": balances[:SHOWN],
        "more": more,
        "total_due": totals_of(balances).amount_due if more else None,
    }
