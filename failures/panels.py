from premises.selectors import premises_for_user

from .selectors import can_report_failures, open_failures_for_user

LATEST = 3


def home_panel(request):
    """Open failures in the user's buildings: how many and the latest few (at most 3 queries)."""
    user = request.user
    if not user.is_authenticated:
        return None
    latest = list(open_failures_for_user(user)[:LATEST])
    if not latest and not premises_for_user(user).exists():
        return None
    count = len(latest) if len(latest) < LATEST else open_failures_for_user(user).count()
    return {
        "template": "failures/_home_panel.html",
        "open_count": count,
        "latest": latest,
        "can_report": can_report_failures(user),
    }
