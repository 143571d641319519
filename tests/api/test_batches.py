"""Pushing charges and payments: scope, idempotency, all-or-nothing, per-row Polish errors."""

import datetime
import math
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from finance.models import Charge, ImportBatch, Payment
from notifications.models import Message

from ..factories import PremisesFactory

pytestmark = pytest.mark.django_db


def charges_url(community):
    return f"/api/v1/communities/{community.pk}/charges/batch/"


def payments_url(community):
    return f"/api/v1/communities/{community.pk}/payments/batch/"


def charge_rows(premises_a, premises_a2):
    return [
        {"number": "12", "category": "management", "period": "2026-05", "amount": "350.27"},
        {
            "premises_id": premises_a2.pk,
            "category": "fundusz remontowy",
            "period": "2026-05",
            "amount": "120.00",
            "due_date": "2026-05-15",
        },
        {
            "building": "ul. Lipowa 5",
            "number": "14",
            "category": "water",
            "period": "05/2026",
            "amount": "88.10",
            "title": "Woda – rozliczenie",
            "fund": "operating",
        },
    ]


def test_charges_batch_repeated_changes_nothing(api, key_a, community_a, premises_a, premises_a2):
    rows = charge_rows(premises_a, premises_a2)
    first = api("post", charges_url(community_a), key_a, json={"rows": rows})
    assert first.status_code == 200, first.json()
    assert first.json()["created"] == 3
    assert first.json()["unchanged"] == 0
    state = list(Charge.objects.order_by("pk").values_list("premises", "title", "amount", "fund"))
    assert Charge.objects.aggregate(s=Sum("amount"))["s"] == Decimal("558.37")
    repair = Charge.objects.get(category="repair_fund")
    assert (repair.fund, str(repair.due_date)) == ("repair", "2026-05-15")

    second = api("post", charges_url(community_a), key_a, json={"rows": rows})
    assert second.json() == {"created": 0, "updated": 0, "unchanged": 3, "batch_id": None}
    assert (
        list(Charge.objects.order_by("pk").values_list("premises", "title", "amount", "fund"))
        == state
    )
    assert ImportBatch.objects.count() == 1
    batch = ImportBatch.objects.get()
    assert batch.file_name == "API – Papirus"
    assert batch.rows_created == 3


def test_charges_batch_one_bad_row_writes_nothing(api, key_a, community_a, premises_a, premises_a2):
    rows = charge_rows(premises_a, premises_a2)
    rows.append({"number": "99", "category": "prąd", "period": "maj", "amount": "1e9"})
    rows.append(dict(rows[0]))  # the same charge twice in one batch
    response = api("post", charges_url(community_a), key_a, json={"rows": rows})
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Paczka ma błędy; niczego nie zapisano."
    by_row = {}
    for error in body["errors"]:
        by_row.setdefault(error["row"], []).append(error)
    assert set(by_row) == {3, 4}
    codes = {e["code"] for e in by_row[3]}
    assert codes == {"premises_not_found", "invalid_category", "invalid_period", "invalid_amount"}
    assert any(
        e["message"] == "Lokal „99” nie istnieje we wspólnocie WM Lipowa 5." for e in by_row[3]
    )
    assert by_row[4][0]["code"] == "duplicate_in_batch"
    assert "jest już w wierszu 0" in by_row[4][0]["message"]
    assert Charge.objects.count() == 0
    assert ImportBatch.objects.count() == 0


def test_charges_batch_changed_amount_is_a_conflict(
    api, key_a, community_a, premises_a, premises_a2
):
    rows = charge_rows(premises_a, premises_a2)
    api("post", charges_url(community_a), key_a, json={"rows": rows})
    rows[0]["amount"] = "400.00"
    response = api("post", charges_url(community_a), key_a, json={"rows": rows})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["row"] == 0
    assert error["code"] == "conflict_with_booked"
    assert "już zaksięgowane z kwotą 350,27\xa0zł" in error["message"]
    assert Charge.objects.filter(amount=Decimal("400.00")).count() == 0


