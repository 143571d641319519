"""The Liczniki tab as a resident sees it: list, meter page, adding and correcting readings."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from meters.models import Reading
from tests.factories import (
    BuildingFactory,
    CommunityFactory,
    MeterFactory,
    OwnershipFactory,
    PremisesFactory,
    ReadingFactory,
    monthly_readings,
)
from tests.utils import count_queries

D = datetime.date


def add_url(meter):
    return reverse("meters:reading_add", args=[meter.pk])


def detail_url(meter):
    return reverse("meters:detail", args=[meter.pk])


def post_reading(client, meter, value, read_on="2025-05-25", **extra):
    return client.post(add_url(meter), {"read_on": read_on, "value": value, **extra})


# --- List -----------------------------------------------------------------------------------


def test_list_shows_meters_with_last_reading(today, resident_client, premises, meter):
    ReadingFactory(meter=meter, read_on=D(2025, 4, 24), value=Decimal("123.456"))
    MeterFactory(
        premises=premises,
        kind="heat",
        unit="GJ",
        serial_number="CP-777",
        is_remote_read=True,
        location="salon",
    )
    page = resident_client.get("/liczniki/").content.decode()
    assert "Zimna woda" in page and "ZW-12345" in page and "łazienka" in page
    assert "123,456 m³" in page and "24.04.2025" in page
    assert "CP-777" in page and "odczyt zdalny" in page and "GJ" in page
    assert "Trwa okres podawania odczytów – do 12.06.2025" in page
    # One "Dodaj odczyt" button: the remote-read meter has none.
    assert page.count(">Dodaj odczyt<") == 1


def test_list_says_when_the_window_opens(freeze_today, resident_client, meter):
    freeze_today(D(2025, 5, 15))
    page = resident_client.get("/liczniki/").content.decode()
    assert "Odczyty liczników przyjmujemy od 20.05.2025 do" in page
    assert ">Dodaj odczyt<" not in page


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2025, 5, 31), "od 01.06.2025 do 10.06.2025"),  # the day before (31-day May)
        (D(2025, 6, 1), "Trwa okres podawania odczytów – do 10.06.2025"),
        (D(2025, 6, 10), "Trwa okres podawania odczytów – do 10.06.2025"),
        (D(2025, 6, 11), "od 01.07.2025 do 10.07.2025"),  # the day after
        (D(2025, 2, 28), "od 01.03.2025 do 10.03.2025"),  # 28-day February
        (D(2024, 2, 29), "od 01.03.2024 do 10.03.2024"),  # 29-day February
        (D(2025, 4, 30), "od 01.05.2025 do 10.05.2025"),  # 30-day April
    ],
)
def test_window_inside_one_month_opens_and_closes_that_month(
    freeze_today, resident_client, meter, today, expected
):
    community = meter.premises.building.community
    community.reading_window_start_day, community.reading_window_end_day = 1, 10
    community.save()
    freeze_today(today)
    is_open = expected.startswith("Trwa")
    page = resident_client.get("/liczniki/").content.decode()
    assert expected in page
    page = resident_client.get(add_url(meter)).content.decode()
    assert ("Zapisz odczyt" in page) is is_open
    if not is_open:
        assert expected in page
    response = post_reading(resident_client, meter, "5", read_on=today.isoformat())
    assert Reading.objects.exists() is is_open, response.content.decode()


def test_list_empty_state(today, resident_client):
    page = resident_client.get("/liczniki/").content.decode()
    assert "nie ma jeszcze zarejestrowanych liczników" in page


def test_list_hides_other_residents_meters(today, resident_client, neighbour, stranger):
    MeterFactory(premises=neighbour.ownerships.get().premises, serial_number="SASIAD-1")
    MeterFactory(premises=stranger.ownerships.get().premises, serial_number="OBCY-1")
    page = resident_client.get("/liczniki/").content.decode()
    assert "SASIAD-1" not in page and "OBCY-1" not in page


@pytest.mark.parametrize("meters", [1, 12])
def test_list_runs_a_fixed_number_of_queries(today, resident_client, resident, meters):
    # the session with its user, count for pagination, the meters with their last reading
    # (subqueries), the company in the footer. Nothing per meter, premises or reading.
    building = resident.ownerships.get().premises.building
    for index in range(meters):
        premises = PremisesFactory(building=building, number=f"M{index}")
        OwnershipFactory(user=resident, premises=premises)
        meter = MeterFactory(premises=premises)
        monthly_readings(meter, months=1 + index % 4)
    assert count_queries(resident_client, "/liczniki/") == 4


# --- Meter page -----------------------------------------------------------------------------


def test_meter_page_shows_history_consumption_and_chart(today, resident_client, meter):
    monthly_readings(meter, start=Decimal(100), step=Decimal("3.5"), months=4)  # 100 … 110.5
    page = resident_client.get(detail_url(meter)).content.decode()
    assert "Historia odczytów" in page
    assert "110,500" in page and "3,500" in page
    # The first reading is compared with the initial reading (0).
    assert "100,000" in page
    assert "<svg" in page and "<desc" in page and "Zużycie w tabeli" in page
    assert "Kwiecień 2025: 3,500 m³" in page or "kwiecień 2025: 3,500 m³" in page.lower()
    assert 'style="' not in page


def test_meter_page_consumption_starts_from_initial_reading(today, resident_client, premises):
    meter = MeterFactory(premises=premises, initial_reading=Decimal("40"), decimal_places=1)
    ReadingFactory(meter=meter, read_on=D(2025, 4, 25), value=Decimal("42.5"))
    page = resident_client.get(detail_url(meter)).content.decode()
    assert "42,5" in page and ">2,5<" in page


@pytest.mark.parametrize("readings", [1, 30])
def test_meter_page_runs_a_fixed_number_of_queries(today, resident_client, meter, readings):
    for index in range(readings):
        ReadingFactory(
            meter=meter,
            read_on=D(2025, 5, 20) - datetime.timedelta(days=30 * index),
            value=Decimal(500 - index),
        )
    # the session with its user, the meter (with replaces / replaced_by), the holding start,
    # the readings (LAG) shared by the history's page and the chart, the company in the footer.
    assert count_queries(resident_client, detail_url(meter)) == 5


def test_meter_page_pages_the_history_and_charts_every_reading(today, resident_client, meter):
    # 30 monthly readings (11.2022–04.2025): 24 on page 1, the 6 oldest on page 2; the chart
    # covers the last 12 months on both pages.
    monthly_readings(meter, start=Decimal(100), step=Decimal(2), months=30)
    first = resident_client.get(detail_url(meter)).content.decode()
    second = resident_client.get(detail_url(meter) + "?page=2").content.decode()
    assert "Strona 1 z 2" in first and "Strona 2 z 2" in second
    assert "25.04.2025" in first and "25.05.2023" in first and "25.04.2023" not in first
    assert "25.04.2023" in second and "25.11.2022" in second and "25.05.2023" not in second
    for page in (first, second):
        assert "Zużycie w ostatnich 12 miesiącach: łącznie 22,000 m³." in page


def test_meter_page_has_no_add_button_for_remote_meter(today, resident_client, premises):
    remote = MeterFactory(premises=premises, is_remote_read=True)
    page = resident_client.get(detail_url(remote)).content.decode()
    assert "Dodaj odczyt" not in page
    assert "odczytywany zdalnie" in page


@pytest.mark.parametrize("who", ["neighbour", "stranger"])
def test_other_residents_meter_answers_404(today, client, meter, who, request):
    other = request.getfixturevalue(who)
    client.force_login(other)
    reading = ReadingFactory(meter=meter, read_on=D(2025, 5, 21), value=Decimal(5))
    assert client.get(detail_url(meter)).status_code == 404
    assert client.get(add_url(meter)).status_code == 404
    assert post_reading(client, meter, "9").status_code == 404
    for name in ("reading_photo", "reading_thumbnail", "reading_correct"):
        assert client.get(reverse(f"meters:{name}", args=[reading.pk])).status_code == 404
    response = client.post(
        reverse("meters:reading_correct", args=[reading.pk]),
        {"read_on": "2025-05-25", "value": "9"},
    )
    assert response.status_code == 404
    assert list(Reading.objects.values_list("value", flat=True)) == [Decimal(5)]


def test_anonymous_is_sent_to_login(client, meter):
    response = client.get(detail_url(meter))
    assert response.status_code == 302 and "/logowanie/" in response["Location"]


# --- Adding a reading -------------------------------------------------------------------------


def test_add_reading_then_see_it_in_history(today, resident_client, resident, meter):
    form = resident_client.get(add_url(meter)).content.decode()
    assert "Stan licznika" in form and "Potwierdzam" not in form
    response = post_reading(resident_client, meter, "12,345")
    assert response.status_code == 302
    reading = Reading.objects.get()
    assert reading.value == Decimal("12.345") and reading.submitted_by == resident
    page = resident_client.get(response["Location"]).content.decode()
    assert "Odczyt został zapisany" in page and "12,345" in page and "25.05.2025" in page


def test_remote_meter_refuses_a_forged_post(today, resident_client, premises):
    remote = MeterFactory(premises=premises, is_remote_read=True)
    response = post_reading(resident_client, remote, "5")
    assert response.status_code == 200
    assert "odczytywany zdalnie" in response.content.decode()
    assert not Reading.objects.exists()


def test_closed_window_refuses_post_and_says_when_it_opens(freeze_today, resident_client, meter):
    freeze_today(D(2025, 6, 15))
    page = resident_client.get(add_url(meter)).content.decode()
    assert "od 20.06.2025 do 12.07.2025" in page and "Zapisz odczyt" not in page
    response = post_reading(resident_client, meter, "5", read_on="2025-06-15")
    assert "od 20.06.2025 do 12.07.2025" in response.content.decode()
    assert not Reading.objects.exists()


@pytest.mark.parametrize(
    ("value", "read_on", "message"),
    [
        ("99", "2025-05-25", "niższy od poprzedniego odczytu"),
        ("120", "2025-05-26", "z przyszłości"),
        ("120,1234", "2025-05-25", "najwyżej 3 cyfry po przecinku"),
        ("abc", "2025-05-25", "Wpisz liczbę"),
        ("-1", "2025-05-25", "Stan licznika nie może być ujemny."),
        ("120", "", "Uzupełnij pole „Data odczytu”."),
        # 14 digits pass the form's max_digits but not the column's 11 whole digits: it was
        # saved (a 500 on PostgreSQL; on SQLite every later read of the meter failed).
        ("99999999999999", "2025-05-25", "za dużo cyfr przed przecinkiem (najwyżej 11)"),
        ("1E+13", "2025-05-25", "za dużo cyfr przed przecinkiem (najwyżej 11)"),
    ],
)
def test_bad_input_is_explained_and_saves_nothing(
    today, resident_client, meter, value, read_on, message
):
    ReadingFactory(meter=meter, read_on=D(2025, 4, 25), value=Decimal(100))
    response = post_reading(resident_client, meter, value, read_on=read_on)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Reading.objects.count() == 1


def test_implausible_value_asks_for_confirmation(today, resident_client, meter):
    monthly_readings(meter, start=Decimal(100), step=Decimal(3))  # last 115, 3 m³ a month
    response = post_reading(resident_client, meter, "160")
    page = response.content.decode()
    assert "ponad 3 razy większe niż zwykle" in page
    assert "Potwierdzam" in page
    assert not Reading.objects.filter(value=160).exists()

    response = post_reading(resident_client, meter, "160", confirmed="on")
    assert response.status_code == 302
    assert Reading.objects.filter(value=160).exists()


def test_photo_upload_is_served_only_to_the_premises(today, resident_client, client, meter):
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), "gray").save(buffer, format="PNG")
    photo = SimpleUploadedFile("odczyt.png", buffer.getvalue(), content_type="image/png")
    post_reading(resident_client, meter, "1", photo=photo)
    reading = Reading.objects.get()
    response = resident_client.get(reverse("meters:reading_photo", args=[reading.pk]))
    assert response["Content-Type"] == "image/jpeg"
    assert "inline" in response["Content-Disposition"]
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"  # re-encoded as JPEG
    for close in response._resource_closers:  # response.close() would fire request_finished
        close()
    page = resident_client.get(detail_url(meter)).content.decode()
    assert reverse("meters:reading_thumbnail", args=[reading.pk]) in page


def test_fake_photo_is_refused(today, resident_client, meter):
    fake = SimpleUploadedFile("odczyt.jpg", b"MZ\x90\x00 exe", content_type="image/jpeg")
    response = post_reading(resident_client, meter, "1", photo=fake)
    assert "nie jest obrazem" in response.content.decode()
    assert not Reading.objects.exists()


# --- Correcting --------------------------------------------------------------------------------


def test_resident_corrects_own_reading(today, resident_client, resident, meter):
    post_reading(resident_client, meter, "10")
    reading = Reading.objects.get()
    page = resident_client.get(detail_url(meter)).content.decode()
    correct_url = reverse("meters:reading_correct", args=[reading.pk])
    assert correct_url in page
    response = resident_client.post(correct_url, {"read_on": "2025-05-25", "value": "10,5"})
    assert response.status_code == 302
    page = resident_client.get(detail_url(meter)).content.decode()
    assert "10,500" in page and "poprawiono (było 10,000)" in page
    assert Reading.objects.count() == 2


def test_co_owner_cannot_correct_the_other_co_owners_reading(
    today, resident_client, client, premises, meter
):
    post_reading(resident_client, meter, "10")
    reading = Reading.objects.get()
    co_owner = OwnershipFactory(premises=premises).user
    client.force_login(co_owner)
    page = client.get(detail_url(meter)).content.decode()
    assert "10,000" in page
    correct_url = reverse("meters:reading_correct", args=[reading.pk])
    assert correct_url not in page
    assert client.post(correct_url, {"read_on": "2025-05-25", "value": "11"}).status_code == 404


# --- Start page -------------------------------------------------------------------------------


def test_start_page_lists_meters_without_reading(today, resident_client, premises, meter):
    done = MeterFactory(premises=premises, serial_number="CW-1", kind="hot_water")
    ReadingFactory(meter=done, read_on=D(2025, 5, 21), value=Decimal(3))
    MeterFactory(premises=premises, serial_number="RADIO-1", is_remote_read=True)
    page = resident_client.get("/").content.decode()
    assert "Odczyty liczników" in page
    assert "Trwa okres podawania odczytów – do 12.06.2025" in page
    assert "ZW-12345" in page
    assert "CW-1" not in page and "RADIO-1" not in page


def test_start_page_says_when_the_window_opens(freeze_today, resident_client, meter):
    freeze_today(D(2025, 5, 13))
    page = resident_client.get("/").content.decode()
    assert "Odczyty liczników przyjmujemy od 20.05.2025 do" in page and "ZW-12345" not in page


def test_start_page_thanks_when_all_read(today, resident_client, meter):
    ReadingFactory(meter=meter, read_on=D(2025, 5, 21), value=Decimal(3))
    assert "Wszystkie liczniki mają już odczyt" in resident_client.get("/").content.decode()


def test_start_page_without_meters_has_no_panel(today, resident_client):
    assert "Odczyty liczników" not in resident_client.get("/").content.decode()


@pytest.mark.parametrize("meters", [1, 10])
def test_panel_runs_one_query(today, rf, resident, meters):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from meters.panels import home_panel

    premises = resident.ownerships.get().premises
    for _ in range(meters):
        monthly_readings(MeterFactory(premises=premises), months=2)
    request = rf.get("/")
    request.user = resident
    with CaptureQueriesContext(connection) as ctx:
        panel = home_panel(request)
    assert len(panel["missing"]) == meters
    assert len(ctx.captured_queries) == 1


def test_chart_months_use_the_reading_before_the_chart_range(today, meter):
    from meters.selectors import consumption_by_month

    monthly_readings(meter, start=Decimal(100), step=Decimal(3), months=16)  # 01.2024–04.2025
    months = consumption_by_month(meter)
    assert [m.month for m in months][0] == D(2024, 6, 1) and months[-1].month == D(2025, 5, 1)
    # Every month read so far shows 3 m³ (June 2024 too), May 2025 is not read yet.
    assert [m.consumption for m in months] == [Decimal("3.000")] * 11 + [Decimal("0.000")]


def test_chart_leaves_out_a_first_reading_long_after_installation(today, meter):
    from meters.selectors import consumption_by_month

    monthly_readings(meter, start=Decimal(500), step=Decimal(2), months=3)
    assert max(m.consumption for m in consumption_by_month(meter)) == Decimal("2.000")


def test_start_page_names_a_few_meters_and_counts_the_rest(today, resident_client, premises):
    """An owner of many premises sees the first meters by name and the rest as a count with a
    link to Liczniki, in the right Polish plural."""
    from meters.panels import MISSING_SHOWN

    for number in range(MISSING_SHOWN + 1):
        MeterFactory(premises=premises, serial_number=f"WM-{number:03d}")
    page = resident_client.get("/").content.decode()
    assert len([n for n in range(MISSING_SHOWN + 1) if f"WM-{n:03d}" in page]) == MISSING_SHOWN
    assert "Jeszcze 1 licznik bez odczytu" in page
    assert f'href="{reverse("meters:index")}"' in page

    MeterFactory(premises=premises, serial_number="WM-101")
    assert "Jeszcze 2 liczniki bez odczytu" in resident_client.get("/").content.decode()
    for number in range(3):
        MeterFactory(premises=premises, serial_number=f"WM-2{number:02d}")
    assert "Jeszcze 5 liczników bez odczytu" in resident_client.get("/").content.decode()


def test_panel_uses_the_premises_the_start_page_already_read(today, rf, resident):
    """With the request's premises remembered (the start page reads them first), the panel's one
    query filters on their ids and takes premises, buildings and communities from them; the
    meters keep their order (street, then number) and their communities."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from meters.panels import home_panel
    from premises.selectors import premises_for_request

    first = resident.ownerships.get().premises
    first.building.street = "ul. Zielona"
    first.building.save()
    other = PremisesFactory(building=BuildingFactory(street="ul. Akacjowa"), number="7")
    OwnershipFactory(user=resident, premises=other)
    MeterFactory(premises=first, serial_number="Z-1")
    MeterFactory(premises=other, serial_number="A-1")
    request = rf.get("/")
    request.user = resident
    premises_for_request(request)
    with CaptureQueriesContext(connection) as ctx:
        panel = home_panel(request)
        names = [(m.serial_number, m.premises.building.street) for m in panel["shown"]]
        communities = [item.community.pk for item in panel["communities"]]
    assert names == [("A-1", "ul. Akacjowa"), ("Z-1", "ul. Zielona")]
    assert communities == [other.building.community_id, first.building.community_id]
    assert len(ctx.captured_queries) == 1
    assert "premises_community" not in ctx.captured_queries[0]["sql"]


