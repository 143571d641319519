"""Writes: submitting, correcting and importing readings, replacing meters.

Every function checks everything before it writes; a refusal raises a Polish ``ValidationError``
and saves nothing.
"""

import bisect
import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from imports.services import upload_claim
from lib.imports import RowError
from lib.reading_window import reading_window
from portal.files import StoredFiles, files_removed_on_error
from portal.images import process_uploaded_image
from premises.selectors import holding_starts_for_user

from .imports import ImportReport, ImportRow, parse_readings, serial_key
from .models import VALUE_DECIMAL_PLACES, VALUE_MAX_DIGITS, Meter, Reading
from .selectors import resident_submission_refusal

IMPLAUSIBLE_FACTOR = 3
WHOLE_DIGITS = VALUE_MAX_DIGITS - VALUE_DECIMAL_PLACES  # what the value column holds
RECENT_READINGS = 7  # the last six periods make "typical" consumption


class ImplausibleReadingError(ValidationError):
    """A value far above the meter's typical consumption: saved only once the user confirms."""


def _date(day: datetime.date) -> str:
    return formats.date_format(day, "d.m.Y")


def _number(meter: Meter, value: Decimal) -> str:
    return formats.number_format(meter.quantize(value), use_l10n=True)


def _check_resident_may_submit(meter: Meter, today: datetime.date) -> None:
    refusal = resident_submission_refusal(meter, today)
    if refusal is not None:
        raise ValidationError(refusal, code="refused")


def _check_held_on(*, meter: Meter, user, read_on: datetime.date, today: datetime.date) -> None:
    """A resident states the meter only for days they hold the premises: a buyer does not date
    a reading into the seller's time (whose photos the buyer may not see either)."""
    since = holding_starts_for_user(user, today).get(meter.premises_id)
    if since is not None and read_on < since:
        raise _invalid(
            "read_on",
            _(
                "Data odczytu nie może być wcześniejsza niż %(date)s, od kiedy korzystasz z "
                "lokalu; stan z wcześniejszego dnia podaje poprzedni użytkownik lokalu albo biuro."
            )
            % {"date": _date(since)},
            "before_holding",
        )


def _invalid(field: str, message, code: str) -> ValidationError:
    """A field's error that keeps its ``code`` (a dict of plain messages would drop it)."""
    return ValidationError({field: ValidationError(message, code=code)})


def _validate_value(
    *,
    meter: Meter,
    value: Decimal,
    read_on: datetime.date,
    today: datetime.date,
    earliest: datetime.date | None,
    exclude: Reading | None = None,
    confirmed: bool = True,
) -> None:
    """Checks shared by residents' submissions and the office's imports."""
    _check_basic(meter=meter, value=value, read_on=read_on, today=today, earliest=earliest)
    others = Reading.objects.current().filter(meter=meter)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    previous = _check_against(meter, value, read_on, _StoredNeighbours(others, read_on))
    if not confirmed and previous is not None:
        _check_plausible(meter=meter, value=value, read_on=read_on, others=others)


