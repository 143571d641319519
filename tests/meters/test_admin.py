"""Office side: scoped lists, residents' readings with photos, replacement, import, export."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from meters.models import Meter, Reading
from meters.services import meter_replace, reading_submit
from office.roles import roles_sync_user
from premises.models import CommunityRole
from tests.factories import MeterFactory, ReadingFactory, UserFactory

D = datetime.date


@pytest.fixture
def office(community):
    user = UserFactory(is_staff=True, is_superuser=True)
    return user


@pytest.fixture
def office_client(client, office):
    client.force_login(office)
    return client


@pytest.fixture
def staff_client(client, community):
    """Office staff assigned to the resident's community only."""
    user = UserFactory(is_staff=True)
    CommunityRole.objects.create(
        user=user, community=community, role=CommunityRole.Role.OFFICE_STAFF
    )
    roles_sync_user(user=user)
    client.force_login(user)
    return client


@pytest.fixture
def board_client(client, community):
    user = UserFactory(is_staff=True)
    CommunityRole.objects.create(user=user, community=community, role=CommunityRole.Role.BOARD)
    roles_sync_user(user=user)
    client.force_login(user)
    return client


def csv_upload(text, name="odczyty.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_admin_lists_residents_readings_with_photo(today, office_client, resident, meter):
    buffer = io.BytesIO()
    Image.new("RGB", (200, 200), "red").save(buffer, format="JPEG")
    photo = SimpleUploadedFile("a.jpg", buffer.getvalue(), content_type="image/jpeg")
    reading = reading_submit(
        user=resident, meter=meter, value=Decimal(3), read_on=today, photo=photo
    )
    page = office_client.get(
        reverse("admin:meters_reading_changelist") + "?source__exact=resident"
    ).content.decode()
    assert "ZW-12345" in page and "mieszkaniec" in page
    thumb_url = reverse("admin:meters_reading_thumbnail", args=[reading.pk])
    assert thumb_url in page
    response = office_client.get(thumb_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    for close in response._resource_closers:  # response.close() would fire request_finished
        close()


def test_staff_sees_only_own_community(today, staff_client, meter, stranger):
    other = MeterFactory(premises=stranger.ownerships.get().premises, serial_number="OBCY-9")
    page = staff_client.get(reverse("admin:meters_meter_changelist")).content.decode()
    assert "ZW-12345" in page and "OBCY-9" not in page
    reading = ReadingFactory(meter=other)
    assert (
        staff_client.get(reverse("admin:meters_reading_photo", args=[reading.pk])).status_code
        == 404
    )


def test_resident_cannot_open_admin_photo(today, resident_client, meter):
    reading = ReadingFactory(meter=meter)
    response = resident_client.get(reverse("admin:meters_reading_photo", args=[reading.pk]))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_office_adds_reading_with_the_same_rules(today, office_client, office, meter):
    ReadingFactory(meter=meter, read_on=D(2025, 4, 1), value=Decimal(50))
    url = reverse("admin:meters_reading_add")
    response = office_client.post(url, {"meter": meter.pk, "read_on": "2025-05-01", "value": "40"})
    assert "niższy od poprzedniego odczytu" in response.content.decode()
    office_client.post(url, {"meter": meter.pk, "read_on": "2025-05-01", "value": "55"})
    added = Reading.objects.get(value=55)
    assert added.source == Reading.Source.OFFICE and added.submitted_by == office


def test_office_cannot_add_a_reading_after_the_meter_was_removed(today, office_client, meter):
    # A replaced meter's series ends on its removal day; the new meter starts the next one.
    meter.removed_on = D(2025, 5, 10)
    meter.save()
    url = reverse("admin:meters_reading_add")
    response = office_client.post(url, {"meter": meter.pk, "read_on": "2025-05-11", "value": "5"})
    assert "Licznik zdemontowano 10.05.2025" in response.content.decode()
    office_client.post(url, {"meter": meter.pk, "read_on": "2025-05-10", "value": "5"})
    assert list(Reading.objects.values_list("read_on", flat=True)) == [D(2025, 5, 10)]


def test_replace_action_ends_series_and_starts_new_meter(today, office_client, meter):
    ReadingFactory(meter=meter, read_on=D(2025, 4, 25), value=Decimal(300))
    url = reverse("admin:meters_meter_changelist")
    form = office_client.post(url, {"action": "replace_meter", "_selected_action": [meter.pk]})
    assert "Wymiana licznika" in form.content.decode()
    response = office_client.post(
        url,
        {
            "action": "replace_meter",
            "_selected_action": [meter.pk],
            "apply": "1",
            "removed_on": "10.05.2025",
            "final_value": "310,5",
            "serial_number": "ZW-NOWY",
            "initial_reading": "0",
        },
    )
    assert response.status_code == 302
    new = Meter.objects.get(serial_number="ZW-NOWY")
    meter.refresh_from_db()
    assert meter.removed_on == D(2025, 5, 10) and new.replaces == meter


def test_replace_action_refuses_a_date_before_the_last_reading(today, office_client, meter):
    ReadingFactory(meter=meter, read_on=D(2025, 5, 20), value=Decimal(300))
    response = office_client.post(
        reverse("admin:meters_meter_changelist"),
        {
            "action": "replace_meter",
            "_selected_action": [meter.pk],
            "apply": "1",
            "removed_on": "10.05.2025",
            "serial_number": "ZW-NOWY",
            "initial_reading": "0",
        },
    )
    assert "późniejszy niż data wymiany" in response.content.decode()
    assert not Meter.objects.filter(serial_number="ZW-NOWY").exists()


def test_import_preview_then_apply(today, office_client, premises):
    remote = MeterFactory(premises=premises, serial_number="CP-1", is_remote_read=True)
    ReadingFactory(meter=remote, read_on=D(2025, 3, 31), value=Decimal(10))
    text = "numer_licznika;data_odczytu;stan\nCP-1;30.04.2025;11,5\nCP-1;2025-05-20;12\n"
    url = reverse("admin:meters_reading_import")
    preview = office_client.post(url, {"file": csv_upload(text)})
    page = preview.content.decode()
    assert "Nowe odczyty: 2" in page and "Zatwierdź import" in page
    assert Reading.objects.count() == 1  # the preview saved nothing
    token = preview.context["token"]
    response = office_client.post(url, {"token": token})
    assert response.status_code == 302
    assert list(
        remote.readings.filter(source=Reading.Source.REMOTE).values_list("value", flat=True)
    ) == [Decimal(12), Decimal("11.5")]
    # The same file again: rows already stored are skipped, nothing duplicated.
    office_client.post(url, {"token": token})
    assert remote.readings.count() == 3


def test_import_with_one_bad_row_saves_nothing(today, office_client, premises):
    MeterFactory(premises=premises, serial_number="CP-1", is_remote_read=True)
    text = (
        "numer_licznika;data_odczytu;stan\n"
        "CP-1;2025-04-30;11\n"
        "CP-1;2025-05-20;9\n"  # lower than the row before
        "NIEZNANY;2025-05-20;1\n"
        "CP-1;2025-13-01;1\n"
    )
    response = office_client.post(
        reverse("admin:meters_reading_import"), {"file": csv_upload(text)}
    )
    page = response.content.decode()
    assert "niższy od poprzedniego odczytu" in page
    assert "Nie ma licznika o tym numerze" in page
    assert "Nieprawidłowa data" in page
    assert "Zatwierdź import" not in page
    assert not Reading.objects.exists()


def test_import_refuses_a_tampered_token_and_binary_files(today, office_client):
    url = reverse("admin:meters_reading_import")
    response = office_client.post(url, {"token": "sfałszowany"})
    assert response.status_code == 302
    binary = SimpleUploadedFile("x.csv", b"\x00\x01\x02", content_type="text/csv")
    page = office_client.post(url, {"file": binary}).content.decode()
    assert "To nie jest plik tekstowy CSV ani arkusz XLSX." in page
    page = office_client.post(url, {"file": csv_upload("a;b\n1;2\n")}).content.decode()
    assert "numer_licznika; data_odczytu; stan" in page


@pytest.mark.parametrize(
    "value,message",
    [
        ("1e309", "Stan licznika: „1e309” nie jest liczbą."),
        ("1" * 40, "jest za duża"),
        ("inf", "nie jest liczbą"),
        ("NaN", "nie jest liczbą"),
        ("-5", "nie jest liczbą"),
        ("12,12345", "za dużo miejsc po przecinku"),
    ],
)
def test_import_of_impossible_values_is_a_row_error(today, office_client, premises, value, message):
    MeterFactory(premises=premises, serial_number="CP-1", is_remote_read=True)
    text = f"numer_licznika;data_odczytu;stan\nCP-1;2025-05-20;{value}\n"
    response = office_client.post(
        reverse("admin:meters_reading_import"), {"file": csv_upload(text)}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "Zatwierdź import" not in page
    assert not Reading.objects.exists()


def test_import_of_unreadable_files_is_a_polish_file_error(today, office_client):
    url = reverse("admin:meters_reading_import")
    huge = 'numer_licznika;data_odczytu;stan\nCP-1;2025-05-20;"' + "1" * 140_000 + '"\n'
    page = office_client.post(url, {"file": csv_upload(huge)}).content.decode()
    assert "pole jest za długie (ponad 128 KiB)" in page
    broken = SimpleUploadedFile("o.xlsx", b"PK\x03\x04zepsuty")
    page = office_client.post(url, {"file": broken}).content.decode()
    assert "Nie można odczytać pliku XLSX" in page


def test_import_reads_bare_cr_cp1250_and_xlsx(today, office_client, premises):
    from openpyxl import Workbook

    remote = MeterFactory(premises=premises, serial_number="ŁZ-1", is_remote_read=True)
    url = reverse("admin:meters_reading_import")
    text = 'numer licznika,data odczytu,stan\rŁZ-1,2025-04-30,"11,5"\r'
    upload = SimpleUploadedFile("mac.csv", text.encode("cp1250"))
    token = office_client.post(url, {"file": upload}).context["token"]
    assert token
    book = Workbook()
    book.active.append(["numer_licznika", "data_odczytu", "stan"])
    book.active.append(["ŁZ-1", "2025-05-20", 12.25])
    out = io.BytesIO()
    book.save(out)
    page = office_client.post(url, {"file": SimpleUploadedFile("o.xlsx", out.getvalue())})
    assert "Nowe odczyty: 1" in page.content.decode()
    office_client.post(url, {"token": token})
    assert list(remote.readings.values_list("value", flat=True)) == [Decimal("11.5")]


def test_import_confirmation_is_single_use(today, office_client, premises):
    remote = MeterFactory(premises=premises, serial_number="CP-1", is_remote_read=True)
    url = reverse("admin:meters_reading_import")
    text = "numer_licznika;data_odczytu;stan\nCP-1;2025-05-20;12\n"
    token = office_client.post(url, {"file": csv_upload(text)}).context["token"]
    office_client.post(url, {"token": token})
    remote.readings.update(is_current=False)  # even after the office invalidated them
    response = office_client.post(url, {"token": token}, follow=True)
    assert "Ten import został już zatwierdzony" in response.content.decode()
    assert remote.readings.count() == 1


def test_import_skips_meters_of_other_communities(today, staff_client, stranger):
    MeterFactory(premises=stranger.ownerships.get().premises, serial_number="OBCY-1")
    text = "numer_licznika;data_odczytu;stan\nOBCY-1;2025-05-20;5\n"
    page = staff_client.post(
        reverse("admin:meters_reading_import"), {"file": csv_upload(text)}
    ).content.decode()
    assert "Nie ma licznika o tym numerze" in page
    assert not Reading.objects.exists()


def test_export_of_a_period_for_billing(today, office_client, community, premises, meter):
    ReadingFactory(meter=meter, read_on=D(2025, 4, 25), value=Decimal("100.5"))
    ReadingFactory(meter=meter, read_on=D(2025, 5, 21), value=Decimal("104.25"))
    ReadingFactory(meter=meter, read_on=D(2025, 6, 13), value=Decimal("108"))  # next period
    old = ReadingFactory(meter=meter, read_on=D(2025, 5, 22), value=Decimal("104.3"))
    old.is_current = False
    old.save()
    response = office_client.get(
        reverse("admin:meters_reading_export"), {"community": community.pk, "month": "2025-05"}
    )
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("budynek;lokal;rodzaj;numer_licznika")
    assert len(lines) == 2
    assert "ZW-12345" in lines[1] and "2025-05-21;104,250;100,500;3,750" in lines[1]


def test_export_keeps_a_replaced_meters_final_reading_taken_between_windows(
    today, office_client, community, meter
):
    # The April window closed on 12.05 and May's opens on 20.05: the meter replaced on 15.05
    # settles May (as on the meter's chart); left out, its 5,5 m³ were in no export at all.
    ReadingFactory(meter=meter, read_on=D(2025, 4, 25), value=Decimal(300))
    new = meter_replace(
        meter=meter,
        removed_on=D(2025, 5, 15),
        final_value=Decimal("305.5"),
        serial_number="ZW-NOWY",
        initial_reading=Decimal(0),
    )
    ReadingFactory(meter=new, read_on=D(2025, 5, 25), value=Decimal(2))
    response = office_client.get(
        reverse("admin:meters_reading_export"), {"community": community.pk, "month": "2025-05"}
    )
    lines = response.content.decode("utf-8-sig").strip().splitlines()[1:]
    assert len(lines) == 2
    assert any("ZW-12345" in line and "2025-05-15;305,500;300,000;5,500" in line for line in lines)
    assert any("ZW-NOWY" in line and "2025-05-25;2,000;0,000;2,000" in line for line in lines)
    april = office_client.get(
        reverse("admin:meters_reading_export"), {"community": community.pk, "month": "2025-04"}
    )
    assert "2025-05-15" not in april.content.decode("utf-8-sig")


def test_board_member_has_no_meters_admin(today, board_client, meter):
    assert board_client.get(reverse("admin:meters_meter_changelist")).status_code == 403
    assert board_client.get(reverse("admin:meters_reading_export")).status_code == 403


def test_export_form_lists_only_own_communities(today, staff_client, stranger):
    page = staff_client.get(reverse("admin:meters_reading_export")).content.decode()
    assert "WM Obca" not in page
    other = stranger.ownerships.get().premises.building.community
    response = staff_client.get(
        reverse("admin:meters_reading_export"), {"community": other.pk, "month": "2025-05"}
    )
    assert "text/csv" not in response["Content-Type"]


def test_an_edit_keeps_the_meter_consistent_with_its_readings(today, meter):
    """Editing a meter's dates or initial reading past its readings would give readings
    outside its series or a negative consumption: refused, with the reading named."""
    from django.core.exceptions import ValidationError

    ReadingFactory(meter=meter, read_on=D(2025, 2, 25), value=Decimal("10.5"))
    ReadingFactory(meter=meter, read_on=D(2025, 3, 25), value=Decimal(20))
    meter.installed_on, meter.removed_on = D(2025, 3, 1), D(2025, 3, 1)
    meter.initial_reading = Decimal(15)
    with pytest.raises(ValidationError) as refused:
        meter.full_clean()
    assert refused.value.message_dict == {
        "installed_on": ["Licznik ma odczyt z 25.02.2025; nie mógł zostać zamontowany później."],
        "removed_on": ["Licznik ma odczyt z 25.03.2025; nie mógł zostać zdemontowany wcześniej."],
        "initial_reading": ["Stan początkowy nie może być wyższy od odczytu licznika (10,500)."],
    }
    meter.refresh_from_db()
    meter.location, meter.removed_on = "Kuchnia", D(2025, 3, 25)
    meter.full_clean()  # the last reading's day is the removal day: the final reading


def test_import_of_an_excel_sheet_with_date_cells(today, office_client, premises):
    from openpyxl import Workbook

    remote = MeterFactory(premises=premises, serial_number="CW-7", is_remote_read=True)
    book = Workbook()
    book.active.append(["Numer licznika", "Data odczytu", "Stan"])
    book.active.append(["CW-7", datetime.datetime(2025, 5, 20), 12.25])  # a real Excel date
    out = io.BytesIO()
    book.save(out)
    url = reverse("admin:meters_reading_import")
    page = office_client.post(url, {"file": SimpleUploadedFile("o.xlsx", out.getvalue())})
    assert "Nowe odczyty: 1" in page.content.decode()
    office_client.post(url, {"token": page.context["token"]})
    assert list(remote.readings.values_list("read_on", "value")) == [
        (D(2025, 5, 20), Decimal("12.25"))
    ]


def test_import_of_a_remote_reading_system_export_with_timestamps(today, office_client, premises):
    remote = MeterFactory(premises=premises, serial_number="CW-8", is_remote_read=True)
    text = (
        "Nr licznika;Data odczytu;Odczyt\nCW-8;30.04.2025 23:59;11,5\nCW-8;2025-05-20 06:00:00;12\n"
    )
    url = reverse("admin:meters_reading_import")
    page = office_client.post(url, {"file": csv_upload(text)})
    assert "Nowe odczyty: 2" in page.content.decode()
    office_client.post(url, {"token": page.context["token"]})
    assert sorted(remote.readings.values_list("read_on", flat=True)) == [
        D(2025, 4, 30),
        D(2025, 5, 20),
    ]


def test_invalidating_a_reading_is_recorded_and_shown_to_the_resident(
    today, office_client, office, resident, meter
):
    reading = reading_submit(user=resident, meter=meter, value=Decimal(3), read_on=today)
    records = reading.history.count()
    response = office_client.post(
        reverse("admin:meters_reading_changelist"),
        {"action": "invalidate", "_selected_action": [reading.pk]},
        follow=True,
    )
    assert "Unieważniono odczytów: 1." in response.content.decode()
    reading.refresh_from_db()
    assert not reading.is_current
    assert reading.invalidated_at is not None and reading.invalidated_by == office
    # The history (the admin's "Historia" and the API's "updated since") has the change.
    latest = reading.history.latest()
    assert reading.history.count() == records + 1
    assert latest.history_user == office and not latest.is_current
    assert latest.history_date == reading.invalidated_at
    # Invalidating again changes nothing and records nothing.
    office_client.post(
        reverse("admin:meters_reading_changelist"),
        {"action": "invalidate", "_selected_action": [reading.pk]},
    )
    assert reading.history.count() == records + 1
    resident_client = Client()
    resident_client.force_login(resident)
    page = resident_client.get(reverse("meters:detail", args=[meter.pk])).content.decode()
    assert "Odczyty unieważnione przez biuro" in page
    invalidated_on = timezone.localtime(reading.invalidated_at).strftime("%d.%m.%Y")
    assert f"unieważniony {invalidated_on}" in page
    assert "Ten licznik nie ma jeszcze odczytów." in page  # no longer in the history


def _dashboard_value(content, label):
    match = re.search(
        rf">{re.escape(label)}(?:</a>)?</th>\s*<td class=\"office-value\">([^<]+)<", content
    )
    assert match, f"{label!r} not on the dashboard"
    return match.group(1).strip()


def test_dashboard_counts_readings_in_each_communitys_own_window(
    freeze_today, office_client, community, meter, stranger
):
    freeze_today(D(2025, 5, 25))
    # The resident's community takes readings 1–10 of each month: its last window, 1–10 May,
    # closed; the stranger's keeps 20 → 12, open since 20 May.
    community.reading_window_start_day, community.reading_window_end_day = 1, 10
    community.save()
    ReadingFactory(meter=meter, read_on=D(2025, 5, 5), value=Decimal(5))
    theirs = stranger.ownerships.get().premises
    ReadingFactory(meter=MeterFactory(premises=theirs), read_on=D(2025, 5, 21))
    ReadingFactory(meter=MeterFactory(premises=theirs), read_on=D(2025, 5, 5))  # the window before
    content = office_client.get("/admin/").content.decode()
    assert _dashboard_value(content, "liczniki z odczytem") == "2 / 3"
    assert _dashboard_value(content, "bez odczytu") == "1"
    assert "Odczyty liczników w ostatnim oknie każdej wspólnoty" in content


def test_dashboard_names_the_communitys_own_window(freeze_today, staff_client, community, meter):
    freeze_today(D(2025, 5, 25))
    community.reading_window_start_day, community.reading_window_end_day = 1, 10
    community.save()
    ReadingFactory(meter=meter, read_on=D(2025, 5, 5), value=Decimal(5))
    content = staff_client.get("/admin/").content.decode()
    assert "Odczyty liczników 01.05–10.05.2025" in content
    assert _dashboard_value(content, "liczniki z odczytem") == "1 / 1"


def test_import_finds_a_serial_whose_leading_zeros_excel_dropped(today, office_client, premises):
    """Opened and saved in Excel, "00012345" becomes the number 12345: still that meter."""
    from openpyxl import Workbook

    remote = MeterFactory(premises=premises, serial_number="00012345", is_remote_read=True)
    MeterFactory(premises=premises, serial_number="12346", is_remote_read=True)
    book = Workbook()
    book.active.append(["Numer licznika", "Data odczytu", "Stan"])
    book.active.append([12345, datetime.datetime(2025, 5, 20), 12.25])
    out = io.BytesIO()
    book.save(out)
    url = reverse("admin:meters_reading_import")
    page = office_client.post(url, {"file": SimpleUploadedFile("o.xlsx", out.getvalue())})
    assert "Nowe odczyty: 1" in page.content.decode()
    office_client.post(url, {"token": page.context["token"]})
    assert list(remote.readings.values_list("read_on", "value")) == [
        (D(2025, 5, 20), Decimal("12.25"))
    ]
    # The same reading again, now with the serial as the system wrote it: nothing added.
    text = "numer_licznika;data_odczytu;stan\n00012345;2025-05-20;12,25\n"
    page = office_client.post(url, {"file": csv_upload(text)})
    assert "Nowe odczyty: 0" in page.content.decode()
    assert remote.readings.count() == 1


def test_import_refuses_a_serial_that_names_two_meters_without_its_zeros(
    today, office_client, premises
):
    MeterFactory(premises=premises, serial_number="0012345", is_remote_read=True)
    MeterFactory(premises=premises, serial_number="012345", is_remote_read=True)
    text = "numer_licznika;data_odczytu;stan\n12345;2025-05-20;12\n"
    page = office_client.post(reverse("admin:meters_reading_import"), {"file": csv_upload(text)})
    assert "kilka liczników" in page.content.decode()
    assert not Reading.objects.exists()


def test_import_reads_every_date_form_of_the_other_imports(today, office_client, premises):
    """Day numbers of a "General" Excel cell, dd/mm/yyyy, ISO with "T": one date rule."""
    remote = MeterFactory(premises=premises, serial_number="CW-9", is_remote_read=True)
    text = (
        "numer_licznika;data_odczytu;stan\n"
        "CW-9;45777;10\n"  # 30.04.2025 as Excel's day number
        "CW-9;10/05/2025;11\n"
        "CW-9;2025-05-20T06:00:00;12\n"
    )
    url = reverse("admin:meters_reading_import")
    page = office_client.post(url, {"file": csv_upload(text)})
    assert "Nowe odczyty: 3" in page.content.decode()
    office_client.post(url, {"token": page.context["token"]})
    assert sorted(remote.readings.values_list("read_on", flat=True)) == [
        D(2025, 4, 30),
        D(2025, 5, 10),
        D(2025, 5, 20),
    ]
