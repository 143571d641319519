"""The meters figures of the office dashboard (``dashboard`` in the AppConfig).

Scoped by ``scope(queryset, model, lookup)`` to the communities the user works for. Each
community counts readings in its own latest window (``lib.reading_window``): two queries, the
window shapes of those communities and the counts.
"""

import datetime

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lib.reading_window import latest_window_at
from lib.urls import reverse_or_none
from premises.models import Community

from .models import Meter, Reading


def _read_in(window) -> Exists:
    return Exists(
        Reading.objects.filter(
            meter=OuterRef("pk"),
            is_current=True,
            read_on__gte=window.opens_on,
            read_on__lte=window.closes_on,
        )
    )


def _title(windows: list) -> str:
    if len(windows) == 1:
        (window,) = windows
        return _("Odczyty liczników %(od)s–%(do)s") % {
            "od": window.opens_on.strftime("%d.%m"),
            "do": window.closes_on.strftime("%d.%m.%Y"),
        }
    return _("Odczyty liczników w ostatnim oknie każdej wspólnoty")


def admin_stats(request, scope) -> dict | None:
    if not request.user.has_perm("meters.view_reading"):
        return None
    today: datetime.date = timezone.localdate()
    shapes = sorted(
        set(
            scope(Community.objects.all(), Meter, "pk").values_list(
                "reading_window_start_day", "reading_window_end_day"
            )
        )
    )
    windows = {
        shape: latest_window_at(today, start_day=shape[0], end_day=shape[1]) for shape in shapes
    }
    read = Q(pk__in=[])
    for (start_day, end_day), window in windows.items():
        read |= Q(
            premises__building__community__reading_window_start_day=start_day,
            premises__building__community__reading_window_end_day=end_day,
        ) & Q(_read_in(window))
    meters = scope(Meter.objects.installed(today), Meter, "premises__building__community")
    counts = meters.aggregate(meters=Count("pk"), read=Count("pk", filter=read))
    distinct = sorted(set(windows.values()), key=lambda w: w.opens_on)
    return {
        "title": _title(distinct) if distinct else _("Odczyty liczników"),
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
