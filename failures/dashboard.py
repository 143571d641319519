"""The failures figures of the office dashboard (``dashboard`` in the AppConfig).

One query, scoped by ``scope(queryset, model, lookup)`` to the communities the user works for.
"""

import datetime

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lib.urls import reverse_or_none

from .models import FailureReport


def admin_stats(request, scope) -> dict | None:
    if not request.user.has_perm("failures.view_failurereport"):
        return None
    now = timezone.now()
    week, month = now - datetime.timedelta(days=7), now - datetime.timedelta(days=30)
    reports = scope(
        FailureReport.objects.filter(status__in=FailureReport.OPEN_STATUSES),
        FailureReport,
        "building__community",
    )
    counts = reports.aggregate(
        fresh=Count("pk", filter=Q(created_at__gte=week)),
        middle=Count("pk", filter=Q(created_at__lt=week, created_at__gte=month)),
        old=Count("pk", filter=Q(created_at__lt=month)),
    )
    url = reverse_or_none("admin:failures_failurereport_changelist")
    return {
        "title": _("Otwarte zgłoszenia awarii"),
        "rows": [
            {"label": _("do 7 dni"), "value": counts["fresh"], "url": url},
            {"label": _("8–30 dni"), "value": counts["middle"], "url": url},
            {"label": _("ponad 30 dni"), "value": counts["old"], "url": url},
        ],
    }
