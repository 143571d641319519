"""Uploaded photos: accept only real images, strip all metadata, store re-encoded copies.

Used by failure reports and meter readings. The original bytes are never stored: the image is
decoded with Pillow, oriented by its EXIF tag, downscaled and re-encoded without any metadata
(GPS included), plus a thumbnail.
"""

import io
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # decompression-bomb guard: a 40-megapixel photo is the largest we take
MAX_SIDE = 2000
THUMB_SIDE = 400
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "HEIF", "HEIC", "MPO"}

try:  # HEIC from iPhones, when the optional pillow-heif plugin is installed
    from pillow_heif import register_heif_opener

    register_heif_opener()
except ImportError:  # pragma: no cover - optional
    pass


@dataclass(frozen=True)
class ProcessedImage:
    image: ContentFile  # JPEG, at most MAX_SIDE px on the longer side, no metadata
    thumbnail: ContentFile  # JPEG, at most THUMB_SIDE px
    width: int
    height: int


def _encode(img: Image.Image, name: str) -> ContentFile:
    buffer = io.BytesIO()
    img.save(buffer, format="JPEG", quality=85, optimize=True)
    return ContentFile(buffer.getvalue(), name=name)


def process_uploaded_image(upload) -> ProcessedImage:
    """Validate and sanitise an uploaded image. Raises ``ValidationError`` in Polish."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("Zdjęcie jest za duże (maksymalnie %(mb)d MB).") % {"mb": MAX_UPLOAD_BYTES // 2**20},
            code="too_large",
        )
    not_an_image = ValidationError(
        _("Plik „%(name)s” nie jest obrazem (JPEG, PNG, WebP lub HEIC).") % {"name": upload.name},
        code="not_image",
    )
    too_many_pixels = ValidationError(
        _("Zdjęcie ma zbyt dużą rozdzielczość."), code="too_many_pixels"
    )
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(upload)
        with probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise not_an_image
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise too_many_pixels
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as img:
            img.load()
            img = ImageOps.exif_transpose(img)
            img = img.convert("RGB")  # drops alpha/palette; the copy carries no metadata
    except ValidationError:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise too_many_pixels from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise not_an_image from None
    finally:
        upload.seek(0)

    clean = Image.new("RGB", img.size)
    clean.paste(img)
    clean.thumbnail((MAX_SIDE, MAX_SIDE))
    thumb = clean.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
    return ProcessedImage(
        image=_encode(clean, "photo.jpg"),
        thumbnail=_encode(thumb, "thumb.jpg"),
        width=clean.width,
        height=clean.height,
    )
