from .fragments import WindowStatuses, pk_url
from .models import Meter
from .selectors import choice_labels, reading_status_for_user

# The start page names at most this many meters without a reading; the rest are counted, with a
# link to Liczniki (an owner of 40 premises has 80 meters: the list would bury the page).
MISSING_SHOWN = 8


def home_panel(request) -> dict | None:
    """Whether the reading window is open and which meters still lack a reading (1 query)."""
    status = reading_status_for_user(request.user)
    if status is None:
        return None
    window_status = WindowStatuses()
    for item in status.communities:
        item.status_html = window_status(item.community, item.window)
    shown = status.missing[:MISSING_SHOWN]
    kinds, add_url = choice_labels(Meter.Kind.choices), pk_url("meters:reading_add")
    for meter in shown:
        meter.kind_label, meter.add_url = kinds.get(meter.kind, meter.kind), add_url(meter.pk)
    return {
        "template": "meters/_home_panel.html",
        "communities": status.communities,
        "missing": status.missing,
        "shown": shown,
        "more": max(len(status.missing) - MISSING_SHOWN, 0),
        "any_open": status.any_open,
    }
