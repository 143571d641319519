"""Writes: submitting, correcting and importing readings, replacing meters.

Every function checks everything before it writes; a refusal raises a Polish ``ValidationError``
and saves nothing.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from imports.services import upload_claim
from lib.imports import RowError
from portal.images import process_uploaded_image

from .imports import ImportReport, ImportRow, parse_readings
from .models import Meter, Reading
from .selectors import resident_submission_refusal
from .window import reading_window

IMPLAUSIBLE_FACTOR = 3
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
    if value < 0:
        raise _invalid("value", _("Stan licznika nie może być ujemny."), "negative")
    if value != meter.quantize(value):
        if meter.decimal_places == 0:
            message = _("Ten licznik pokazuje tylko pełne jednostki – wpisz stan bez przecinka.")
        else:
            message = _(
                "Ten licznik pokazuje najwyżej %(places)d cyfry po przecinku – "
                "wpisz stan tak, jak na wyświetlaczu."
            ) % {"places": meter.decimal_places}
        raise _invalid("value", message, "precision")

    others = Reading.objects.current().filter(meter=meter)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    same_day = others.filter(read_on=read_on).first()
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
    previous = others.filter(read_on__lt=read_on).order_by("-read_on").first()
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
    following = others.filter(read_on__gt=read_on).order_by("read_on").first()
    if following is not None and value > following.value:
        raise _invalid(
            "value",
            _("Stan nie może być wyższy od późniejszego odczytu: %(value)s z %(date)s.")
            % {"value": _number(meter, following.value), "date": _date(following.read_on)},
            "higher_than_following",
        )
    if not confirmed and previous is not None:
        _check_plausible(meter=meter, value=value, read_on=read_on, others=others)


def _check_plausible(*, meter: Meter, value: Decimal, read_on: datetime.date, others) -> None:
    recent = list(
        others.filter(read_on__lt=read_on)
        .order_by("-read_on")
        .values_list("read_on", "value")[:RECENT_READINGS]
    )
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


def _attach_photo(reading: Reading, photo) -> None:
    try:
        processed = process_uploaded_image(photo)
    except ValidationError as error:
        raise ValidationError({"photo": error.messages}) from None
    reading.photo.save(processed.image.name, processed.image, save=False)
    reading.thumbnail.save(processed.thumbnail.name, processed.thumbnail, save=False)


@transaction.atomic
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
    """A resident's reading. The caller has scoped ``meter`` to the user's premises."""
    today = today or timezone.localdate()
    meter = (
        Meter.objects.select_for_update()
        .select_related("premises__building__community")
        .get(pk=meter.pk)
    )
    _check_resident_may_submit(meter, today)
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
        _attach_photo(reading, photo)
    reading.save()
    return reading


@transaction.atomic
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
    """Replace the user's own reading of the open window; the old one is kept, not current."""
    today = today or timezone.localdate()
    old = (
        Reading.objects.select_for_update()
        .select_related("meter__premises__building__community")
        .get(pk=reading.pk)
    )
    meter = old.meter
    _check_resident_may_submit(meter, today)
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
        _attach_photo(new, photo)
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
    (``dry_run``) runs the very same checks and writes, then rolls them back, so what the
    preview shows is what applying does. Rows equal to a stored reading are skipped.
    """
    report = parse_readings(content)
    if report.file_error:
        return report
    return readings_apply(report=report, meters=meters, user=user, dry_run=dry_run, today=today)


def readings_apply(
    *, report: ImportReport, meters, user, dry_run: bool, today: datetime.date | None = None
) -> ImportReport:
    """Save the parsed rows of ``report`` (a file's or the API's): all rows, or none."""
    today = today or timezone.localdate()
    by_serial: dict[str, list[Meter]] = {}
    serials = {row.serial for row in report.rows}
    for meter in meters.filter(serial_number__in=serials).order_by("installed_on"):
        by_serial.setdefault(meter.serial_number, []).append(meter)
    try:
        with transaction.atomic():
            for row in report.rows:
                if row.error:
                    continue  # unreadable; the other rows are still checked for the report
                _import_row(row, by_serial.get(row.serial, []), user=user, today=today)
            if dry_run or report.has_errors:
                raise _Rollback
    except _Rollback:
        pass
    else:
        report.applied = True
    return report


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


def _import_row(row: ImportRow, candidates: list[Meter], *, user, today: datetime.date) -> None:
    installed = [
        m
        for m in candidates
        if m.installed_on <= row.read_on and (m.removed_on is None or m.removed_on >= row.read_on)
    ]
    if not installed:
        row.error = RowError(
            "meter_not_found", _("Nie ma licznika o tym numerze zamontowanego w dniu odczytu.")
        )
        return
    if len(installed) > 1:
        row.error = RowError(
            "meter_ambiguous",
            _("Ten numer fabryczny ma kilka liczników – wprowadź odczyt ręcznie."),
        )
        return
    row.meter = meter = installed[0]
    same_day = meter.readings.current().filter(read_on=row.read_on).first()
    if same_day is not None and same_day.value == row.value:
        row.skip = True
        return
    try:
        _validate_value(
            meter=meter, value=row.value, read_on=row.read_on, today=today, earliest=None
        )
    except ValidationError as error:
        codes = [e.code for errors in error.error_dict.values() for e in errors if e.code]
        row.error = RowError(
            f"reading_{codes[0]}" if codes else "invalid", " ".join(error.messages)
        )
        return
    Reading.objects.create(
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
def readings_invalidate(*, readings) -> int:
    """Take readings out of force (a wrong import, a mistyped value); they stay on record."""
    return readings.filter(is_current=True).update(is_current=False)
