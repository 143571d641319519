from django.db.models import Func, IntegerField, Subquery
from django.db.models.expressions import Star

from premises.selectors import premises_for_request

from .selectors import can_report_failures, open_failures_for_user

LATEST = 3


def home_panel(request):
    """Open failures in the user's buildings: how many and the latest few, in one query.

    The count rides on the rows as an uncorrelated subquery (computed once), not as a window:
    a window makes PostgreSQL read every open report of the user's buildings before the
    ``LIMIT`` (140 ms for an owner of 40 premises at full scale; 12 ms this way). ``COUNT(*)``,
    not of the id: the partial index of open reports answers it alone (an index-only scan;
    counting ids read 836 table pages for that owner, 2 ms).
    """
    user = request.user
    if not user.is_authenticated:
        return None
    # The premises first: the start page has read them already, and their building ids make
    # a plain filter (the nested building subquery scanned every report, issue 17).
    premises = premises_for_request(request)
    if not premises:
        return None
    reports = open_failures_for_user(user, premises)
    count_all = Func(Star(), function="COUNT", output_field=IntegerField())
    total = Subquery(reports.order_by().annotate(n=count_all).values("n"))
    latest = list(reports.annotate(total=total)[:LATEST])
    count = latest[0].total if latest else 0
    return {
        "template": "failures/_home_panel.html",
        "open_count": count,
        "latest": latest,
        "can_report": can_report_failures(user, premises),
    }
