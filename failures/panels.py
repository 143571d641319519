from premises.selectors import premises_for_request

from .selectors import can_report_failures, open_failures_for_user

LATEST = 3


def home_panel(request):
    """Open failures in the user's buildings: how many and the latest few (1–2 queries; the
    user's premises are shared with the rest of the start page)."""
    user = request.user
    if not user.is_authenticated:
        return None
    latest = list(open_failures_for_user(user)[:LATEST])
    premises = premises_for_request(request)
    if not latest and not premises:
        return None
    count = len(latest) if len(latest) < LATEST else open_failures_for_user(user).count()
    return {
        "template": "failures/_home_panel.html",
        "open_count": count,
        "latest": latest,
        "can_report": can_report_failures(user, premises),
    }
