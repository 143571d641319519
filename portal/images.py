"""Uploaded photos: accept only real images, strip all metadata, store re-encoded copies.

Used by failure reports, meter readings and messages to the office. The original bytes are
never stored: the image is decoded with Pillow, oriented by its EXIF tag, downscaled and
re-encoded as JPEG without any metadata (GPS included), plus a thumbnail.

Decoding is the expensive part (a 38 KB PNG can declare 6300 × 6300 pixels, i.e. hundreds of
megabytes once decoded), so :func:`image_header_check` reads only the header first and refuses
anything over ``MAX_PIXELS``; forms call it while validating and decode (``process_uploaded_image``)
only once the rest of the form is valid.
"""

import io
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

register_heif_opener()  # HEIC/HEIF photos from iPhones

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# Decompression-bomb guard: 25 megapixels holds a 24 Mpx phone photo (iPhone 15 Pro's default,
# 5712 × 4284) and costs at most ~100 MB decoded; larger pictures are refused from the header.
MAX_PIXELS = 25_000_000
MAX_SIDE = 2000
THUMB_SIDE = 400
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "HEIF", "HEIC", "MPO"}


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


def _not_an_image(upload) -> ValidationError:
    return ValidationError(
        _("Plik „%(name)s” nie jest obrazem (JPEG, PNG, WebP lub HEIC).") % {"name": upload.name},
        code="not_image",
    )


def _too_many_pixels(upload, width=None, height=None) -> ValidationError:
    if width and height:
        message = _(
            "Zdjęcie „%(name)s” ma zbyt dużą rozdzielczość (%(width)d × %(height)d pikseli, "
            "najwyżej %(mpx)d megapikseli). Zmniejsz je i wybierz ponownie."
        ) % {"name": upload.name, "width": width, "height": height, "mpx": MAX_PIXELS // 10**6}
    else:
        message = _("Zdjęcie „%(name)s” ma zbyt dużą rozdzielczość.") % {"name": upload.name}
    return ValidationError(message, code="too_many_pixels")


def _open(upload) -> Image.Image:
    upload.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        return Image.open(upload)


def _flatten(img: Image.Image) -> Image.Image:
    """RGB for JPEG; transparent parts become white, as viewers show them (a plain
    ``convert("RGB")`` keeps the colour under the transparency, usually black, so a drawing
    on a transparent background arrives as a black square)."""
    if img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in img.info:
        rgba = img.convert("RGBA")
        img = Image.new("RGBA", rgba.size, "white")
        img.alpha_composite(rgba)
    return img.convert("RGB")


def image_header_check(upload) -> tuple[str, int, int]:
    """Size, type and pixel count from the file's header only (no decoding); cheap.

    Returns ``(format, width, height)``; raises ``ValidationError`` in Polish.
    """
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("Zdjęcie jest za duże (maksymalnie %(mb)d MB).") % {"mb": MAX_UPLOAD_BYTES // 2**20},
            code="too_large",
        )
    try:
        with _open(upload) as probe:
            image_format, (width, height) = probe.format, probe.size
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise _too_many_pixels(upload) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _not_an_image(upload) from None
    finally:
        upload.seek(0)
    if image_format not in ACCEPTED_FORMATS:
        raise _not_an_image(upload)
    if width * height > MAX_PIXELS:
        raise _too_many_pixels(upload, width, height)
    return image_format, width, height


def process_uploaded_image(upload) -> ProcessedImage:
    """Validate and sanitise an uploaded image. Raises ``ValidationError`` in Polish."""
    image_format, _width, _height = image_header_check(upload)
    try:
        with _open(upload) as probe:
            probe.verify()
        with _open(upload) as img:
            if image_format in {"JPEG", "MPO"}:
                # Decode a JPEG at a reduced scale (1/2…1/8) when it is much larger than kept.
                img.draft("RGB", (MAX_SIDE, MAX_SIDE))
            img.load()
            img = _flatten(ImageOps.exif_transpose(img))  # the copy carries no metadata
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise _too_many_pixels(upload) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise _not_an_image(upload) from None
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
