import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from failures.models import FailurePhoto, FailureReport
from portal import images
from tests.factories import jpeg_bytes, upload

from ..factories import PremisesFactory

pytestmark = pytest.mark.django_db

URL = "/awarie/zglos/"


def form_data(place, **extra):
    return {
        "place": place,
        "description": "Nie działa oświetlenie na klatce schodowej, 2. piętro.",
        "contact_phone": "601 200 300",
        **extra,
    }


def test_form_offers_own_premises_and_common_part_and_prefills_phone(
    resident_client, resident, premises, building, neighbour
):
    garage = PremisesFactory(building=building, number="G3", kind="garage")
    resident.ownerships.create(premises=garage, role="owner", valid_from="2020-01-01")
    response = resident_client.get(URL)
    content = response.content.decode()
    assert "Dotyczy" in content and "Opis zgłoszenia" in content
    assert "Nie podawaj danych osobowych" in content
    assert "Telefon kontaktowy" in content and 'value="+48 601 200 300"' in content
    assert "multiple" in content and 'enctype="multipart/form-data"' in content
    choices = dict(response.context["form"].fields["place"].choices)[building.address]
    labels = [str(label) for _value, label in choices]
    assert labels[0] == "lokal 12" and labels[1] == "lokal G3 (garaż)"
    assert labels[2].startswith("część wspólna budynku")
    assert "lokal 14" not in content


def test_report_with_photo_gets_a_number_and_loses_gps_metadata(
    resident_client, resident, building, premises
):
    source = jpeg_bytes(gps=True)
    assert Image.open(io.BytesIO(source)).getexif().get_ifd(0x8825)
    response = resident_client.post(
        URL,
        form_data(f"lokal-{premises.pk}", photos=[upload(source), upload(jpeg_bytes(), "b.png")]),
        follow=True,
    )
    report = FailureReport.objects.get()
    content = response.content.decode()
    assert f"przyjęliśmy zgłoszenie nr {report.number}" in content
    assert report.number.startswith("AW/")
    assert (report.building, report.premises, report.reporter) == (building, premises, resident)
    assert report.contact_phone == "+48601200300"  # E.164
    assert report.photos.count() == 2
    for photo in report.photos.all():
        for stored in (photo.image, photo.thumbnail):
            with stored.open("rb") as handle:
                img = Image.open(io.BytesIO(handle.read()))
            assert img.format == "JPEG" and not img.getexif() and "exif" not in img.info
        assert photo.image.name.startswith("failures/photos/")
        assert "zdjecie" not in photo.image.name
        assert not photo.added_by_office


def test_report_about_the_common_part(resident_client, building):
    resident_client.post(URL, form_data(f"budynek-{building.pk}"))
    report = FailureReport.objects.get()
    assert report.building == building and report.premises is None


def _post_refused(client, premises, photo):
    response = client.post(URL, form_data(f"lokal-{premises.pk}", photos=[photo]))
    assert response.status_code == 200
    assert not FailureReport.objects.exists() and not FailurePhoto.objects.exists()
    content = response.content.decode()
    # The rest of the form keeps what the user typed.
    assert "Nie działa oświetlenie na klatce schodowej, 2. piętro." in content
    assert 'value="601 200 300"' in content
    assert "Wybierz zdjęcia ponownie" in content
    return content


def test_text_file_renamed_jpg_is_refused(resident_client, premises):
    fake = SimpleUploadedFile("awaria.jpg", b"to nie jest zdjecie\n" * 50, "image/jpeg")
    content = _post_refused(resident_client, premises, fake)
    assert "nie jest obrazem" in content and "awaria.jpg" in content


def test_oversized_photo_is_refused(resident_client, premises, monkeypatch):
    monkeypatch.setattr(images, "MAX_UPLOAD_BYTES", 1000)
    content = _post_refused(resident_client, premises, upload())
    assert "Zdjęcie jest za duże" in content


def test_decompression_bomb_is_refused(resident_client, premises):
    buffer = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(buffer, format="PNG")  # 100 Mpx in a few kB
    bomb = SimpleUploadedFile("bomba.png", buffer.getvalue(), "image/png")
    content = _post_refused(resident_client, premises, bomb)
    assert "zbyt dużą rozdzielczość" in content


def test_one_bad_photo_among_good_ones_saves_nothing(resident_client, premises):
    photos = [upload(), SimpleUploadedFile("x.jpg", b"GIF89a-nie", "image/jpeg"), upload()]
    response = resident_client.post(URL, form_data(f"lokal-{premises.pk}", photos=photos))
    assert "nie jest obrazem" in response.content.decode()
    assert not FailureReport.objects.exists() and not FailurePhoto.objects.exists()


def test_too_many_photos_are_refused(resident_client, premises):
    photos = [upload() for _ in range(6)]
    response = resident_client.post(URL, form_data(f"lokal-{premises.pk}", photos=photos))
    assert "najwyżej 5 zdjęć" in response.content.decode()
    assert not FailureReport.objects.exists()


@pytest.mark.parametrize("phone", ["12345", "0601200300", "+49 601 200 300", "telefon", ""])
def test_invalid_phone_is_refused(resident_client, premises, phone):
    response = resident_client.post(URL, form_data(f"lokal-{premises.pk}", contact_phone=phone))
    assert response.status_code == 200
    content = response.content.decode()
    assert (
        "Podaj prawidłowy numer telefonu" in content
        or "Uzupełnij pole „Telefon kontaktowy”." in content
    )
    assert not FailureReport.objects.exists()


@pytest.mark.parametrize("phone", ["+48 601-200-300", "0048601200300", "601200300"])
def test_phone_formats_are_normalised(resident_client, premises, phone):
    resident_client.post(URL, form_data(f"lokal-{premises.pk}", contact_phone=phone))
    assert FailureReport.objects.get().contact_phone == "+48601200300"  # E.164


def test_short_description_is_refused(resident_client, premises):
    response = resident_client.post(URL, form_data(f"lokal-{premises.pk}", description="zle"))
    assert "co najmniej 10" in response.content.decode()
    assert not FailureReport.objects.exists()


def test_other_peoples_premises_and_buildings_cannot_be_chosen(
    resident_client, neighbour, stranger, other_building_resident
):
    neighbour_flat = neighbour.ownerships.get().premises
    for place in (
        f"lokal-{neighbour_flat.pk}",
        f"budynek-{stranger.ownerships.get().premises.building_id}",
        f"budynek-{other_building_resident.ownerships.get().premises.building_id}",
        "budynek-abc",
    ):
        response = resident_client.post(URL, form_data(place))
        assert response.status_code == 200
        assert "Wybierz poprawną wartość" in response.content.decode()
    assert not FailureReport.objects.exists()


def test_reporting_switched_off_for_the_community(resident_client, community, neighbour_report):
    community.failure_reports_enabled = False
    community.save()
    listing = resident_client.get("/awarie/").content.decode()
    assert neighbour_report.number in listing  # existing reports stay visible
    assert "Zgłoś awarię" not in listing
    response = resident_client.get(URL, follow=True)
    assert "nie jest dostępne dla Twoich lokali" in response.content.decode()
    resident_client.post(URL, form_data(f"budynek-{community.buildings.get().pk}"))
    assert FailureReport.objects.count() == 1


def test_user_without_premises_cannot_report(client, django_user_model):
    from ..factories import UserFactory

    client.force_login(UserFactory())
    response = client.get(URL, follow=True)
    assert "nie jest dostępne" in response.content.decode()
    assert "nie zgłoszono jeszcze żadnej awarii" in response.content.decode()