def _check_basic(
    *,
    meter: Meter,
    value: Decimal,
    read_on: datetime.date,
    today: datetime.date,
    earliest: datetime.date | None,
) -> None:
    """The checks of a reading on its own: date, installation and removal, sign, size and
    precision."""
    if read_on > today:
        raise _invalid("read_on", _("Data odczytu nie może być z przyszłości."), "future")
    if earliest and read_on < earliest:
        raise _invalid(
            "read_on",
            _("Data odczytu musi przypadać w bieżącym okresie odczytów (od %(date)s).")
            % {"date": _date(earliest)},
            "before_window",
        )
    if read_on < meter.installed_on:
        raise _invalid(
            "read_on",
            _("Licznik zamontowano %(date)s; odczyt nie może być wcześniejszy.")
            % {"date": _date(meter.installed_on)},
            "before_install",
        )
    if meter.removed_on and read_on > meter.removed_on:
        raise _invalid(
            "read_on",
            _("Licznik zdemontowano %(date)s; odczyt nie może być późniejszy.")
            % {"date": _date(meter.removed_on)},
            "after_removal",
        )
    if value < 0:
        raise _invalid("value", _("Stan licznika nie może być ujemny."), "negative")
    if value >= Decimal(10) ** WHOLE_DIGITS:
        raise _invalid(
            "value",
            _("Stan licznika ma za dużo cyfr przed przecinkiem (najwyżej %(digits)d).")
            % {"digits": WHOLE_DIGITS},
            "too_large",
        )
    if value != meter.quantize(value):
        if meter.decimal_places == 0:
            message = _("Ten licznik pokazuje tylko pełne jednostki – wpisz stan bez przecinka.")
        else:
            message = ngettext(
                "Ten licznik pokazuje najwyżej %(places)d cyfrę po przecinku – "
                "wpisz stan tak, jak na wyświetlaczu.",
                "Ten licznik pokazuje najwyżej %(places)d cyfry po przecinku – "
                "wpisz stan tak, jak na wyświetlaczu.",
                meter.decimal_places,
            ) % {"places": meter.decimal_places}
        raise _invalid("value", message, "precision")


class _StoredNeighbours:
    """The meter's current readings around a day, read from the database when asked."""

    def __init__(self, others, read_on: datetime.date):
        self.others, self.read_on = others, read_on

    def same_day(self):
        return self.others.filter(read_on=self.read_on).first()

    def previous(self):
        return self.others.filter(read_on__lt=self.read_on).order_by("-read_on").first()

    def following(self):
        return self.others.filter(read_on__gt=self.read_on).order_by("read_on").first()


@dataclass(frozen=True)
class _Point:
    read_on: datetime.date
    value: Decimal


class _KnownNeighbours:
    """The same, from the meter's current readings loaded at once (sorted by day)."""

    def __init__(self, points: list[_Point], read_on: datetime.date):
        self.points, self.read_on = points, read_on
        self.at = bisect.bisect_left([p.read_on for p in points], read_on)

    def same_day(self):
        found = self.points[self.at] if self.at < len(self.points) else None
        return found if found is not None and found.read_on == self.read_on else None

    def previous(self):
        return self.points[self.at - 1] if self.at > 0 else None

    def following(self):
        at = self.at + (1 if self.same_day() is not None else 0)
        return self.points[at] if at < len(self.points) else None


def _check_against(meter: Meter, value: Decimal, read_on: datetime.date, neighbours):
    """The checks against the meter's other current readings; returns the previous one."""
    same_day = neighbours.same_day()
    if same_day is not None:
        raise _invalid(
            "read_on",
            _(
                "Licznik ma już odczyt z %(date)s (%(value)s). Wybierz inną datę albo popraw "
                "tamten odczyt."
            )
            % {"date": _date(read_on), "value": _number(meter, same_day.value)},
            "duplicate_day",
        )
    previous = neighbours.previous()
    if previous is not None and value < previous.value:
        raise _invalid(
            "value",
            _("Stan nie może być niższy od poprzedniego odczytu: %(value)s z %(date)s.")
            % {"value": _number(meter, previous.value), "date": _date(previous.read_on)},
            "lower_than_previous",
        )
    if previous is None and value < meter.initial_reading:
        raise _invalid(
            "value",
            _("Stan nie może być niższy od stanu początkowego licznika: %(value)s.")
            % {"value": _number(meter, meter.initial_reading)},
            "lower_than_initial",
        )
    following = neighbours.following()
    if following is not None and value > following.value:
        raise _invalid(
            "value",
            _("Stan nie może być wyższy od późniejszego odczytu: %(value)s z %(date)s.")
            % {"value": _number(meter, following.value), "date": _date(following.read_on)},
            "higher_than_following",
        )
    return previous


