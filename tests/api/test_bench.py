"""A 10 000-charge batch through the API (opt-in: ``STREFA_BENCH=1``), time and queries."""

import os
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from finance.models import Charge
from premises.models import Premises

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not os.environ.get("STREFA_BENCH"), reason="set STREFA_BENCH=1"),
]


def test_charges_batch_of_10000_rows(api, key_a, community_a, building_a):
    Premises.objects.bulk_create(
        [
            Premises(
                building=building_a,
                number=str(n),
                area=Decimal("50.00"),
                persons=2,
                share_numerator=1,
                share_denominator=1000,
            )
            for n in range(1, 1001)
        ]
    )
    rows = [
        {"number": str(n), "category": "management", "period": f"2026-{m:02d}", "amount": "350.27"}
        for m in range(1, 11)
        for n in range(1, 1001)
    ]
    url = f"/api/v1/communities/{community_a.pk}/charges/batch/"
    for label in ("first", "repeated"):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = api("post", url, key_a, json={"rows": rows})
        elapsed = time.perf_counter() - started
        print(f"\n10 000 charges via API, {label}: {elapsed:.1f} s, {len(queries)} queries")
        assert response.status_code == 200, response.json()
    assert response.json() == {"created": 0, "updated": 0, "unchanged": 10_000, "batch_id": None}
    assert Charge.objects.count() == 10_000


def test_readings_batch_of_10000_rows(api, key_a, community_a, building_a):
    import datetime

    from meters.models import Meter, Reading

    premises = Premises.objects.bulk_create(
        [
            Premises(
                building=building_a,
                number=str(n),
                area=Decimal("50.00"),
                persons=2,
                share_numerator=1,
                share_denominator=1000,
            )
            for n in range(1, 5001)
        ]
    )
    meters = Meter.objects.bulk_create(
        [
            Meter(
                premises=place,
                kind=kind,
                serial_number=f"{kind}-{place.number}",
                unit=Meter.Unit.CUBIC_METRE,
                decimal_places=3,
                installed_on=datetime.date(2023, 1, 1),
                initial_reading=Decimal("0"),
            )
            for place in premises
            for kind in (Meter.Kind.COLD_WATER, Meter.Kind.HOT_WATER)
        ]
    )
    Reading.objects.bulk_create(
        [
            Reading(meter=meter, read_on=datetime.date(2025, m, 28), value=Decimal(m))
            for meter in meters
            for m in (1, 2, 3)
        ]
    )
    rows = [
        {"serial_number": meter.serial_number, "read_on": "2025-04-30", "value": "4.5"}
        for meter in meters
    ]
    url = f"/api/v1/communities/{community_a.pk}/readings/batch/"
    for label in ("first", "repeated"):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = api("post", url, key_a, json={"rows": rows})
        elapsed = time.perf_counter() - started
        print(f"\n10 000 readings via API, {label}: {elapsed:.1f} s, {len(queries)} queries")
        assert response.status_code == 200, response.json()
    assert response.json()["unchanged"] == 10_000
    assert Reading.objects.count() == 40_000
