"""Submitting and correcting readings: every refusal is Polish and saves nothing."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from meters.models import Reading
from meters.services import (
    ImplausibleReadingError,
    meter_replace,
    reading_correct,
    reading_submit,
)
from tests.factories import MeterFactory, ReadingFactory, monthly_readings

D = datetime.date


def jpeg(name="licznik.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), "navy").save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def refused(**kwargs) -> str:
    before = Reading.objects.count()
    with pytest.raises(ValidationError) as caught:
        reading_submit(**kwargs)
    assert Reading.objects.count() == before
    return " ".join(caught.value.messages)


def test_resident_submits_a_reading(today, resident, meter):
    monthly_readings(meter)
    reading = reading_submit(
        user=resident, meter=meter, value=Decimal("118.5"), read_on=D(2025, 5, 24)
    )
    assert reading.source == Reading.Source.RESIDENT
    assert reading.submitted_by == resident
    assert reading.is_current
    assert reading.history.count() == 1


def test_submission_refused_when_window_closed(freeze_today, resident, meter):
    freeze_today(D(2025, 5, 15))
    message = refused(user=resident, meter=meter, value=Decimal(1), read_on=D(2025, 5, 15))
    assert "od 20.05.2025 do 12.06.2025" in message


def test_submission_refused_for_remote_read_meter(today, resident, premises):
    remote = MeterFactory(premises=premises, is_remote_read=True)
    message = refused(user=resident, meter=remote, value=Decimal(1), read_on=today)
    assert "odczytywany zdalnie" in message


def test_submission_refused_when_community_switched_it_off(today, resident, meter):
    community = meter.premises.building.community
    community.meter_readings_enabled = False
    community.save()
    message = refused(user=resident, meter=meter, value=Decimal(1), read_on=today)
    assert "nie przyjmuje odczytów" in message


def test_submission_refused_for_removed_meter(today, resident, meter):
    meter.removed_on = D(2025, 5, 1)
    meter.save()
    assert "zdemontowany" in refused(user=resident, meter=meter, value=Decimal(1), read_on=today)


def test_submission_refused_in_the_future(today, resident, meter):
    message = refused(user=resident, meter=meter, value=Decimal(1), read_on=D(2025, 5, 26))
    assert "z przyszłości" in message


def test_submission_refused_before_the_window(today, resident, meter):
    message = refused(user=resident, meter=meter, value=Decimal(1), read_on=D(2025, 5, 19))
    assert "bieżącym okresie odczytów (od 20.05.2025)" in message


def test_submission_refused_below_previous_reading(today, resident, meter):
    ReadingFactory(meter=meter, read_on=D(2025, 4, 25), value=Decimal("50.250"))
    message = refused(user=resident, meter=meter, value=Decimal("50.249"), read_on=today)
    assert "niższy od poprzedniego odczytu: 50,250 z 25.04.2025" in message


def test_submission_equal_to_previous_is_accepted(today, resident, meter):
    ReadingFactory(meter=meter, read_on=D(2025, 4, 25), value=Decimal("50.250"))
    reading_submit(user=resident, meter=meter, value=Decimal("50.25"), read_on=today)


def test_submission_refused_below_initial_reading_of_a_new_meter(today, resident, premises):
    meter = MeterFactory(premises=premises, initial_reading=Decimal("12"))
    message = refused(user=resident, meter=meter, value=Decimal("11"), read_on=today)
    assert "stanu początkowego" in message


@pytest.mark.parametrize(
    ("places", "value", "ok"),
    [
        (3, "1.234", True),
        (3, "1.2345", False),
        (1, "1.2", True),
        (1, "1.20", True),  # a trailing zero is the same number
        (1, "1.25", False),
        (0, "15", True),
        (0, "15.5", False),
    ],
)
def test_precision_of_the_meter(today, resident, premises, places, value, ok):
    meter = MeterFactory(premises=premises, decimal_places=places)
    if ok:
        reading_submit(user=resident, meter=meter, value=Decimal(value), read_on=today)
    else:
        message = refused(user=resident, meter=meter, value=Decimal(value), read_on=today)
        assert "po przecinku" in message or "bez przecinka" in message


def test_same_day_twice_is_refused(today, resident, meter):
    reading_submit(user=resident, meter=meter, value=Decimal(5), read_on=today)
    message = refused(user=resident, meter=meter, value=Decimal(6), read_on=today)
    assert "ma już odczyt z 25.05.2025" in message


def test_implausible_jump_needs_confirmation(today, resident, meter):
    monthly_readings(meter, start=Decimal(100), step=Decimal(3))  # 3 m³ a month, last 115
    with pytest.raises(ImplausibleReadingError) as caught:
        reading_submit(user=resident, meter=meter, value=Decimal(135), read_on=today)
    assert "Potwierdzam" in caught.value.messages[0]
    assert not Reading.objects.filter(value=135).exists()

    reading = reading_submit(
        user=resident, meter=meter, value=Decimal(135), read_on=today, confirmed=True
    )
    assert reading.value == 135


def test_implausible_jump_after_a_single_reading_compares_with_the_installation(
    today, resident, premises
):
    # 12 m³ from the installation on 1.01 to 25.04; "12000" for "12,000" was saved unasked.
    meter = MeterFactory(premises=premises, installed_on=D(2025, 1, 1), initial_reading=0)
    ReadingFactory(meter=meter, read_on=D(2025, 4, 25), value=Decimal(12))
    with pytest.raises(ImplausibleReadingError):
        reading_submit(user=resident, meter=meter, value=Decimal(12000), read_on=today)
    reading_submit(user=resident, meter=meter, value=Decimal(15), read_on=today)


def test_typical_consumption_needs_no_confirmation(today, resident, meter):
    monthly_readings(meter, start=Decimal(100), step=Decimal(3))
    reading_submit(user=resident, meter=meter, value=Decimal(120), read_on=today)


def test_photo_is_stored_and_a_fake_refused(today, resident, meter):
    reading = reading_submit(
        user=resident, meter=meter, value=Decimal(1), read_on=today, photo=jpeg()
    )
    assert reading.photo.name.startswith("meters/photos/")
    assert reading.thumbnail
    assert "licznik" not in reading.photo.name  # the user's file name is never kept

    fake = SimpleUploadedFile("licznik.jpg", b"<html>nie obraz</html>", content_type="image/jpeg")
    message = refused(
        user=resident, meter=meter, value=Decimal(1), read_on=D(2025, 5, 24), photo=fake
    )
    assert "nie jest obrazem" in message


def test_correction_keeps_the_replaced_reading(today, resident, meter):
    first = reading_submit(user=resident, meter=meter, value=Decimal(7), read_on=today)
    second = reading_correct(user=resident, reading=first, value=Decimal("7.5"), read_on=today)
    first.refresh_from_db()
    assert not first.is_current and first.superseded_by == second
    assert second.is_current and second.value == Decimal("7.5")
    assert Reading.objects.filter(meter=meter).count() == 2


def test_correction_of_someone_elses_reading_is_refused(today, resident, meter):
    office = ReadingFactory(meter=meter, read_on=D(2025, 5, 21), value=Decimal(7))
    with pytest.raises(ValidationError):
        reading_correct(user=resident, reading=office, value=Decimal(8), read_on=today)
    office.refresh_from_db()
    assert office.is_current and office.value == 7


def test_correction_refused_once_the_window_closed(freeze_today, resident, meter):
    freeze_today(D(2025, 6, 1))
    reading = reading_submit(user=resident, meter=meter, value=Decimal(7), read_on=D(2025, 6, 1))
    freeze_today(D(2025, 6, 13))
    with pytest.raises(ValidationError):
        reading_correct(user=resident, reading=reading, value=Decimal(8), read_on=D(2025, 6, 1))
    assert Reading.objects.get().value == 7


def test_replaced_meter_starts_a_new_series(today, meter):
    ReadingFactory(meter=meter, read_on=D(2025, 4, 25), value=Decimal("300"))
    new = meter_replace(
        meter=meter,
        removed_on=D(2025, 5, 10),
        final_value=Decimal("305.5"),
        serial_number="ZW-NEW",
        initial_reading=Decimal("0.01"),
    )
    meter.refresh_from_db()
    assert meter.removed_on == D(2025, 5, 10)
    assert meter.readings.get(read_on=D(2025, 5, 10)).value == Decimal("305.5")
    assert new.replaces == meter and new.initial_reading == Decimal("0.01")
    assert new.installed_on == D(2025, 5, 10) and new.kind == meter.kind


def test_replacing_twice_is_refused(today, meter):
    meter_replace(
        meter=meter, removed_on=D(2025, 5, 10), serial_number="A", initial_reading=Decimal(0)
    )
    with pytest.raises(ValidationError):
        meter_replace(
            meter=meter, removed_on=D(2025, 5, 11), serial_number="B", initial_reading=Decimal(0)
        )
