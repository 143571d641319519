"""Each machine-readable error code comes back for its case, from the table in api.errors."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection

from api.errors import ERROR_CODES, error_code
from lib.imports import RowError, RowValueError
from meters.models import Reading
from tests.factories import MeterFactory, ReadingFactory

from ..factories import BuildingFactory, PremisesFactory

pytestmark = pytest.mark.django_db


def test_row_error_is_a_string_with_a_code():
    error = RowError("invalid_period", "Nieprawidłowy okres „maj” (np. 2025-05).")
    assert error == "Nieprawidłowy okres „maj” (np. 2025-05)."
    assert error_code(error) == "invalid_period"
    assert error_code(str(RowValueError("invalid_amount", "zła kwota"))) == "invalid_amount"
    assert error_code("tekst bez kodu") == "invalid"
    assert error_code(RowError("no_such_code", "x")) == "invalid"
    assert all(code == code.lower() and " " not in code for code in ERROR_CODES)


def _errors(api, key, url, rows):
    response = api("post", url, key, json={"rows": rows})
    assert response.status_code == 400, response.json()
    return {(e["row"], e["code"]) for e in response.json()["errors"]}


CHARGE = {"number": "12", "category": "management", "period": "2026-05", "amount": "10.00"}


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"number": ""}, "premises_missing"),
        ({"number": "99"}, "premises_not_found"),
        ({"premises_id": 10**9}, "premises_not_found"),
        ({"premises_external_id": "NIEZNANY"}, "premises_not_found"),
        ({"category": "prąd"}, "invalid_category"),
        ({"fund": "emerytalny"}, "invalid_fund"),
        ({"period": "maj"}, "invalid_period"),
        ({"amount": "dużo"}, "invalid_amount"),
        ({"amount": "0"}, "zero_amount"),
        ({"due_date": "jutro"}, "invalid_date"),
    ],
)
def test_charge_codes(api, key_a, community_a, premises_a, change, code):
    row = dict(CHARGE, **change)
    if "premises_id" in change or "premises_external_id" in change:
        row.pop("number")
    url = f"/api/v1/communities/{community_a.pk}/charges/batch/"
    assert (0, code) in _errors(api, key_a, url, [row])


def test_charge_codes_between_rows(api, key_a, community_a, building_a, premises_a):
    PremisesFactory(
        building=BuildingFactory(community=community_a, street="ul. Lipowa 7"), number="12"
    )
    url = f"/api/v1/communities/{community_a.pk}/charges/batch/"
    assert (0, "premises_ambiguous") in _errors(api, key_a, url, [CHARGE])
    row = dict(CHARGE, building="ul. Lipowa 5")
    assert (1, "duplicate_in_batch") in _errors(api, key_a, url, [row, row])
    assert api("post", url, key_a, json={"rows": [row]}).status_code == 200
    assert (0, "conflict_with_booked") in _errors(api, key_a, url, [dict(row, amount="11.00")])


PAYMENT = {"bank_reference": "PKO-1", "date": "2026-05-10", "amount": "10.00"}


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"date": ""}, "missing_date_or_amount"),
        ({"date": "2026-13-40"}, "invalid_date"),
        ({"amount": "-5"}, "non_positive_amount"),
        ({"amount": "sto"}, "invalid_amount"),
        ({"account": "12 3456"}, "invalid_account"),
    ],
)
def test_payment_codes(api, key_a, community_a, premises_a, change, code):
    url = f"/api/v1/communities/{community_a.pk}/payments/batch/"
    assert (0, code) in _errors(api, key_a, url, [dict(PAYMENT, **change)])


def test_payment_duplicate_reference(api, key_a, community_a, premises_a):
    url = f"/api/v1/communities/{community_a.pk}/payments/batch/"
    assert (1, "duplicate_in_batch") in _errors(api, key_a, url, [PAYMENT, PAYMENT])


@pytest.mark.parametrize(
    ("row", "code"),
    [
        ({"serial_number": "", "read_on": "2025-04-30", "value": "1"}, "meter_missing"),
        ({"serial_number": "ZW-1", "read_on": "30 kwietnia", "value": "1"}, "invalid_date"),
        ({"serial_number": "ZW-1", "read_on": "2025-04-30", "value": "x"}, "invalid_value"),
        ({"serial_number": "ZW-NIE", "read_on": "2025-04-30", "value": "1"}, "meter_not_found"),
        ({"serial_number": "ZW-2", "read_on": "2025-04-30", "value": "1"}, "meter_ambiguous"),
        ({"serial_number": "ZW-1", "read_on": "2099-01-01", "value": "1"}, "reading_future"),
        ({"serial_number": "ZW-1", "read_on": "2025-04-30", "value": "1.0001"}, "invalid_value"),
        (
            {"serial_number": "ZW-1", "read_on": "2025-04-30", "value": "5"},
            "reading_lower_than_previous",
        ),
        (
            {"serial_number": "ZW-1", "read_on": "2025-03-01", "value": "20"},
            "reading_higher_than_following",
        ),
        (
            {"serial_number": "ZW-1", "read_on": "2025-04-25", "value": "11"},
            "reading_duplicate_day",
        ),
        (
            {"serial_number": "ZW-3", "read_on": "2025-04-30", "value": "1"},
            "reading_lower_than_initial",
        ),
        ({"serial_number": "ZW-0", "read_on": "2025-04-30", "value": "1.5"}, "reading_precision"),
        (
            {
                "serial_number": "ZW-1",
                "read_on": "2025-04-30",
                "value": "1",
                "premises_external_id": "X",
            },
            "premises_not_found",
        ),
    ],
)
def test_reading_codes(api, key_a, community_a, premises_a, premises_a2, row, code):
    meter = MeterFactory(premises=premises_a, serial_number="ZW-1")
    ReadingFactory(meter=meter, read_on=datetime.date(2025, 4, 25), value=Decimal("10.000"))
    MeterFactory(premises=premises_a, serial_number="ZW-2")
    MeterFactory(premises=premises_a2, serial_number="ZW-2")
    MeterFactory(premises=premises_a, serial_number="ZW-3", initial_reading=Decimal("100"))
    MeterFactory(premises=premises_a, serial_number="ZW-0", decimal_places=0)
    url = f"/api/v1/communities/{community_a.pk}/readings/batch/"
    assert _errors(api, key_a, url, [row]) == {(0, code)}
    assert Reading.objects.count() == 1


def test_reading_rows_are_checked_against_earlier_rows_of_the_batch(
    api, key_a, community_a, premises_a
):
    MeterFactory(premises=premises_a, serial_number="ZW-1")
    url = f"/api/v1/communities/{community_a.pk}/readings/batch/"
    rows = [
        {"serial_number": "ZW-1", "read_on": "2025-03-31", "value": "10"},
        {"serial_number": "ZW-1", "read_on": "2025-04-30", "value": "9"},
    ]
    assert _errors(api, key_a, url, rows) == {(1, "reading_lower_than_previous")}
    rows[1]["value"] = "12.5"
    assert api("post", url, key_a, json={"rows": rows}).json()["created"] == 2
    assert Reading.history.count() == 2  # history kept for bulk inserts too


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"last_name": ""}, "required_field"),
        ({"share": "pół"}, "invalid_share"),
        ({"area": "duża"}, "invalid_area"),
        ({"bank_account": "36 1090 1015 0000 0712 1981 2874"}, "invalid_account"),
        ({"phone": "12"}, "invalid_phone"),
        ({"role": "sąsiad"}, "invalid_role"),
        ({"valid_from": "wczoraj"}, "invalid_date"),
    ],
)
def test_register_codes(api, key_a, community_a, building_a, change, code):
    row = {
        "street": "ul. Lipowa 5",
        "number": "7",
        "area": "54,30",
        "share": "5430/100000",
        "last_name": "Kowalska",
        "first_name": "Anna",
    }
    row.update(change)
    url = f"/api/v1/communities/{community_a.pk}/register/batch/"
    assert (0, code) in _errors(api, key_a, url, [row])


def test_letter_codes(api, key_a, community_a, premises_a):
    url = f"/api/v1/communities/{community_a.pk}/letters/batch/"
    rows = [
        {"premises_id": premises_a.pk, "subject": "x"},
        {"external_id": "L1", "premises_id": premises_a.pk, "subject": "x"},
        {"external_id": "L1", "premises_id": premises_a.pk, "subject": "x"},
    ]
    assert _errors(api, key_a, url, rows) == {
        (0, "external_id_missing"),
        (1, "no_recipient"),
        (2, "duplicate_in_batch"),
    }


def test_body_codes(api, key_a, community_a):
    url = f"/api/v1/communities/{community_a.pk}/charges/batch/"
    assert _errors(api, key_a, url, []) == {(None, "invalid_body")}
    assert _errors(api, key_a, url, [{}] * 10_001) == {(None, "too_many_rows")}


def test_every_code_is_documented():
    with open("docs/api.md", encoding="utf-8") as guide:
        text = guide.read()
    assert [code for code in ERROR_CODES if f"`{code}`" not in text] == []


@pytest.mark.parametrize("size", [5, 200])
def test_readings_batch_query_count_does_not_grow_with_rows(
    api, key_a, community_a, building_a, django_assert_max_num_queries, size
):
    premises = PremisesFactory.create_batch(size, building=building_a)
    rows = []
    for n, place in enumerate(premises):
        meter = MeterFactory(premises=place, serial_number=f"ZW-{n}")
        ReadingFactory(meter=meter, read_on=datetime.date(2025, 3, 31), value=Decimal("1"))
        rows.append({"serial_number": f"ZW-{n}", "read_on": "2025-04-30", "value": "2.5"})
    # Key (2), community (1), meters (1), their readings (1), savepoints (≤4), readings and
    # their history in chunks of 500 (SQLite: of ~100 rows, for its 999 variables).
    limit = 12 if connection.vendor != "sqlite" else 12 + 2 * (size // 60 + 1)
    with django_assert_max_num_queries(limit):
        response = api(
            "post",
            f"/api/v1/communities/{community_a.pk}/readings/batch/",
            key_a,
            json={"rows": rows},
        )
    assert response.json()["created"] == size
    assert Reading.objects.count() == 2 * size


def test_nul_characters_are_dropped_not_a_server_error(api, key_a, community_a):
    url = "/api/v1/communities/batch/"
    row = {"external_id": "A\x00B", "id": community_a.pk}
    assert api("post", url, key_a, json={"rows": [row]}).status_code == 200
    from api.models import ExternalRef

    assert ExternalRef.objects.get(kind="community").external_id == "AB"