def test_each_community_keeps_its_own_window_status(today, resident_client, resident):
    """The window status is rendered once per distinct window and readings setting: two
    communities with the same window, one not taking readings, each say their own."""
    first = resident.ownerships.get().premises
    first.building.street = "ul. Akacjowa"
    first.building.save()
    closed = CommunityFactory(name="WM Bez Odczytów", meter_readings_enabled=False)
    other = PremisesFactory(building=BuildingFactory(community=closed, street="ul. Brzozowa"))
    OwnershipFactory(user=resident, premises=other)
    MeterFactory(premises=first)
    MeterFactory(premises=other)
    open_text = "Trwa okres podawania odczytów – do 12.06.2025."
    closed_text = "Twoja wspólnota nie przyjmuje odczytów liczników przez Strefę Klienta"
    for path in ("/", "/liczniki/"):
        page = resident_client.get(path).content.decode()
        assert page.count(open_text) == 1 and page.count(closed_text) == 1
        assert page.index(open_text) < page.index(closed_text)


@pytest.mark.parametrize("name", ["meters:detail", "meters:reading_add"])
def test_list_links_are_the_reversed_urls(name):
    from meters.fragments import pk_url

    url = pk_url(name)
    assert [url(pk) for pk in (1, 42, 10**12)] == [
        reverse(name, args=[pk]) for pk in (1, 42, 10**12)
    ]
