"""Messages to the office: files checked by content, photos cleaned, bombs and scripts refused,
bodies capped, downloads under the original name."""

import io
import struct
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from correspondence.models import Thread, ThreadAttachment
from correspondence.services import thread_start

from ..correspondence.helpers import PDF_BYTES, make_letter
from .test_image_uploads import heic_with_gps

pytestmark = pytest.mark.django_db

URL = "/korespondencja/wiadomosci/nowa/"


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Telefon"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (52.0, 13.0, 47.0)
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), (200, 30, 30)).save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def png_header_bomb(width=60_000, height=60_000) -> bytes:
    """A valid PNG header declaring 3.6 gigapixels, with almost no data."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
        + chunk(b"IEND", b"")
    )


def office_zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx(**extra) -> bytes:
    return office_zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "word/document.xml": b"<w:document>Tresc pisma</w:document>",
            **extra,
        }
    )


def pdf(body: bytes) -> bytes:
    return b"%PDF-1.7\n" + body + b"\ntrailer<<>>\n%%EOF\n"


def send(client, premises, *files, body="Proszę o sprawdzenie załącznika."):
    return client.post(
        URL,
        {"premises": premises.pk, "subject": "Załącznik", "body": body, "attachments": list(files)},
        follow=True,
    )


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_photo_to_the_office_loses_its_gps_and_keeps_its_name(resident_client, premises):
    response = send(resident_client, premises, upload("Zdjęcie kuchni.jpg", jpeg_with_gps()))
    assert "Wiadomość została wysłana do biura." in response.content.decode()
    attachment = ThreadAttachment.objects.get()
    assert attachment.name == "Zdjęcie kuchni.jpg"
    with attachment.file.open("rb") as handle:
        stored = Image.open(io.BytesIO(handle.read()))
    assert stored.format == "JPEG" and not stored.getexif() and "exif" not in stored.info


def test_iphone_heic_photo_is_stored_as_a_clean_jpeg(resident_client, premises):
    send(resident_client, premises, upload("IMG_0001.HEIC", heic_with_gps(), "image/heic"))
    attachment = ThreadAttachment.objects.get()
    assert attachment.name == "IMG_0001.jpg" and attachment.file.name.endswith(".jpg")
    with attachment.file.open("rb") as handle:
        stored = Image.open(io.BytesIO(handle.read()))
    assert stored.format == "JPEG" and not stored.getexif()


ACTIVE_PDFS = {
    "open-action-js": pdf(
        b"1 0 obj<</Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj"
    ),
    "escaped-name": pdf(b"1 0 obj<</OpenAction<</S/J#61vaScript/J#53(app.alert(1))>>>>endobj"),
    "launch": pdf(b"1 0 obj<</OpenAction<</S/Launch/F(cmd.exe)>>>>endobj"),
    "embedded-file": pdf(b"1 0 obj<</Names<</EmbeddedFiles 2 0 R>>>>endobj"),
    "js-in-object-stream": pdf(
        b"5 0 obj<</Type/ObjStm/N 1/First 4/Filter/FlateDecode/Length 60>>stream\n"
        + zlib.compress(b"1 0 <</S/JavaScript/JS(app.alert(1))>>")
        + b"\nendstream endobj"
    ),
}


@pytest.mark.parametrize("content", ACTIVE_PDFS.values(), ids=ACTIVE_PDFS.keys())
def test_pdf_with_active_content_is_refused(resident_client, premises, content):
    response = send(resident_client, premises, upload("faktura.pdf", content))
    assert "zawiera aktywną treść" in response.content.decode()
    assert not Thread.objects.exists() and not ThreadAttachment.objects.exists()


def test_plain_pdf_and_docx_are_accepted(resident_client, premises):
    text_stream = zlib.compress(b"BT /F1 12 Tf (Umowa najmu) Tj ET")
    plain = pdf(
        b"1 0 obj<</Type/Catalog/OpenAction[3 0 R/Fit]>>endobj\n4 0 obj<</Filter/FlateDecode>>"
        b"stream\n" + text_stream + b"\nendstream endobj"
    )
    send(resident_client, premises, upload("umowa.pdf", plain), upload("wniosek.docx", docx()))
    assert sorted(ThreadAttachment.objects.values_list("name", flat=True)) == [
        "umowa.pdf",
        "wniosek.docx",
    ]


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("strona.pdf", b"<html><script>alert(1)</script></html>", "nie jest dokumentem PDF"),
        ("skan.pdf", docx(), "nie jest dokumentem PDF"),
        ("tabela.xlsx", docx(), "nie jest dokumentem PDF"),
        ("bomba.docx", docx(**{"word/media/a.bin": b"\0" * (60 * 1024 * 1024)}), "zbyt duży"),
        ("ratio.docx", docx(**{"word/media/b.bin": b"\0" * (3 * 1024 * 1024)}), "zbyt duży"),
        ("makro.docx", docx(**{"word/vbaProject.bin": b"VBA"}), "zawiera makra"),
        ("mapa.png", png_header_bomb(), "zbyt dużą rozdzielczość"),
    ],
    ids=["html-as-pdf", "docx-as-pdf", "docx-as-xlsx", "200mb", "ratio", "macros", "png-bomb"],
)
def test_bad_attachment_is_refused_in_polish(resident_client, premises, name, content, error):
    response = send(resident_client, premises, upload(name, content))
    assert error in response.content.decode()
    assert not Thread.objects.exists() and not ThreadAttachment.objects.exists()


def test_photos_are_not_decoded_while_the_message_is_invalid(
    resident_client, premises, monkeypatch
):
    decoded = []
    monkeypatch.setattr("correspondence.forms.process_uploaded_image", decoded.append)
    send(resident_client, premises, upload("a.jpg", jpeg_with_gps()), body="")
    assert decoded == [] and not Thread.objects.exists()


def test_message_body_is_capped_with_a_polish_message(resident_client, resident, premises):
    response = send(resident_client, premises, body="a" * 1_000_000)
    assert (
        "Wiadomość może mieć najwyżej 5000 znaków (teraz ma 1000000)" in response.content.decode()
    )
    assert not Thread.objects.exists()
    thread = thread_start(user=resident, premises=premises, subject="T", body="Treść.")
    url = reverse("correspondence:thread", args=[thread.pk])
    response = resident_client.post(url, {"body": "b" * 5001})
    assert "najwyżej 5000 znaków" in response.content.decode()
    assert thread.messages.count() == 1


def test_attachment_downloads_under_its_original_name(resident_client, premises):
    send(resident_client, premises, upload("Umowa najmu – Łódź.pdf", PDF_BYTES))
    attachment = ThreadAttachment.objects.get()
    assert "Umowa" not in attachment.file.name  # stored under a random name
    response = resident_client.get(
        reverse(
            "correspondence:thread_attachment",
            args=[attachment.message.thread_id, attachment.pk],
        )
    )
    b"".join(response.streaming_content)
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert "filename*=UTF-8''Umowa%20najmu%20%E2%80%93%20%C5%81%C3%B3d%C5%BA.pdf" in disposition
    assert 'filename="Umowa najmu - Lodz.pdf"' in disposition


def test_letter_attachment_named_without_extension_downloads_with_it(
    resident_client, resident, premises
):
    letter = make_letter(premises=premises, recipient=resident, attachment=("x.pdf", PDF_BYTES))
    attachment = letter.attachments.get()
    attachment.name = "Zawiadomienie o opłatach 2026"
    attachment.save()
    response = resident_client.get(
        reverse("correspondence:letter_attachment", args=[letter.pk, attachment.pk])
    )
    b"".join(response.streaming_content)
    assert "Zawiadomienie%20o%20op%C5%82atach%202026.pdf" in response["Content-Disposition"]
