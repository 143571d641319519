"""A buyer sees the meter's series but not the previous owner's photos (their home's inside)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from meters.models import Reading
from premises.models import Ownership
from tests.factories import (
    MeterFactory,
    OwnershipFactory,
    PremisesFactory,
    ReadingFactory,
    UserFactory,
)
from tests.utils import count_queries

pytestmark = pytest.mark.django_db

D = datetime.date
SALE = D(2025, 3, 1)


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "gray").save(buffer, format="JPEG")
    return buffer.getvalue()


def _with_photo(reading: Reading) -> Reading:
    reading.photo.save(f"odczyt-{reading.pk}.jpg", ContentFile(_jpeg()), save=False)
    reading.thumbnail.save(f"miniatura-{reading.pk}.jpg", ContentFile(_jpeg()), save=False)
    reading.save()
    return reading


@pytest.fixture
def sold(today, building):
    """A flat sold on 1 March 2025; the seller photographed the meter in January."""
    flat = PremisesFactory(building=building, number="30")
    seller = UserFactory(first_name="Sprzedający", last_name="Kowalski")
    buyer = UserFactory(first_name="Kupujący", last_name="Wiśniewski")
    OwnershipFactory(user=seller, premises=flat, valid_to=SALE - datetime.timedelta(days=1))
    OwnershipFactory(user=buyer, premises=flat, valid_from=SALE)
    meter = MeterFactory(premises=flat, serial_number="ZW-30")
    sellers = _with_photo(
        ReadingFactory(
            meter=meter,
            read_on=D(2025, 1, 25),
            value=Decimal("100"),
            source=Reading.Source.RESIDENT,
            submitted_by=seller,
        )
    )
    buyers = _with_photo(
        ReadingFactory(
            meter=meter,
            read_on=D(2025, 4, 25),
            value=Decimal("112.5"),
            source=Reading.Source.RESIDENT,
            submitted_by=buyer,
        )
    )
    return meter, sellers, buyers, buyer


def _status(client, name, reading) -> int:
    response = client.get(reverse(f"meters:{name}", args=[reading.pk]))
    for close in getattr(response, "_resource_closers", []):
        close()  # streamed files are consumed, not closed (closing fires request_finished)
    return response.status_code


def test_buyer_gets_404_for_the_previous_owners_photo(client, sold):
    meter, sellers, buyers, buyer = sold
    client.force_login(buyer)
    assert _status(client, "reading_photo", sellers) == 404
    assert _status(client, "reading_thumbnail", sellers) == 404
    assert _status(client, "reading_photo", buyers) == 200
    assert _status(client, "reading_thumbnail", buyers) == 200


def test_buyer_sees_the_previous_owners_reading_without_photo(client, sold):
    meter, sellers, buyers, buyer = sold
    client.force_login(buyer)
    response = client.get(reverse("meters:detail", args=[meter.pk]))
    page = response.content.decode()
    assert "25.01.2025" in page and "100,000" in page  # the value stays in the series
    assert "112,500" in page and "12,500" in page  # and the consumption since
    assert reverse("meters:reading_thumbnail", args=[sellers.pk]) not in page
    assert reverse("meters:reading_photo", args=[sellers.pk]) not in page
    assert reverse("meters:reading_thumbnail", args=[buyers.pk]) in page
    assert "Kowalski" not in page
    readings = {r.pk: r for r in response.context["readings"]}
    assert readings[sellers.pk].submitted_by is None
    assert readings[buyers.pk].submitted_by == buyer


def test_co_owner_since_the_start_sees_every_photo(client, sold):
    meter, sellers, buyers, _buyer = sold
    co_owner = UserFactory()
    OwnershipFactory(
        user=co_owner,
        premises=meter.premises,
        role=Ownership.Role.CO_OWNER,
        valid_from=D(2020, 1, 1),
    )
    client.force_login(co_owner)
    assert _status(client, "reading_photo", sellers) == 200
    page = client.get(reverse("meters:detail", args=[meter.pk])).content.decode()
    assert reverse("meters:reading_thumbnail", args=[sellers.pk]) in page


def test_tenant_then_owner_sees_photos_from_the_tenancy(client, sold):
    meter, sellers, buyers, _buyer = sold
    user = UserFactory()
    OwnershipFactory(
        user=user,
        premises=meter.premises,
        role=Ownership.Role.TENANT,
        valid_from=D(2025, 1, 1),
        valid_to=D(2025, 2, 28),
    )
    OwnershipFactory(user=user, premises=meter.premises, valid_from=SALE)
    client.force_login(user)
    assert _status(client, "reading_photo", sellers) == 200


def test_seller_who_left_gets_404(client, sold):
    meter, sellers, _buyers, _buyer = sold
    client.force_login(sellers.submitted_by)
    assert _status(client, "reading_photo", sellers) == 404
    assert client.get(reverse("meters:detail", args=[meter.pk])).status_code == 404


def test_buyers_meter_page_runs_the_usual_number_of_queries(client, sold):
    meter, _sellers, _buyers, buyer = sold
    for month in range(1, 13):
        ReadingFactory(meter=meter, read_on=D(2024, month, 25), value=Decimal(month))
    client.force_login(buyer)
    # the session with its user, the meter (with replaces / replaced_by), holding start, the
    # readings (LAG) shared by the history's page and the chart, the company in the footer.
    assert count_queries(client, reverse("meters:detail", args=[meter.pk])) == 5
