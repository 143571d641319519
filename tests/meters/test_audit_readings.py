"""What a resident or the office hits with readings in real life: photos of refused readings,
the community's own window, replaced meters, odd numbers, double clicks, sold premises."""

import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from PIL import Image

from meters.models import Reading
from meters.services import reading_correct, reading_submit
from tests.factories import monthly_readings

D = datetime.date


def png(name="licznik.png", size=(640, 480)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "navy").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def add_url(meter):
    return reverse("meters:reading_add", args=[meter.pk])


# --- A refused reading leaves no photo in storage -----------------------------------------------


@pytest.mark.parametrize(
    ("value", "read_on", "message"),
    [
        ("90", "2025-05-25", "niższy od poprzedniego odczytu"),
        ("120", "2025-05-19", "w bieżącym okresie odczytów"),
        ("120", "2025-05-26", "nie może być z przyszłości"),
        ("abc", "2025-05-25", "Wpisz liczbę"),
        ("500", "2025-05-25", "ponad 3 razy większe niż zwykle"),
    ],
)
def test_refused_reading_stores_no_photo(today, resident_client, meter, value, read_on, message):
    monthly_readings(meter, start=Decimal(100), step=Decimal(1))  # last 105 on 25.04.2025
    response = resident_client.post(
        add_url(meter), {"read_on": read_on, "value": value, "photo": png()}
    )
    assert message in response.content.decode()
    assert not Reading.objects.filter(photo__gt="").exists()
    assert stored_files() == []


def test_a_save_failing_midway_leaves_no_photo(today, resident, meter, monkeypatch):
    def broken_save(self, *args, **kwargs):
        raise DatabaseError("connection lost")

    monkeypatch.setattr(Reading, "save", broken_save)
    with pytest.raises(DatabaseError):
        reading_submit(user=resident, meter=meter, value=Decimal(1), read_on=today, photo=png())
    assert stored_files() == []


def test_a_correction_failing_midway_leaves_the_old_photo_only(today, resident, meter, monkeypatch):
    first = reading_submit(user=resident, meter=meter, value=Decimal(1), read_on=today, photo=png())
    kept = stored_files()
    assert len(kept) == 2  # the photo and its thumbnail
    original = Reading.save

    def broken_save(self, *args, **kwargs):
        if self.pk is None:
            raise DatabaseError("connection lost")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Reading, "save", broken_save)
    with pytest.raises(DatabaseError):
        reading_correct(user=resident, reading=first, value=Decimal(2), read_on=today, photo=png())
    assert stored_files() == kept


def test_a_thumbnail_failing_to_store_removes_the_photo(today, resident, meter, monkeypatch):
    original = FieldFile.save

    def failing_save(self, name, content, save=True):
        if name.startswith("thumb"):
            raise OSError("disk full")
        return original(self, name, content, save)

    monkeypatch.setattr(FieldFile, "save", failing_save)
    with pytest.raises(OSError):
        reading_submit(user=resident, meter=meter, value=Decimal(1), read_on=today, photo=png())
    assert stored_files() == []
    assert not Reading.objects.exists()


def test_an_accepted_reading_keeps_its_photo(today, resident, meter):
    saved = reading_submit(user=resident, meter=meter, value=Decimal(1), read_on=today, photo=png())
    assert {p.name for p in stored_files()} == {
        Path(saved.photo.name).name,
        Path(saved.thumbnail.name).name,
    }
