"""Reads of meters and readings. Every resident query builds on ``premises_for_user``."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import Coalesce, Lag
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from lib.reading_window import Window as ReadingWindow
from lib.reading_window import period_days, period_month, reading_window
from premises.selectors import holding_starts_for_user, premises_for_user, remembered_premises

from .models import VALUE_DECIMAL_PLACES, VALUE_MAX_DIGITS, Meter, Reading

VALUE_FIELD = DecimalField(max_digits=VALUE_MAX_DIGITS, decimal_places=VALUE_DECIMAL_PLACES)
CHART_MONTHS = 12
METER_ORDER = ("premises__building__street", "premises__number", "removed_on", "kind", "pk")


def _last_current(field: str):
    latest = Reading.objects.current().filter(meter=OuterRef("pk")).order_by("-read_on")
    return Subquery(latest.values(field)[:1])


def scoped_meters_for_user(user) -> QuerySet[Meter]:
    """Meters of the premises the user currently holds, with their premises, building and
    community; no annotations (a meter's page and its forms need none)."""
    return Meter.objects.filter(premises__in=premises_for_user(user)).select_related(
        "premises__building__community"
    )


def meters_for_user(user) -> QuerySet[Meter]:
    """Meters of the premises the user currently holds, with the last reading annotated."""
    return (
        scoped_meters_for_user(user)
        .annotate(
            last_value=Subquery(_last_current("value"), output_field=VALUE_FIELD),
            last_read_on=_last_current("read_on"),
        )
        .order_by(*METER_ORDER)
    )


def readings_for_user(user) -> QuerySet[Reading]:
    return Reading.objects.filter(meter__premises__in=premises_for_user(user)).select_related(
        "meter__premises__building__community"
    )


def with_invalidated_flag(meters: QuerySet[Meter]) -> QuerySet[Meter]:
    """``has_invalidated`` on each meter, so its page reads the invalidated readings only when
    there are some (most meters have none)."""
    invalidated = Reading.objects.filter(meter=OuterRef("pk"), invalidated_at__isnull=False)
    return meters.annotate(has_invalidated=Exists(invalidated))


def invalidated_readings_for_user(user, meter: Meter) -> QuerySet[Reading]:
    """Readings of ``meter`` the office took out of force, newest first: gone from the history
    and the consumption, listed apart so the resident learns what happened to them."""
    return (
        readings_for_user(user)
        .filter(meter=meter, is_current=False, invalidated_at__isnull=False)
        .order_by("-read_on", "-invalidated_at")
    )


def readings_in_full_for_user(user) -> QuerySet[Reading]:
    """Readings whose photo (and submitter) the user may see: taken on or after the user's
    holding start of the premises. Earlier readings belong to the previous holder: their values
    stay in the meter's history, their photos (the inside of someone else's home) do not."""
    condition = Q(pk__in=[])
    for premises_id, start in holding_starts_for_user(user).items():
        condition |= Q(meter__premises_id=premises_id, read_on__gte=start)
    return readings_for_user(user).filter(condition)


def hide_previous_holders(readings, *, meter: Meter, user) -> None:
    """On fetched readings of ``meter``, drop the photo and submitter of readings taken before
    the user's holding start (1 query). Values and consumption stay: the meter's series is the
    premises' data the new holder needs for settlement."""
    since = holding_starts_for_user(user).get(meter.premises_id)
    for reading in readings:
        reading.shown_in_full = since is not None and reading.read_on >= since
        if not reading.shown_in_full:
            reading.photo = reading.thumbnail = None
            reading.submitted_by = None
            reading.can_correct = False


def readings_with_consumption(meter: Meter) -> QuerySet[Reading]:
    """Current readings of a meter, newest first, each with ``consumption`` since the previous.

    The previous value comes from a window function (``LAG``) over the meter's readings in date
    order; the first reading is compared with the meter's initial reading.
    """
    previous = Window(
        Lag("value"),
        partition_by=[F("meter_id")],
        order_by=[F("read_on").asc()],
        output_field=VALUE_FIELD,
    )
    replaced_value = Reading.objects.filter(superseded_by=OuterRef("pk")).order_by("-created_at")
    return (
        Reading.objects.current()
        .filter(meter=meter)
        .select_related("submitted_by")
        .annotate(
            lagged_value=previous,
            previous_value=Coalesce(
                previous, F("meter__initial_reading"), output_field=VALUE_FIELD
            ),
        )
        .annotate(
            consumption=ExpressionWrapper(
                F("value") - F("previous_value"), output_field=VALUE_FIELD
            ),
            replaced_value=Subquery(replaced_value.values("value")[:1], output_field=VALUE_FIELD),
        )
        .order_by("-read_on")
    )


@dataclass(frozen=True)
class MonthConsumption:
    month: datetime.date  # first day of the settled month
    consumption: Decimal


def consumption_by_month(
    meter: Meter,
    *,
    months: int = CHART_MONTHS,
    today: datetime.date | None = None,
    readings=None,
) -> list[MonthConsumption]:
    """Consumption per settled month for the last ``months`` months (zero when not read).

    One query: the readings with their SQL-computed consumption, summed per month here; none
    when the caller passes ``readings_with_consumption(meter)`` already fetched.
    """
    today = today or timezone.localdate()
    community = meter.premises.building.community
    days = {
        "start_day": community.reading_window_start_day,
        "end_day": community.reading_window_end_day,
    }
    last = period_month(today, **days)
    first_index = last.year * 12 + last.month - 1 - (months - 1)
    first = datetime.date(first_index // 12, first_index % 12 + 1, 1)
    totals: dict[datetime.date, Decimal] = {}
    # No date filter in SQL: WHERE runs before the window function and would cut off the
    # previous reading of the first month shown.
    if readings is None:
        readings = readings_with_consumption(meter)
    for reading in readings:
        if reading.read_on < first:
            break  # newest first: the rest is older
        if reading.lagged_value is None and (reading.read_on - meter.installed_on).days > 45:
            continue  # the first reading long after installation covers many months
        month = period_month(reading.read_on, **days)
        totals[month] = totals.get(month, Decimal(0)) + reading.consumption
    result = []
    for index in range(first_index, first_index + months):
        month = datetime.date(index // 12, index % 12 + 1, 1)
        result.append(MonthConsumption(month, meter.quantize(totals.get(month, Decimal(0)))))
    return result


def window_for_meter(meter: Meter, today: datetime.date | None = None) -> ReadingWindow:
    return reading_window(meter.premises.building.community, today)


def resident_submission_refusal(meter: Meter, today: datetime.date | None = None) -> str | None:
    """Why a resident may not add a reading of this meter now (Polish), or None if they may."""
    today = today or timezone.localdate()
    community = meter.premises.building.community
    if not community.meter_readings_enabled:
        return _("Twoja wspólnota nie przyjmuje odczytów liczników przez Strefę Klienta.")
    if meter.is_remote_read:
        return _(
            "Ten licznik jest odczytywany zdalnie (radiowo) – jego odczyty przychodzą "
            "automatycznie i nie można ich dodawać ręcznie."
        )
    if meter.removed_on and meter.removed_on <= today:
        return _("Ten licznik został zdemontowany %(date)s; podaj odczyt nowego licznika.") % {
            "date": formats.date_format(meter.removed_on, "d.m.Y")
        }
    window = reading_window(community, today)
    if not window.is_open:
        return _("Odczyty można podawać od %(opens)s do %(closes)s.") % {
            "opens": formats.date_format(window.opens_on, "d.m.Y"),
            "closes": formats.date_format(window.closes_on, "d.m.Y"),
        }
    return None


def meter_accepts_resident_readings(meter: Meter, today: datetime.date | None = None) -> bool:
    """Whether "Dodaj odczyt" is offered; the services check everything again on submit."""
    return resident_submission_refusal(meter, today) is None


def mark_correctable(readings, *, meter: Meter, user, window: ReadingWindow) -> None:
    """Set ``can_correct`` on fetched readings: the user's own, in the open window."""
    accepts = window.is_open and resident_submission_refusal(meter) is None
    for reading in readings:
        reading.can_correct = (
            accepts
            and reading.submitted_by_id == user.pk
            and reading.source == Reading.Source.RESIDENT
            and window.contains(reading.read_on)
        )


@dataclass
class PremisesMeters:
    premises: object
    window: ReadingWindow
    meters: list


def choice_labels(choices) -> dict[str, str]:
    """``{value: label}`` translated once. ``get_FOO_display()`` rebuilds the choices dict and
    translates every label on each call: 80 meters on a page made that 400 translations."""
    return {value: str(label) for value, label in choices}


def meters_by_premises(meters, today: datetime.date | None = None) -> list[PremisesMeters]:
    """Group already-fetched meters by premises, each group with its community's window.

    Each meter gets ``kind_label`` and ``unit_label`` (``get_kind_display()``,
    ``get_unit_display()``) and ``accepts_readings``."""
    today = today or timezone.localdate()
    kinds = choice_labels(Meter.Kind.choices)
    units = choice_labels(Meter.Unit.choices)
    groups: dict[int, PremisesMeters] = {}
    for meter in meters:
        meter.kind_label = kinds.get(meter.kind, meter.kind)
        meter.unit_label = units.get(meter.unit, meter.unit)
        community = meter.premises.building.community
        group = groups.get(meter.premises_id)
        if group is None:
            group = groups[meter.premises_id] = PremisesMeters(
                meter.premises, reading_window(community, today), []
            )
        meter.accepts_readings = meter_accepts_resident_readings(meter, today)
        group.meters.append(meter)
    return list(groups.values())


@dataclass
class CommunityWindow:
    community: object
    window: ReadingWindow


@dataclass
class ReadingStatus:
    """What the start page says: each community's window and meters still lacking a reading."""

    communities: list[CommunityWindow]
    missing: list[Meter]

    @property
    def any_open(self) -> bool:
        return any(
            item.window.is_open and item.community.meter_readings_enabled
            for item in self.communities
        )


def _installed_meters_with_last_read_on(user, today: datetime.date) -> list[Meter]:
    """The user's installed meters in ``meters_for_user`` order, each with ``last_read_on``
    and its premises, building and community. One query.

    When the request already holds the user's premises (the start page reads them first), the
    meters are filtered on their ids and given those premises objects: no ownership subquery,
    no joined columns to build three more objects per meter from (80 meters for an owner of 40
    premises)."""
    held = remembered_premises(user)
    if held is None:
        return list(meters_for_user(user).installed(today))
    premises = {p.pk: p for p in held}
    meters = list(
        Meter.objects.filter(premises_id__in=list(premises))
        .installed(today)
        .annotate(last_read_on=_last_current("read_on"))
        .order_by(*METER_ORDER)
    )
    for meter in meters:
        meter.premises = premises[meter.premises_id]
    return meters


def reading_status_for_user(user, today: datetime.date | None = None) -> ReadingStatus | None:
    """One query: the user's installed meters with their last reading; None without meters."""
    today = today or timezone.localdate()
    meters = _installed_meters_with_last_read_on(user, today)
    if not meters:
        return None
    windows: dict[int, CommunityWindow] = {}
    missing = []
    for meter in meters:
        community = meter.premises.building.community
        if community.pk not in windows:
            windows[community.pk] = CommunityWindow(community, reading_window(community, today))
        window = windows[community.pk].window
        if (
            community.meter_readings_enabled
            and not meter.is_remote_read
            and window.is_open
            and (meter.last_read_on is None or meter.last_read_on < window.opens_on)
        ):
            missing.append(meter)
    return ReadingStatus(communities=list(windows.values()), missing=missing)


def readings_for_billing(community, *, year: int, month: int) -> QuerySet[Reading]:
    """Current readings of one community that settle one month, for the billing export: the
    month's window and the days since the previous window closed (``period_days``, the months of
    the meter's chart), so an office reading or a replaced meter's final reading taken between
    windows is billed too.

    Each row has ``previous_value`` (the meter's reading before it, or its initial reading)
    and ``consumption``; all computed in the one query.
    """
    first, last = period_days(
        year,
        month,
        start_day=community.reading_window_start_day,
        end_day=community.reading_window_end_day,
    )
    before = (
        Reading.objects.current()
        .filter(meter=OuterRef("meter"), read_on__lt=OuterRef("read_on"))
        .order_by("-read_on")
    )
    previous = Coalesce(
        Subquery(before.values("value")[:1], output_field=VALUE_FIELD),
        F("meter__initial_reading"),
        output_field=VALUE_FIELD,
    )
    return (
        Reading.objects.current()
        .filter(
            meter__premises__building__community=community,
            read_on__gte=first,
            read_on__lte=last,
        )
        .select_related("meter__premises__building")
        .annotate(previous_value=previous)
        .annotate(
            consumption=ExpressionWrapper(
                F("value") - F("previous_value"), output_field=VALUE_FIELD
            )
        )
        .order_by("meter__premises__building__street", "meter__premises__number", "meter__kind")
    )