def test_charges_batch_of_other_community_is_404(
    api, key_a, community_b, premises_b, community_a, premises_a
):
    row = {"number": "12", "category": "management", "period": "2026-05", "amount": "1.00"}
    response = api("post", charges_url(community_b), key_a, json={"rows": [row]})
    assert response.status_code == 404
    # B's premises named by id inside A's batch: not found, nothing written.
    row = {
        "premises_id": premises_b.pk,
        "category": "management",
        "period": "2026-05",
        "amount": "1.00",
    }
    response = api("post", charges_url(community_a), key_a, json={"rows": [row]})
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "row": 0,
        "code": "premises_not_found",
        "message": f"Lokal o identyfikatorze {premises_b.pk} nie istnieje w tej wspólnocie.",
    }
    assert Charge.objects.count() == 0


def test_charges_batch_body_errors_in_polish(api, key_a, community_a):
    response = api("post", charges_url(community_a), key_a, json={"rows": "nie lista"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "Podaj „rows”: listę obiektów (wierszy)."
    too_many = [{"number": "1"}] * 10_001
    response = api("post", charges_url(community_a), key_a, json={"rows": too_many})
    assert response.json()["errors"][0]["code"] == "too_many_rows"
    assert "najwięcej 10000" in response.json()["detail"]


def payment_rows(premises_a):
    return [
        {
            "bank_reference": "PKO-2026-0001",
            "date": "2026-05-10",
            "amount": "350.27",
            "title": "Opłata za lokal 12 maj 2026",
            "payer_name": "Anna Nowak",
        },
        {
            "bank_reference": "PKO-2026-0002",
            "date": "10.05.2026",
            "amount": "120,00",
            "title": "Fundusz remontowy",
            "premises_id": premises_a.pk,
        },
        {
            "bank_reference": "PKO-2026-0003",
            "date": "2026-05-11",
            "amount": "50.00",
            "title": "bez wskazania lokalu",
        },
    ]


def test_payments_batch_idempotent_by_bank_reference(api, key_a, community_a, premises_a):
    rows = payment_rows(premises_a)
    first = api("post", payments_url(community_a), key_a, json={"rows": rows})
    assert first.status_code == 200, first.json()
    assert first.json()["created"] == 3
    by_ref = {p.bank_transaction_id: p for p in Payment.objects.all()}
    assert by_ref["PKO-2026-0001"].premises == premises_a  # number in the title
    assert by_ref["PKO-2026-0002"].premises == premises_a
    assert by_ref["PKO-2026-0002"].match == Payment.Match.MANUAL
    assert by_ref["PKO-2026-0003"].premises is None  # waits in the unassigned queue
    assert by_ref["PKO-2026-0003"].community == community_a
    second = api("post", payments_url(community_a), key_a, json={"rows": rows})
    assert second.json() == {"created": 0, "updated": 0, "unchanged": 3, "batch_id": None}
    assert Payment.objects.count() == 3


def test_payments_pushed_apart_with_their_own_references_are_two_payments(api, key_a, community_a):
    """Two cash deposits alike (day, amount, title, no payer): the integrator's references
    tell them apart, though no payer's account or name does."""
    row = {"date": "2026-05-11", "amount": "100.00", "title": "Wpłata gotówkowa"}
    url = payments_url(community_a)
    first = api("post", url, key_a, json={"rows": [dict(row, bank_reference="KASA-1")]})
    assert first.json()["created"] == 1, first.json()
    second = api("post", url, key_a, json={"rows": [dict(row, bank_reference="KASA-2")]})
    assert second.json()["created"] == 1, second.json()
    assert Payment.objects.count() == 2


def test_payments_batch_bad_row_writes_nothing(api, key_a, community_a, premises_a):
    rows = payment_rows(premises_a)
    rows.append({"bank_reference": "PKO-2026-0001", "date": "2026-13-40", "amount": "-5"})
    response = api("post", payments_url(community_a), key_a, json={"rows": rows})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {e["row"] for e in errors} == {3}
    codes = {e["code"] for e in errors}
    assert codes == {"non_positive_amount", "invalid_date", "duplicate_in_batch"}
    assert Payment.objects.count() == 0


@pytest.mark.parametrize("size", [10, 1000])
def test_charges_batch_query_count_does_not_grow_with_rows(
    api, key_a, community_a, building_a, django_assert_max_num_queries, size
):
    numbers = [p.number for p in PremisesFactory.create_batch(size, building=building_a)]
    rows = [
        {"number": n, "category": "management", "period": "2026-05", "amount": "100.00"}
        for n in numbers
    ]
    # Key check and last use (2), community (1), premises (1), booked charges (1), lock (1),
    # batch (1), savepoints (4), charges in chunks of 500 rows (≤2) and their history (≤2),
    # the ledger totals of the premises (lock, delete, insert: 3 per 2 000 premises), the
    # push's own lock of the community and its savepoint (3: one push per community at a time).
    # SQLite allows 999 variables per statement, so there Django cuts the inserts into
    # chunks of ~100 rows (fixed per chunk, never per row).
    limit = 22 if connection.vendor != "sqlite" else 22 + 2 * math.ceil(size / 60)
    with django_assert_max_num_queries(limit):
        response = api("post", charges_url(community_a), key_a, json={"rows": rows})
    assert response.json()["created"] == size
    assert Charge.objects.count() == size


def readings_url(community):
    return f"/api/v1/communities/{community.pk}/readings/batch/"


def test_readings_batch_remote_idempotent_and_all_or_nothing(
    api, key_a, community_a, premises_a, premises_b
):
    from meters.models import Reading
    from tests.factories import MeterFactory

    MeterFactory(premises=premises_a, serial_number="ZW-100")
    MeterFactory(premises=premises_b, serial_number="ZW-OBCY")
    rows = [
        {"serial_number": "ZW-100", "read_on": "2025-04-30", "value": "12.345"},
        {"serial_number": "ZW-OBCY", "read_on": "2025-04-30", "value": "1.000"},
    ]
    response = api("post", readings_url(community_a), key_a, json={"rows": rows})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "row": 1,
            "code": "meter_not_found",
            "message": "Nie ma licznika o tym numerze zamontowanego w dniu odczytu.",
        }
    ]
    assert Reading.objects.count() == 0
    rows.pop()
    first = api("post", readings_url(community_a), key_a, json={"rows": rows})
    assert first.json() == {"created": 1, "updated": 0, "unchanged": 0, "batch_id": None}
    reading = Reading.objects.get()
    assert (str(reading.value), reading.source) == ("12.345", "remote")
    second = api("post", readings_url(community_a), key_a, json={"rows": rows})
    assert second.json() == {"created": 0, "updated": 0, "unchanged": 1, "batch_id": None}
    assert Reading.objects.count() == 1


