from django.db.models import Count, Window

from premises.selectors import premises_for_request

from .selectors import can_report_failures, open_failures_for_user

LATEST = 3


def home_panel(request):
    """Open failures in the user's buildings: how many and the latest few (one query: the count
    rides on the rows as a window; the user's premises are shared with the rest of the page)."""
    user = request.user
    if not user.is_authenticated:
        return None
    latest = list(open_failures_for_user(user).annotate(total=Window(Count("pk")))[:LATEST])
    premises = premises_for_request(request)
    if not latest and not premises:
        return None
    count = latest[0].total if latest else 0
    return {
        "template": "failures/_home_panel.html",
        "open_count": count,
        "latest": latest,
        "can_report": can_report_failures(user, premises),
    }