def _check_plausible(*, meter: Meter, value: Decimal, read_on: datetime.date, others) -> None:
    recent = list(
        others.filter(read_on__lt=read_on)
        .order_by("-read_on")
        .values_list("read_on", "value")[:RECENT_READINGS]
    )
    if len(recent) == 1:
        # The meter's installation is the other end of its only period so far.
        recent.append((meter.installed_on, meter.initial_reading))
    if len(recent) < 2:
        return  # no history to compare with
    (last_on, last_value), (first_on, first_value) = recent[0], recent[-1]
    days = (last_on - first_on).days
    if days <= 0 or last_value <= first_value:
        return
    per_day = (last_value - first_value) / days
    expected = per_day * max((read_on - last_on).days, 1)
    consumption = value - last_value
    if consumption > IMPLAUSIBLE_FACTOR * expected:
        raise ImplausibleReadingError(
            _(
                "Zużycie %(consumption)s %(unit)s od ostatniego odczytu jest ponad %(factor)d razy "
                "większe niż zwykle (około %(expected)s %(unit)s). Sprawdź stan licznika; jeśli "
                "jest prawidłowy, zaznacz „Potwierdzam” i zapisz ponownie."
            )
            % {
                "consumption": _number(meter, consumption),
                "expected": _number(meter, expected),
                "unit": meter.get_unit_display(),
                "factor": IMPLAUSIBLE_FACTOR,
            },
            code="implausible",
        )


def _attach_photo(reading: Reading, photo, stored: StoredFiles) -> None:
    """Store the sanitised photo and thumbnail: call it only once every check has passed."""
    try:
        processed = process_uploaded_image(photo)
    except ValidationError as error:
        raise ValidationError({"photo": error.messages}) from None
    stored.save(reading.photo, processed.image)
    stored.save(reading.thumbnail, processed.thumbnail)


def _own_reading(*, meter: Meter, user, value: Decimal, read_on: datetime.date) -> Reading | None:
    """The user's current reading of ``meter`` with this very day and value, if saved already."""
    return (
        Reading.objects.current()
        .filter(
            meter=meter,
            read_on=read_on,
            value=value,
            submitted_by=user,
            source=Reading.Source.RESIDENT,
        )
        .first()
    )


def reading_submit(
    *,
    user,
    meter: Meter,
    value: Decimal,
    read_on: datetime.date,
    photo=None,
    confirmed: bool = False,
    today: datetime.date | None = None,
) -> Reading:
    """A resident's reading. The caller has scoped ``meter`` to the user's premises.

    The photo is stored last, and deleted again if the reading is not saved after all."""
    with files_removed_on_error() as stored, transaction.atomic():
        return _reading_submit(
            user=user,
            meter=meter,
            value=value,
            read_on=read_on,
            photo=photo,
            confirmed=confirmed,
            today=today or timezone.localdate(),
            stored=stored,
        )


def _reading_submit(
    *, user, meter, value, read_on, photo, confirmed, today, stored: StoredFiles
) -> Reading:
    meter = (
        Meter.objects.select_for_update()
        .select_related("premises__building__community")
        .get(pk=meter.pk)
    )
    _check_resident_may_submit(meter, today)
    already = _own_reading(meter=meter, user=user, value=value, read_on=read_on)
    if already is not None:
        return already  # a double click: saved by the first one, the photo is not stored twice
    _check_held_on(meter=meter, user=user, read_on=read_on, today=today)
    window = reading_window(meter.premises.building.community, today)
    _validate_value(
        meter=meter,
        value=value,
        read_on=read_on,
        today=today,
        earliest=window.opens_on,
        confirmed=confirmed,
    )
    reading = Reading(
        meter=meter,
        read_on=read_on,
        value=value,
        source=Reading.Source.RESIDENT,
        submitted_by=user,
    )
    if photo:
        _attach_photo(reading, photo, stored)
    reading.save()
    return reading


