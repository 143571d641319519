"""The meters figures of the office dashboard (``dashboard`` in the AppConfig).

One query, scoped by ``scope(queryset, model, lookup)`` to the communities the user works for.
"""

import datetime

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lib.reading_window import window_at, window_for_month
from lib.urls import reverse_or_none

from .models import Meter, Reading


def _latest_window(today: datetime.date):
    window = window_at(today)
    if window.is_open:
        return window
    previous = window.opens_on.replace(day=1) - datetime.timedelta(days=1)
    return window_for_month(previous.year, previous.month, start_day=20, end_day=12)


def admin_stats(request, scope) -> dict | None:
    if not request.user.has_perm("meters.view_reading"):
        return None
    window = _latest_window(timezone.localdate())
    in_window = Reading.objects.filter(
        meter=OuterRef("pk"),
        is_current=True,
        read_on__gte=window.opens_on,
        read_on__lte=window.closes_on,
    )
    meters = scope(Meter.objects.installed(), Meter, "premises__building__community")
    counts = meters.aggregate(meters=Count("pk"), read=Count("pk", filter=Q(Exists(in_window))))
    return {
        "title": _("Odczyty liczników %(od)s–%(do)s")
        % {"od": window.opens_on.strftime("%d.%m"), "do": window.closes_on.strftime("%d.%m.%Y")},
        "rows": [
            {
                "label": _("liczniki z odczytem"),
                "value": f"{counts['read']} / {counts['meters']}",
                "url": reverse_or_none("admin:meters_reading_changelist"),
            },
            {
                "label": _("bez odczytu"),
                "value": counts["meters"] - counts["read"],
                "url": reverse_or_none("admin:meters_meter_changelist"),
            },
        ],
    }