def register_row(**values):
    base = {
        "street": "ul. Lipowa 5",
        "postal_code": "00-950",
        "city": "Warszawa",
        "number": "7",
        "kind": "mieszkanie",
        "area": "54,30",
        "share": "5430/100000",
        "first_name": "Anna",
        "last_name": "Kowalska",
        "email": "anna@example.com",
        "phone": "601200300",
        "role": "właściciel",
        "valid_from": "01.02.2021",
        "recipient": "tak",
    }
    base.update(values)
    return base


def test_register_batch_creates_once_and_refuses_bad_rows(api, key_a, community_a, building_a):
    from premises.models import Ownership, Premises

    url = f"/api/v1/communities/{community_a.pk}/register/batch/"
    bad = api(
        "post",
        url,
        key_a,
        json={
            "rows": [
                register_row(),
                register_row(number="8", bank_account="36 1090 1015 0000 0712 1981 2874"),
            ]
        },
    )
    assert bad.status_code == 400, bad.json()
    assert bad.json()["errors"][0]["row"] == 1
    assert "błędną cyfrę kontrolną" in bad.json()["errors"][0]["message"]
    assert not Premises.objects.filter(number="7").exists()
    first = api("post", url, key_a, json={"rows": [register_row()]})
    assert first.status_code == 200, first.json()
    assert first.json()["created"] == 1
    premises = Premises.objects.get(number="7")
    assert premises.building == building_a
    owner = Ownership.objects.get(premises=premises)
    assert (owner.user.last_name, owner.user.phone) == ("Kowalska", "+48601200300")
    second = api("post", url, key_a, json={"rows": [register_row()]})
    assert second.json()["created"] == 0
    assert Ownership.objects.filter(premises=premises).count() == 1


