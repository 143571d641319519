import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from portal import images
from portal.images import process_uploaded_image


def jpeg_with_gps(size=(800, 600), orientation=None) -> bytes:
    img = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "Telefon Testowy"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (52.0, 13.0, 47.0)
    if orientation:
        exif[0x0112] = orientation
    buffer = io.BytesIO()
    img.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def upload(data: bytes, name="zdjecie.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_real_jpeg_is_accepted_and_metadata_is_gone():
    source = jpeg_with_gps()
    assert Image.open(io.BytesIO(source)).getexif().get_ifd(0x8825)
    result = process_uploaded_image(upload(source))
    stored = Image.open(io.BytesIO(result.image.read()))
    assert stored.format == "JPEG"
    assert not stored.getexif()
    assert "exif" not in stored.info
    assert Image.open(io.BytesIO(result.thumbnail.read())).size[0] <= images.THUMB_SIDE


def test_exif_orientation_is_applied():
    result = process_uploaded_image(upload(jpeg_with_gps(size=(800, 600), orientation=6)))
    assert (result.width, result.height) == (600, 800)


def test_text_file_renamed_jpg_is_refused():
    with pytest.raises(ValidationError, match="nie jest obrazem"):
        process_uploaded_image(upload(b"to nie jest zdjecie\n" * 20))


def test_oversized_file_is_refused(monkeypatch):
    monkeypatch.setattr(images, "MAX_UPLOAD_BYTES", 1000)
    with pytest.raises(ValidationError, match="za duże"):
        process_uploaded_image(upload(jpeg_with_gps()))


def test_decompression_bomb_is_refused():
    buffer = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(buffer, format="PNG")  # 100 Mpx, a few kB
    with pytest.raises(ValidationError, match="rozdzielczość"):
        process_uploaded_image(upload(buffer.getvalue(), "bomba.png", "image/png"))


def test_gif_is_not_an_accepted_photo():
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="GIF")
    with pytest.raises(ValidationError, match="nie jest obrazem"):
        process_uploaded_image(upload(buffer.getvalue(), "a.jpg"))


@pytest.mark.parametrize("image_format", ["PNG", "WEBP", "HEIF"])
def test_transparent_background_becomes_white_not_black(image_format):
    # A black sketch on a transparent background (a marked-up plan or screenshot).
    img = Image.new("RGBA", (200, 200), (0, 0, 0, 0))
    img.paste((0, 0, 0, 255), (0, 90, 200, 110))
    buffer = io.BytesIO()
    img.save(buffer, format=image_format, lossless=True)
    result = process_uploaded_image(upload(buffer.getvalue(), "szkic.png", "image/png"))
    stored = Image.open(io.BytesIO(result.image.read()))
    assert min(stored.getpixel((10, 10))) > 240  # the background, white
    assert max(stored.getpixel((10, 100))) < 15  # the line, still black


def test_transparent_palette_colour_becomes_white():
    img = Image.new("P", (50, 50), 0)
    img.putpalette([0, 0, 0, 255, 0, 0])
    buffer = io.BytesIO()
    img.save(buffer, format="PNG", transparency=0)
    result = process_uploaded_image(upload(buffer.getvalue(), "a.png", "image/png"))
    assert min(Image.open(io.BytesIO(result.image.read())).getpixel((5, 5))) > 240
