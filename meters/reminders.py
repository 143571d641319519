"""The reminder that a community's meter-reading window has opened (run daily by cron).

On the day a window opens, each resident (any current role, active account) gets one e-mail
listing the meters of their premises that still lack a reading in this window; remote-read
meters are left out. Owners with an SMS consent in a community with SMS on also get an SMS.
Each person gets it once per window: ``ReminderSent`` records it in the same transaction
(``CHUNK`` people a transaction, so a run stopped halfway resumes without duplicates).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
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


def communities_opening_window(today: datetime.date) -> dict[Community, Window]:
    """Communities taking readings whose reading window opens on ``today``."""
    opening = {}
    for community in Community.objects.filter(meter_readings_enabled=True).order_by("pk"):
        window = reading_window(community, today)
        if window.is_open and window.opens_on == today:
            opening[community] = window
    return opening


def meters_to_read(communities, today: datetime.date):
    """Installed, resident-read meters of the communities with no current reading since today."""
    read_since_opening = Reading.objects.current().filter(meter=OuterRef("pk"), read_on__gte=today)
    return (
        Meter.objects.installed(today)
        .filter(
            premises__building__community__in=communities,
            is_remote_read=False,
            installed_on__lte=today,
        )
        .exclude(Exists(read_since_opening))
        .select_related("premises__building__community")
        .order_by("premises__building__street", "premises__number", "kind", "serial_number")
    )


def reading_reminders_send(*, today: datetime.date | None = None) -> int:
    """Queue the window-opening reminders due on ``today``; returns how many people got one."""
    today = today or timezone.localdate()
    opening = communities_opening_window(today)
    if not opening:
        return 0
    windows = {community.pk: window for community, window in opening.items()}
    by_premises: dict[int, PremisesToRead] = {}
    kind_labels = {kind: str(label) for kind, label in Meter.Kind.choices}
    for meter in meters_to_read(list(opening), today):
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
    people: dict[int, object] = {}
    premises_of: dict[int, list[PremisesToRead]] = defaultdict(list)
    for ownership in holders:
        people[ownership.user_id] = ownership.user
        group = by_premises[ownership.premises_id]
        if group not in premises_of[ownership.user_id]:  # two roles in one premises
            premises_of[ownership.user_id].append(group)
    url = settings.PORTAL_URL.rstrip("/") + reverse("meters:index")
    notices = [
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
        )
        for user_id, groups in premises_of.items()
    ]
    return sum(
        _remind(notices=notices[start : start + CHUNK], today=today)
        for start in range(0, len(notices), CHUNK)
    )


@transaction.atomic
def _remind(*, notices: list[Notice], today) -> int:
    """Remind one chunk of people, each once per window; returns how many were reminded."""
    channels = notify_channels(notices)
    # Nobody to tell (no e-mail address and no SMS consent): no reminder is recorded.
    reachable = [(n, to) for n, to in zip(notices, channels, strict=True) if to]
    records = reminders_record(
        [
            ReminderSent(
                kind=ReminderSent.Kind.READING_WINDOW,
                period=today,
                user=notice.user,
                community=notice.community,
            )
            for notice, _to in reachable
        ]
    )
    sending = []
    for (notice, to), record in zip(reachable, records, strict=True):
        if record is not None:  # else already reminded about this window
            notice.related = record
            sending.append((notice, to))
    notify_many([n for n, _to in sending], channels=[to for _n, to in sending])
    return len(sending)
