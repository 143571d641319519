from django.utils import timezone

from .selectors import balances_for_user


def home_panel(request):
    """Start page: the amount due or the overpayment of each of the user's premises."""
    balances = balances_for_user(request.user, timezone.localdate())
    if not balances:
        return None
    return {"template": "finance/_home_panel.html", "balances": balances}
