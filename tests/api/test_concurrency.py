"""Two equal batches at the same moment (a retry after a timeout, a double click).

PostgreSQL only: SQLite serialises writers, so it cannot show a race. Each request runs in its
own thread with its own connection; the second push waits for the first one's lock and then
sees its rows: one object, one notice, and "unchanged" for the second.
"""

import base64
import threading

import pytest
from django.db import connection
from django.test import Client

from api.models import ExternalRef
from community.models import Announcement
from correspondence.models import Letter
from finance.models import Charge, Payment
from notifications.models import Message

from ..factories import OwnershipFactory, UserFactory
from .test_batches import PDF

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "postgresql" not in connection.vendor, reason="a race: PostgreSQL (SQLite serialises)"
    ),
]


def _twice_at_once(url, key, rows):
    """Both responses' bodies, the created one first."""
    barrier = threading.Barrier(2)
    bodies = [None, None]

    def push(index):
        try:
            barrier.wait()
            response = Client().post(
                url,
                data={"rows": rows},
                content_type="application/json",
                headers={"Authorization": f"Bearer {key}"},
            )
            bodies[index] = (response.status_code, response.json())
        finally:
            connection.close()

    threads = [threading.Thread(target=push, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(bodies, key=lambda body: -body[1].get("created", 0))


@pytest.fixture
def owner_a(premises_a):
    owner = UserFactory(email="anna@example.com")
    OwnershipFactory(user=owner, premises=premises_a)
    return owner


def test_same_announcement_twice_at_once_is_one_announcement_told_once(key_a, community_a, owner_a):
    row = {"external_id": "OGL/1", "title": "Przegląd", "body": "W czwartek przegląd."}
    url = f"/api/v1/communities/{community_a.pk}/announcements/batch/"
    first, second = _twice_at_once(url, key_a, [row])
    announcement = Announcement.objects.get()
    ids = {"OGL/1": announcement.pk}
    assert first == (
        200,
        {"created": 1, "updated": 0, "unchanged": 0, "batch_id": None, "ids": ids},
    )
    assert second == (
        200,
        {"created": 0, "updated": 0, "unchanged": 1, "batch_id": None, "ids": ids},
    )
    assert Message.objects.filter(recipient=owner_a).count() == 1


def test_same_letter_twice_at_once_is_one_letter(key_a, community_a, premises_a, owner_a):
    row = {
        "external_id": "PAP/1",
        "premises_id": premises_a.pk,
        "subject": "Rozliczenie",
        "attachments": [{"name": "r.pdf", "content_base64": base64.b64encode(PDF).decode()}],
    }
    url = f"/api/v1/communities/{community_a.pk}/letters/batch/"
    first, second = _twice_at_once(url, key_a, [row])
    assert first == (200, {"created": 1, "updated": 0, "unchanged": 0, "batch_id": None})
    assert second == (200, {"created": 0, "updated": 0, "unchanged": 1, "batch_id": None})
    assert Letter.objects.count() == 1


def test_same_community_id_twice_at_once_is_linked_once(key_a, community_a):
    first, second = _twice_at_once(
        "/api/v1/communities/batch/", key_a, [{"external_id": "PAP-WM-5", "id": community_a.pk}]
    )
    assert first[0] == second[0] == 200
    assert (first[1]["unchanged"], second[1]["unchanged"]) == (1, 1)
    assert ExternalRef.objects.filter(kind="community").count() == 1


@pytest.mark.parametrize("kind", ["charges", "payments"])
def test_same_money_batch_twice_at_once_is_booked_once(key_a, community_a, premises_a, kind):
    row = {"premises_id": premises_a.pk, "amount": "350.27"}
    if kind == "charges":
        row |= {"category": "management", "period": "2026-05"}
    else:
        row |= {"bank_reference": "PKO-1", "date": "2026-05-10"}
    url = f"/api/v1/communities/{community_a.pk}/{kind}/batch/"
    first, second = _twice_at_once(url, key_a, [row])
    assert first[0] == 200 and first[1]["created"] == 1
    assert second == (200, {"created": 0, "updated": 0, "unchanged": 1, "batch_id": None})
    assert (Charge if kind == "charges" else Payment).objects.count() == 1
