"""Failure reports and photos for tests."""

import io
import itertools

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from failures.services import failure_create
from portal.images import process_uploaded_image


def jpeg_bytes(size=(800, 600), color=(200, 30, 30), gps=False) -> bytes:
    img = Image.new("RGB", size, color)
    exif = Image.Exif()
    if gps:
        exif[0x010F] = "Telefon Testowy"  # Make
        gps_ifd = exif.get_ifd(0x8825)
        gps_ifd[1] = "N"
        gps_ifd[2] = (52.0, 13.0, 47.0)
    buffer = io.BytesIO()
    img.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def upload(data: bytes | None = None, name="zdjecie.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data or jpeg_bytes(), content_type=content_type)


def read_streamed(response) -> bytes:
    """The body of a file response; reading it to the end lets the test client close the file
    (calling ``response.close()`` here would fire request_finished and drop the DB connection).
    """
    return b"".join(response.streaming_content)


# Each report a test makes is a report of its own: the same text from the same person within
# minutes is one report sent twice (``lib.resubmission``).
_REPORT_NUMBERS = itertools.count(1)


def make_report(
    reporter,
    *,
    building,
    premises=None,
    description=None,
    photos=0,
    phone="+48 601 200 300",
    **kwargs,
):
    images = [process_uploaded_image(upload()) for _ in range(photos)]
    if description is None:
        description = f"Cieknie kran w piwnicy (zgłoszenie testowe {next(_REPORT_NUMBERS)})."
    return failure_create(
        reporter=reporter,
        building=building,
        premises=premises,
        description=description,
        contact_phone=phone,
        photos=images,
        **kwargs,
    )
