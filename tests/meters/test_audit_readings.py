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
from tests.factories import MeterFactory, OwnershipFactory, UserFactory, monthly_readings

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


# --- A refused reading leaves no photo in storage ------------------------------------------


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


# --- Numbers as people write them ------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["12 345,678", "12\xa0345,678", "12\u202f345,678", "12345,678", "12345.678", "12.345,678"],
)
def test_value_written_with_thousands_separators_is_read(today, resident_client, meter, value):
    # How the portal itself prints numbers (1 234,56), how phones paste them (narrow space).
    response = resident_client.post(add_url(meter), {"read_on": "2025-05-25", "value": value})
    assert response.status_code == 302, response.content.decode()
    assert Reading.objects.get().value == Decimal("12345.678")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-5", "Stan licznika nie może być ujemny."),
        # Black digits, a gap, red digits: is it 123,456 m³ or 123 456 m³? Never guessed.
        ("123 456", "bez spacji"),
        ("12 34 5,6", "bez spacji"),
        ("1,2.3", "Wpisz liczbę"),
        ("NaN", "Wpisz liczbę"),
    ],
)
def test_odd_values_are_explained(today, resident_client, meter, value, message):
    response = resident_client.post(add_url(meter), {"read_on": "2025-05-25", "value": value})
    assert message in response.content.decode()
    assert not Reading.objects.exists()


def test_office_enters_a_reading_with_a_decimal_comma(today, client, meter):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        reverse("admin:meters_reading_add"),
        {"meter": meter.pk, "read_on": "2025-05-01", "value": "1 055,5"},
    )
    assert response.status_code == 302, response.content.decode()
    assert Reading.objects.get().value == Decimal("1055.5")
    page = client.get(reverse("admin:meters_meter_change", args=[meter.pk])).content.decode()
    assert "Wpisz liczbę" not in page
    response = client.post(
        reverse("admin:meters_meter_change", args=[meter.pk]),
        {
            "premises": meter.premises_id,
            "kind": meter.kind,
            "serial_number": meter.serial_number,
            "location": meter.location,
            "unit": meter.unit,
            "decimal_places": 3,
            "initial_reading": "1,25",
            "installed_on": "01.01.2023",
        },
    )
    assert response.status_code == 302, response.content.decode()
    meter.refresh_from_db()
    assert meter.initial_reading == Decimal("1.25")


# --- A double click ---------------------------------------------------------------------------


def test_double_click_saves_one_reading_and_says_it_was_saved(today, resident_client, meter):
    data = {"read_on": "2025-05-25", "value": "5,5"}
    first = resident_client.post(add_url(meter), {**data, "photo": png()})
    second = resident_client.post(add_url(meter), {**data, "photo": png()}, follow=True)
    assert first.status_code == 302
    page = second.content.decode()
    assert "Odczyt został zapisany" in page and "Licznik ma już odczyt" not in page
    assert Reading.objects.count() == 1
    assert len(stored_files()) == 2  # the first click's photo and thumbnail only
    # Another value for the same day is no double click: it is refused as before.
    other = resident_client.post(add_url(meter), {"read_on": "2025-05-25", "value": "6"})
    assert "Licznik ma już odczyt z 25.05.2025" in other.content.decode()


def test_double_click_on_a_correction_saves_one_correction(today, resident_client, resident, meter):
    reading = reading_submit(user=resident, meter=meter, value=Decimal(5), read_on=today)
    url = reverse("meters:reading_correct", args=[reading.pk])
    data = {"read_on": "2025-05-25", "value": "5,5"}
    first = resident_client.post(url, data)
    second = resident_client.post(url, data, follow=True)
    assert first.status_code == 302
    assert "Odczyt został poprawiony" in second.content.decode()
    assert Reading.objects.count() == 2
    assert list(Reading.objects.current().values_list("value", flat=True)) == [Decimal("5.5")]
    # The replaced reading's form now leads to the meter; another value is refused.
    assert resident_client.get(url).status_code == 302
    refused = resident_client.post(url, {"read_on": "2025-05-25", "value": "7"})
    assert "Można poprawić tylko własny odczyt" in refused.content.decode()
    assert Reading.objects.count() == 2


# --- A flat sold during the window ----------------------------------------------------------


@pytest.fixture
def sold_in_window(today, premises):
    """The flat changes hands on 22 May 2025, two days into the window (20.05–12.06)."""
    seller, buyer = UserFactory(last_name="Sprzedający"), UserFactory(last_name="Kupujący")
    OwnershipFactory(user=seller, premises=premises, valid_to=D(2025, 5, 21))
    OwnershipFactory(user=buyer, premises=premises, valid_from=D(2025, 5, 22))
    return seller, buyer, MeterFactory(premises=premises, serial_number="ZW-SOLD")


def test_seller_no_longer_submits_readings(client, sold_in_window):
    seller, _buyer, meter = sold_in_window
    client.force_login(seller)
    assert client.get(add_url(meter)).status_code == 404
    response = client.post(add_url(meter), {"read_on": "2025-05-21", "value": "5"})
    assert response.status_code == 404
    assert not Reading.objects.exists()


def test_buyer_cannot_date_a_reading_before_buying_the_flat(client, sold_in_window):
    _seller, buyer, meter = sold_in_window
    client.force_login(buyer)
    response = client.post(add_url(meter), {"read_on": "2025-05-21", "value": "5"})
    assert "nie może być wcześniejsza niż 22.05.2025" in response.content.decode()
    assert not Reading.objects.exists()
    response = client.post(add_url(meter), {"read_on": "2025-05-22", "value": "5"})
    assert response.status_code == 302
    assert Reading.objects.get().submitted_by == buyer


# --- Photos ----------------------------------------------------------------------------------


def test_a_photo_sent_with_a_refused_reading_is_asked_for_again(today, resident_client, meter):
    # The browser empties the file field on the re-shown form: the resident who ticks
    # "Potwierdzam" and saves would lose the photo that proves the unusual value.
    monthly_readings(meter, start=Decimal(100), step=Decimal(1))
    response = resident_client.post(
        add_url(meter), {"read_on": "2025-05-25", "value": "500", "photo": png()}
    )
    page = response.content.decode()
    assert "ponad 3 razy większe niż zwykle" in page
    assert "Zdjęcie nie zostało zapisane – wybierz je ponownie" in page
    response = resident_client.post(add_url(meter), {"read_on": "2025-05-25", "value": "500"})
    assert "Zdjęcie nie zostało zapisane" not in response.content.decode()  # none was sent


def test_an_iphone_heic_photo_is_stored_as_jpeg(today, resident, meter):
    import pillow_heif  # noqa: F401 - registers the HEIF encoder with Pillow

    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), "green").save(buffer, format="HEIF")
    heic = SimpleUploadedFile("IMG_0001.HEIC", buffer.getvalue(), content_type="image/heic")
    saved = reading_submit(user=resident, meter=meter, value=Decimal(1), read_on=today, photo=heic)
    assert saved.photo.name.endswith(".jpg")
    with saved.photo.open("rb") as handle:
        assert handle.read(3) == b"\xff\xd8\xff"