def test_register_batch_refuses_a_new_owner_beside_an_owner_not_in_the_batch(
    api, key_a, community_a, building_a
):
    """The admin's rule: a sale pushed without the seller's row leaves no two owners."""
    from premises.models import Ownership

    url = f"/api/v1/communities/{community_a.pk}/register/batch/"
    assert api("post", url, key_a, json={"rows": [register_row()]}).status_code == 200
    buyer = register_row(first_name="Jan", last_name="Nowak", email="jan@example.com")
    buyer.update(recipient="", phone="", valid_from="01.06.2025")
    refused = api("post", url, key_a, json={"rows": [buyer]})
    assert refused.status_code == 400
    [error] = refused.json()["errors"]
    assert (error["row"], error["code"]) == (0, "owner_not_in_file")
    assert "ma też właściciela Anna Kowalska" in error["message"]
    assert Ownership.objects.count() == 1
    seller = register_row(valid_to="31.05.2025", recipient="")
    done = api("post", url, key_a, json={"rows": [buyer, seller]})
    assert done.status_code == 200, done.json()
    assert set(Ownership.objects.values_list("user__first_name", "valid_to")) == {
        ("Anna", datetime.date(2025, 5, 31)),
        ("Jan", None),
    }


PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def test_letters_batch_idempotent_by_external_id_with_pdf(
    api, key_a, community_a, premises_a, premises_b
):
    import base64

    from correspondence.models import Letter

    from ..factories import OwnershipFactory, UserFactory

    owner = UserFactory(first_name="Anna", last_name="Nowak")
    OwnershipFactory(user=owner, premises=premises_a)
    url = f"/api/v1/communities/{community_a.pk}/letters/batch/"
    letter = {
        "external_id": "PAP/2026/0042",
        "premises_id": premises_a.pk,
        "kind": "settlement",
        "subject": "Rozliczenie wody za 2025 r.",
        "body": "W załączeniu rozliczenie.",
        "attachments": [
            {"name": "rozliczenie.pdf", "content_base64": base64.b64encode(PDF).decode()}
        ],
    }
    foreign = dict(letter, external_id="PAP/2026/0043", premises_id=premises_b.pk)
    bad = api("post", url, key_a, json={"rows": [letter, foreign]})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["row"] == 1
    assert bad.json()["errors"][0]["code"] == "premises_not_found"
    assert Letter.objects.count() == 0
    first = api("post", url, key_a, json={"rows": [letter]})
    assert first.json() == {"created": 1, "updated": 0, "unchanged": 0, "batch_id": None}, (
        first.json()
    )
    stored = Letter.objects.get()
    assert (stored.recipient, stored.subject) == (owner, "Rozliczenie wody za 2025 r.")
    assert stored.published_at is not None
    assert [a.name for a in stored.attachments.all()] == ["rozliczenie.pdf"]
    second = api("post", url, key_a, json={"rows": [letter]})
    assert second.json() == {"created": 0, "updated": 0, "unchanged": 1, "batch_id": None}
    assert Letter.objects.count() == 1
    not_pdf = dict(letter, external_id="PAP/2026/0044")
    not_pdf["attachments"] = [{"name": "x.pdf", "content_base64": "bmllIHBkZg=="}]
    response = api("post", url, key_a, json={"rows": [not_pdf]})
    assert response.json()["errors"][0]["code"] == "invalid_attachment"
    assert Letter.objects.count() == 1