def reading_correct(
    *,
    user,
    reading: Reading,
    value: Decimal,
    read_on: datetime.date,
    photo=None,
    confirmed: bool = False,
    today: datetime.date | None = None,
) -> Reading:
    """Replace the user's own reading of the open window; the old one is kept, not current.

    A new photo is stored last, and deleted again if the correction is not saved after all."""
    with files_removed_on_error() as stored, transaction.atomic():
        return _reading_correct(
            user=user,
            reading=reading,
            value=value,
            read_on=read_on,
            photo=photo,
            confirmed=confirmed,
            today=today or timezone.localdate(),
            stored=stored,
        )


def _reading_correct(
    *, user, reading, value, read_on, photo, confirmed, today, stored: StoredFiles
) -> Reading:
    old = (
        Reading.objects.select_for_update()
        .select_related("meter__premises__building__community")
        .get(pk=reading.pk)
    )
    meter = old.meter
    _check_resident_may_submit(meter, today)
    if not old.is_current and old.superseded_by_id is not None:
        already = _own_reading(meter=meter, user=user, value=value, read_on=read_on)
        if already is not None and already.pk == old.superseded_by_id:
            return already  # a double click: the first one made this very correction
    window = reading_window(meter.premises.building.community, today)
    if not (
        old.is_current
        and old.submitted_by_id == user.pk
        and old.source == Reading.Source.RESIDENT
        and window.contains(old.read_on)
    ):
        raise ValidationError(
            _("Można poprawić tylko własny odczyt z bieżącego okresu odczytów."),
            code="not_correctable",
        )
    _check_held_on(meter=meter, user=user, read_on=read_on, today=today)
    _validate_value(
        meter=meter,
        value=value,
        read_on=read_on,
        today=today,
        earliest=window.opens_on,
        exclude=old,
        confirmed=confirmed,
    )
    new = Reading(
        meter=meter,
        read_on=read_on,
        value=value,
        source=Reading.Source.RESIDENT,
        submitted_by=user,
        photo=old.photo,
        thumbnail=old.thumbnail,
    )
    if photo:
        _attach_photo(new, photo, stored)
    old.is_current = False
    old.save(update_fields=["is_current"])
    new.save()
    old.superseded_by = new
    old.save(update_fields=["superseded_by"])
    return new


@transaction.atomic
def meter_replace(
    *,
    meter: Meter,
    removed_on: datetime.date,
    serial_number: str,
    initial_reading: Decimal,
    final_value: Decimal | None = None,
    user=None,
    today: datetime.date | None = None,
) -> Meter:
    """End a meter's series and start a new meter in its place from its initial reading."""
    today = today or timezone.localdate()
    meter = Meter.objects.select_for_update().get(pk=meter.pk)
    if meter.removed_on is not None:
        raise ValidationError(
            _("Licznik %(serial)s jest już zdemontowany.") % {"serial": meter.serial_number}
        )
    if removed_on > today:
        raise ValidationError({"removed_on": _("Data wymiany nie może być z przyszłości.")})
    if removed_on < meter.installed_on:
        raise ValidationError(
            {"removed_on": _("Data wymiany nie może być wcześniejsza niż montaż licznika.")}
        )
    last = meter.readings.current().order_by("-read_on").first()
    if last is not None and last.read_on > removed_on:
        raise ValidationError(
            {
                "removed_on": _("Licznik ma odczyt z %(date)s, późniejszy niż data wymiany.")
                % {"date": _date(last.read_on)}
            }
        )
    if final_value is not None:
        _validate_value(
            meter=meter, value=final_value, read_on=removed_on, today=today, earliest=None
        )
        Reading.objects.create(
            meter=meter,
            read_on=removed_on,
            value=final_value,
            source=Reading.Source.OFFICE,
            submitted_by=user,
        )
    if initial_reading < 0:
        raise ValidationError({"initial_reading": _("Stan początkowy nie może być ujemny.")})
    meter.removed_on = removed_on
    meter.save(update_fields=["removed_on"])
    return Meter.objects.create(
        premises=meter.premises,
        kind=meter.kind,
        serial_number=serial_number.strip(),
        location=meter.location,
        unit=meter.unit,
        decimal_places=meter.decimal_places,
        is_remote_read=meter.is_remote_read,
        installed_on=removed_on,
        initial_reading=initial_reading,
        replaces=meter,
    )


