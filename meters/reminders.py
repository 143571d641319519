"""The reminder that a community's meter-reading window has opened (run daily by cron).

On the day a window opens, each resident (any current role, active account) gets one e-mail
listing the meters of their premises that still lack a reading in this window; remote-read
meters are left out. Owners with an SMS consent in a community with SMS on also get an SMS.
Each person gets it once per window: ``ReminderSent`` records it in the same transaction
(``CHUNK`` people a transaction, so a run stopped halfway resumes without duplicates). A run
missed on the opening day is caught up by the next one while the window is open.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from lib.reading_window import Window, reading_window
from notifications.models import ReminderSent
from notifications.services import Notice, notify_channels, notify_many, reminders_record
from premises.models import Community, Ownership

from .models import Meter, Reading

TEMPLATE = "meters/email/reading_window"
CHUNK = 1000  # people reminded in one transaction


@dataclass
class PremisesToRead:
    premises: object
    window: Window
    meters: list = field(default_factory=list)


def communities_with_open_window(today: datetime.date) -> dict[Community, Window]:
    """Communities taking readings whose reading window is open on ``today``."""
    open_windows = {}
    for community in Community.objects.filter(meter_readings_enabled=True).order_by("pk"):
        window = reading_window(community, today)
        if window.is_open:
            open_windows[community] = window
    return open_windows


def meters_to_read(windows: dict[int, Window], today: datetime.date) -> list:
    """Installed, resident-read meters of the communities (``{community id: open window}``)
    with no current reading since their window opened."""
    last_read_on = (
        Reading.objects.current()
        .filter(meter=OuterRef("pk"))
        .order_by("-read_on")
        .values("read_on")
    )
    meters = (
        Meter.objects.installed(today)
        .filter(
            premises__building__community__in=list(windows),
            is_remote_read=False,
            installed_on__lte=today,
        )
        .annotate(last_read_on=Subquery(last_read_on[:1]))
        .select_related("premises__building__community")
        .order_by("premises__building__street", "premises__number", "kind", "serial_number")
    )
    return [
        meter
        for meter in meters
        if meter.last_read_on is None
        or meter.last_read_on < windows[meter.premises.building.community_id].opens_on
    ]


def reading_reminders_send(*, today: datetime.date | None = None) -> int:
    """Queue the reminders of the open reading windows; returns how many people got one.

    Each person is reminded once per window, by the first run on or after the day it opens
    (``ReminderSent``, ``period`` = the opening day): a missed opening day (the server down, a
    failed run) is caught up while the window is open, and never after it closes.
    """
    today = today or timezone.localdate()
    windows = {
        community.pk: window for community, window in communities_with_open_window(today).items()
    }
    if not windows:
        return 0
    by_premises: dict[int, PremisesToRead] = {}
    kind_labels = {kind: str(label) for kind, label in Meter.Kind.choices}
    for meter in meters_to_read(windows, today):
        community_id = meter.premises.building.community_id
        group = by_premises.setdefault(
            meter.premises_id, PremisesToRead(meter.premises, windows[community_id])
        )
        meter.kind_label = kind_labels[meter.kind]  # translated once per kind, not per meter
        group.meters.append(meter)
    if not by_premises:
        return 0
    holders = (
        Ownership.objects.current(today)
        .filter(premises_id__in=list(by_premises), user__is_active=True)
        .select_related("user")
        .order_by("user_id", "premises__building__street", "premises__number")
    )
    # Who was reminded of these windows already: left out before anything is built (a daily
    # run while a window is open); ``reminders_record`` still decides for overlapping runs.
    reminded = set(
        ReminderSent.objects.filter(
            kind=ReminderSent.Kind.READING_WINDOW,
            period__in={window.opens_on for window in windows.values()},
            premises__isnull=True,
        ).values_list("user_id", "period")
    )
    people: dict[int, object] = {}
    # One reminder per person and window (its opening day): windows of two communities opening
    # on the same day go in one message.
    premises_of: dict[tuple[int, datetime.date], list[PremisesToRead]] = defaultdict(list)
    for ownership in holders:
        group = by_premises[ownership.premises_id]
        key = (ownership.user_id, group.window.opens_on)
        if key in reminded:
            continue
        people[ownership.user_id] = ownership.user
        if group not in premises_of[key]:  # two roles in one premises
            premises_of[key].append(group)
    url = settings.PORTAL_URL.rstrip("/") + reverse("meters:index")
    reminders = [
        (
            opens_on,
            Notice(
                user=people[user_id],
                template=TEMPLATE,
                context={
                    "groups": groups,
                    "meters_count": sum(len(g.meters) for g in groups),
                    "closes_on": min(g.window.closes_on for g in groups),
                    "url": url,
                },
                community=groups[0].premises.building.community,
                premises=[g.premises for g in groups],
                sms=True,
                on=today,
            ),
        )
        for (user_id, opens_on), groups in premises_of.items()
    ]
    return sum(
        _remind(reminders=reminders[start : start + CHUNK])
        for start in range(0, len(reminders), CHUNK)
    )


@transaction.atomic
def _remind(*, reminders: list[tuple[datetime.date, Notice]]) -> int:
    """Remind one chunk of people, each once per window (``(opening day, notice)`` pairs);
    returns how many were reminded."""
    notices = [notice for _opens_on, notice in reminders]
    channels = notify_channels(notices)
    # Nobody to tell (no e-mail address and no SMS consent): no reminder is recorded.
    reachable = [
        (opens_on, notice, to)
        for (opens_on, notice), to in zip(reminders, channels, strict=True)
        if to
    ]
    records = reminders_record(
        [
            ReminderSent(
                kind=ReminderSent.Kind.READING_WINDOW,
                period=opens_on,
                user=notice.user,
                community=notice.community,
            )
            for opens_on, notice, _to in reachable
        ]
    )
    sending = []
    for (_opens_on, notice, to), record in zip(reachable, records, strict=True):
        if record is not None:  # else already reminded about this window
            notice.related = record
            sending.append((notice, to))
    notify_many([n for n, _to in sending], channels=[to for _n, to in sending])
    return len(sending)
