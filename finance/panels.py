from django.utils import timezone

from premises.selectors import premises_for_request

from .selectors import balances_for_user


def home_panel(request):
    """Start page: the amount due or the overpayment of each of the user's premises (2 queries:
    the premises are the ones the rest of the page reads)."""
    balances = balances_for_user(
        request.user, timezone.localdate(), premises=premises_for_request(request)
    )
    if not balances:
        return None
    return {"template": "finance/_home_panel.html", "balances": balances}