class _Rollback(Exception):
    pass


def readings_import_remote(
    *, content: bytes, meters, user, dry_run: bool, today: datetime.date | None = None
) -> ImportReport:
    """Import remote readings from CSV text: every row is saved, or none is.

    ``meters`` are the meters the office user may touch (admin scoping). A preview
    (``dry_run``) runs the very same checks (in ``readings_apply``) and writes nothing, so
    what the preview shows is what applying does. Rows equal to a stored reading are skipped.
    """
    report = parse_readings(content)
    if report.file_error:
        return report
    return readings_apply(report=report, meters=meters, user=user, dry_run=dry_run, today=today)


def readings_apply(
    *, report: ImportReport, meters, user, dry_run: bool, today: datetime.date | None = None
) -> ImportReport:
    """Save the parsed rows of ``report`` (a file's or the API's): all rows, or none.

    In bulk: the meters (locked, as a resident's submission locks its meter) and their current
    readings are read in two queries, every row is checked in memory against them and the rows
    before it (``_check_against``, the very checks of a single reading), and the new readings
    are inserted with their history in chunks: a fixed number of queries, not per row.
    A row may name its premises (``row.premises_id``): the meter is then sought only there.
    """
    today = today or timezone.localdate()
    serials = {row.serial for row in report.rows}
    try:
        with transaction.atomic():
            by_serial: dict[str, list[Meter]] = {}
            found = (
                meters.filter(serial_number__in=serials)
                .order_by("installed_on", "pk")
                .select_for_update(of=("self",))
            )
            for meter in found:
                by_serial.setdefault(meter.serial_number, []).append(meter)
            by_key = _meters_by_serial_key(meters, serials - set(by_serial))
            points: dict[int, list[_Point]] = {}
            stored = (
                Reading.objects.current()
                .filter(meter__in=[m.pk for ms in by_serial.values() for m in ms])
                .order_by("meter_id", "read_on")
                .values_list("meter_id", "read_on", "value")
            )
            for meter_id, read_on, value in stored.iterator(chunk_size=5000):
                points.setdefault(meter_id, []).append(_Point(read_on, value))
            new = []
            for row in report.rows:
                if row.error:
                    continue  # unreadable; the other rows are still checked for the report
                candidates = by_serial.get(row.serial) or by_key.get(serial_key(row.serial), [])
                if row.premises_id is not None:
                    candidates = [m for m in candidates if m.premises_id == row.premises_id]
                reading = _import_row(row, candidates, user=user, today=today, points=points)
                if reading is not None:
                    new.append(reading)
            if dry_run or report.has_errors:
                raise _Rollback
            if new:
                bulk_create_with_history(new, Reading, batch_size=500, default_user=user)
    except _Rollback:
        pass
    else:
        report.applied = True
    return report


def _meters_by_serial_key(meters, serials: set[str]) -> dict[str, list[Meter]]:
    """Meters whose serial differs from a file's only by leading zeros, by ``serial_key``.

    A serial of digits saved as a number by Excel loses its zeros ("00012345" is 12345); a
    system may also pad what the office typed without them. Asked only for serials not found
    as written: no query when every serial is; two (a read, then the lock) when some are not.
    """
    keys = {serial_key(serial) for serial in serials if serial.isdigit()}
    if not keys:
        return {}
    pks = [
        pk
        for pk, serial in meters.filter(
            Q(serial_number__in=keys) | Q(serial_number__startswith="0")
        ).values_list("pk", "serial_number")
        if serial.isdigit() and serial_key(serial) in keys
    ]
    by_key: dict[str, list[Meter]] = {}
    if pks:
        found = (
            meters.filter(pk__in=pks).order_by("installed_on", "pk").select_for_update(of=("self",))
        )
        for meter in found:
            by_key.setdefault(serial_key(meter.serial_number), []).append(meter)
    return by_key