@pytest.mark.parametrize("size", [3, 60])
def test_letters_batch_query_count_does_not_grow_with_rows(
    api, key_a, community_a, building_a, django_assert_max_num_queries, size
):
    import base64

    from correspondence.models import Letter, LetterAttachment
    from correspondence.services import consent_give

    from ..factories import OwnershipFactory, UserFactory

    community_a.e_delivery_start = datetime.date(2020, 1, 1)
    community_a.save()
    rows = []
    for n in range(size):
        premises = PremisesFactory(building=building_a)
        owner = UserFactory(email=f"wlasciciel{n}@example.com")
        OwnershipFactory(user=owner, premises=premises)
        if n % 2:
            consent = consent_give(
                user=owner, premises=premises, channel="email", address=owner.email
            )
            consent.given_at -= datetime.timedelta(days=30)
            consent.save()
        rows.append(
            {
                "external_id": f"PAP/{n}",
                "premises_id": premises.pk,
                "subject": "Rozliczenie 2025",
                "attachments": [
                    {"name": "r.pdf", "content_base64": base64.b64encode(PDF).decode()}
                ],
            }
        )
    # Key (2), key's communities (1), community (1), premises (1), recipients (1), known ids
    # (1), consents (1) and whether their authors still receive (1), content type (1, then
    # cached), savepoints (4), letters, attachments, e-mails and ids in chunks of 500 (≤4; on
    # SQLite smaller chunks, for its 999 variables), the push's lock of the community and its
    # savepoint (3: one push per community at a time).
    limit = 22 if connection.vendor != "sqlite" else 22 + 4 * (size // 60 + 1)
    with django_assert_max_num_queries(limit):
        response = api(
            "post",
            f"/api/v1/communities/{community_a.pk}/letters/batch/",
            key_a,
            json={"rows": rows},
        )
    assert response.json()["created"] == size, response.json()
    assert LetterAttachment.objects.count() == size
    by_channel = {c: Letter.objects.filter(delivery_channel=c).count() for c in ("email", "post")}
    assert by_channel == {"email": size // 2, "post": size - size // 2}
    assert Message.objects.filter(channel="email").count() == size // 2


@pytest.mark.parametrize("premises_id", [2**70, 2**63, -5, 0])
def test_charges_batch_with_an_id_no_row_can_have_is_a_row_error(
    api, key_a, community_a, premises_id
):
    row = {"premises_id": premises_id, "category": "management", "period": "2026-05"}
    response = api("post", charges_url(community_a), key_a, json={"rows": [row | {"amount": "1"}]})
    assert response.status_code == 400
    errors = {e["code"]: e["message"] for e in response.json()["errors"]}
    assert errors["premises_not_found"] == (
        f"Lokal o identyfikatorze {premises_id} nie istnieje w tej wspólnocie."
    )
    assert Charge.objects.count() == 0


def test_batch_over_the_body_limit_is_413_in_json(api, key_a, community_a, premises_a, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    row = {"number": "12", "category": "management", "period": "2026-05", "amount": "1"}
    rows = [{**row, "title": f"Opłata {i} " + "x" * 150} for i in range(6000)]
    response = api("post", charges_url(community_a), key_a, json={"rows": rows})
    assert response.status_code == 413
    message = "Paczka jest za duża: najwięcej 1 MB w jednym zapytaniu; podziel ją."
    assert response.json() == {
        "detail": message,
        "errors": [{"row": None, "code": "too_large", "message": message}],
    }
    assert not Charge.objects.exists()
