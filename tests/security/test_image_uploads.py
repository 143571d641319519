"""Photos: header bombs refused before decoding, decoding only for a valid form, HEIC cleaned."""

import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from failures.models import FailurePhoto, FailureReport
from meters.forms import ReadingForm
from portal import images
from portal.images import process_uploaded_image
from tests.factories import jpeg_bytes

pytestmark = pytest.mark.django_db

URL = "/awarie/zglos/"


def png_bomb(side=6300) -> bytes:
    """A 1-bit PNG of side × side pixels: tens of kilobytes, hundreds of megabytes decoded."""
    buffer = io.BytesIO()
    Image.new("1", (side, side)).save(buffer, format="PNG")
    return buffer.getvalue()


def heic_with_gps(size=(320, 240)) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Apple"
    exif[0x0110] = "iPhone 15"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (52.0, 13.0, 47.0)
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 90, 200)).save(buffer, format="HEIF", exif=exif.tobytes())
    return buffer.getvalue()


def form_data(premises, **extra):
    return {
        "place": f"lokal-{premises.pk}",
        "description": "Nie działa oświetlenie na klatce schodowej, 2. piętro.",
        "contact_phone": "601 200 300",
        **extra,
    }


def test_6300_square_png_of_a_few_kilobytes_is_refused_quickly_in_polish(resident_client, premises):
    bomb = png_bomb()
    assert len(bomb) < 60_000
    resident_client.post(URL, form_data(premises, description="krótko"))  # templates warm
    started = time.perf_counter()
    response = resident_client.post(
        URL, form_data(premises, photos=[SimpleUploadedFile("bomba.png", bomb, "image/png")])
    )
    elapsed = time.perf_counter() - started
    content = response.content.decode()
    assert "ma zbyt dużą rozdzielczość (6300 × 6300 pikseli, najwyżej 25 megapikseli)" in content
    assert not FailureReport.objects.exists()
    assert elapsed < 0.5, f"{elapsed:.2f} s"  # decoding it took 1.1 s and ~330 MB


def test_header_check_refuses_the_bomb_without_decoding(monkeypatch):
    def no_decoding(*args, **kwargs):
        raise AssertionError("decoded")

    upload = SimpleUploadedFile("bomba.png", png_bomb(), "image/png")
    monkeypatch.setattr(Image.Image, "load", no_decoding)
    with pytest.raises(images.ValidationError, match="rozdzielczość"):
        images.image_header_check(upload)


def test_photos_are_not_decoded_while_the_rest_of_the_report_is_invalid(
    resident_client, premises, monkeypatch
):
    decoded = []
    monkeypatch.setattr(
        "failures.forms.process_uploaded_image", lambda upload: decoded.append(upload)
    )
    photo = SimpleUploadedFile("a.jpg", jpeg_bytes(), "image/jpeg")
    response = resident_client.post(URL, form_data(premises, description="krótko", photos=[photo]))
    assert "Opisz awarię dokładniej" in response.content.decode()
    assert decoded == []
    assert not FailureReport.objects.exists()


def test_reading_form_refuses_a_header_bomb_photo_in_polish():
    upload = SimpleUploadedFile("licznik.png", png_bomb(), "image/png")
    form = ReadingForm(data={"read_on": "2025-05-25", "value": "12,5"}, files={"photo": upload})
    assert not form.is_valid()
    assert "zbyt dużą rozdzielczość" in " ".join(form.errors["photo"])


def test_heic_photo_is_accepted_and_stored_as_jpeg_without_metadata():
    source = heic_with_gps()
    assert Image.open(io.BytesIO(source)).getexif().get_ifd(0x8825)
    result = process_uploaded_image(SimpleUploadedFile("IMG_0001.HEIC", source, "image/heic"))
    stored = Image.open(io.BytesIO(result.image.read()))
    assert stored.format == "JPEG" and (stored.width, stored.height) == (320, 240)
    assert not stored.getexif() and "exif" not in stored.info and "xmp" not in stored.info


def test_iphone_photo_is_accepted_in_a_failure_report(resident_client, premises):
    photo = SimpleUploadedFile("IMG_0001.HEIC", heic_with_gps(), "image/heic")
    response = resident_client.post(URL, form_data(premises, photos=[photo]), follow=True)
    assert "przyjęliśmy zgłoszenie nr" in response.content.decode()
    stored = FailurePhoto.objects.get()
    with stored.image.open("rb") as handle:
        img = Image.open(io.BytesIO(handle.read()))
    assert img.format == "JPEG" and not img.getexif()