READINGS_IMPORT = "readings"


def readings_import_upload(
    *, token: str, meters, user, today: datetime.date | None = None
) -> ImportReport:
    """Apply the stored file behind a preview token: once, and all rows or none.

    Raises ``imports.services.UploadGone`` for an unknown, expired or already applied token.
    """
    report = ImportReport()
    try:
        with transaction.atomic():
            upload = upload_claim(token=token, kind=READINGS_IMPORT, user=user)
            report = readings_import_remote(
                content=bytes(upload.content), meters=meters, user=user, dry_run=False, today=today
            )
            if not report.applied:
                raise _Rollback  # the token stays usable: nothing was applied
    except _Rollback:
        pass
    return report


def _import_row(
    row: ImportRow, candidates: list[Meter], *, user, today: datetime.date, points
) -> Reading | None:
    """Check one row against the loaded readings; the new (unsaved) reading, or None."""
    installed = [
        m
        for m in candidates
        if m.installed_on <= row.read_on and (m.removed_on is None or m.removed_on >= row.read_on)
    ]
    if not installed:
        row.error = RowError(
            "meter_not_found", _("Nie ma licznika o tym numerze zamontowanego w dniu odczytu.")
        )
        return None
    if len(installed) > 1:
        row.error = RowError(
            "meter_ambiguous",
            _("Ten numer fabryczny ma kilka liczników – wprowadź odczyt ręcznie."),
        )
        return None
    row.meter = meter = installed[0]
    known = points.setdefault(meter.pk, [])
    neighbours = _KnownNeighbours(known, row.read_on)
    same_day = neighbours.same_day()
    if same_day is not None and same_day.value == row.value:
        row.skip = True
        return None
    try:
        _check_basic(meter=meter, value=row.value, read_on=row.read_on, today=today, earliest=None)
        _check_against(meter, row.value, row.read_on, neighbours)
    except ValidationError as error:
        codes = [e.code for errors in error.error_dict.values() for e in errors if e.code]
        row.error = RowError(
            f"reading_{codes[0]}" if codes else "invalid", " ".join(error.messages)
        )
        return None
    known.insert(neighbours.at, _Point(row.read_on, row.value))
    return Reading(
        meter=meter,
        read_on=row.read_on,
        value=row.value,
        source=Reading.Source.REMOTE,
        submitted_by=user,
    )


def reading_check_office(
    *, meter: Meter, value: Decimal, read_on: datetime.date, today: datetime.date | None = None
) -> None:
    """The rules for a reading the office enters by hand: no window, no confirmation."""
    _validate_value(
        meter=meter,
        value=value,
        read_on=read_on,
        today=today or timezone.localdate(),
        earliest=None,
    )


@transaction.atomic
def readings_invalidate(*, readings, user) -> int:
    """Take readings out of force (a wrong import, a mistyped value); they stay on record.

    Each one gets a history record by ``user`` at the same time as its ``invalidated_at``:
    the admin's history shows who did it, and the API's pull (``updated_at``, the latest
    history record) hands the change to an integrator syncing since before it.
    """
    chosen = list(
        Reading.objects.filter(pk__in=readings.values("pk"), is_current=True)
        .select_for_update()
        .order_by("pk")
    )
    now = timezone.now()
    for reading in chosen:
        reading.is_current = False
        reading.invalidated_at, reading.invalidated_by = now, user
    bulk_update_with_history(
        chosen,
        Reading,
        ["is_current", "invalidated_at", "invalidated_by"],
        batch_size=500,
        default_user=user,
        default_date=now,
    )
    return len(chosen)
