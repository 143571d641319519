"""Pushing communities and announcements by external id; premises named by external id."""

import pytest

from api.keys import api_key_create
from api.models import ApiKey, ExternalRef
from community.models import Announcement
from finance.models import Charge
from notifications.models import Message
from premises.models import Community

from ..factories import OwnershipFactory, UserFactory

pytestmark = pytest.mark.django_db

COMMUNITIES = "/api/v1/communities/batch/"


def community_row(**values):
    row = {
        "external_id": "PAP-WM-17",
        "name": "WM Kasztanowa 3",
        "street": "ul. Kasztanowa 3",
        "postal_code": "30-001",
        "city": "Kraków",
    }
    row.update(values)
    return row


def test_communities_push_creates_once_then_updates_and_joins_key(api, key_a, company):
    first = api("post", COMMUNITIES, key_a, json={"rows": [community_row()]})
    assert first.status_code == 200, first.json()
    body = first.json()
    assert (body["created"], body["updated"], body["unchanged"]) == (1, 0, 0)
    community = Community.objects.get(name="WM Kasztanowa 3")
    assert body["ids"] == {"PAP-WM-17": community.pk}
    assert community in ApiKey.objects.get().communities.all()
    same = api("post", COMMUNITIES, key_a, json={"rows": [community_row()]}).json()
    assert (same["created"], same["updated"], same["unchanged"]) == (0, 0, 1)
    changed = api("post", COMMUNITIES, key_a, json={"rows": [community_row(city="Wieliczka")]})
    assert changed.json()["updated"] == 1
    assert Community.objects.get(pk=community.pk).city == "Wieliczka"
    assert Community.objects.filter(name="WM Kasztanowa 3").count() == 1


def test_communities_push_adopts_existing_by_strefa_id(api, key_a, community_a):
    row = {"external_id": "PAP-1", "id": community_a.pk}
    assert api("post", COMMUNITIES, key_a, json={"rows": [row]}).json()["unchanged"] == 1
    assert ExternalRef.objects.get(kind="community").object_id == community_a.pk
    again = api(
        "post", COMMUNITIES, key_a, json={"rows": [{"external_id": "PAP-2", "id": community_a.pk}]}
    )
    assert again.json()["errors"][0]["code"] == "external_id_conflict"


def test_communities_push_scope_and_validation(
    api, key_a, key_a_read, community_a, community_b, office_admin
):
    # Another key's community, named by its external id or Strefa id: refused, nothing changes.
    key_b, text_b = api_key_create(
        name="KTM", communities=[community_b], access="read_write", created_by=office_admin
    )
    api("post", COMMUNITIES, text_b, json={"rows": [{"external_id": "B-1", "id": community_b.pk}]})
    response = api("post", COMMUNITIES, key_a, json={"rows": [{"external_id": "B-1", "name": "X"}]})
    assert response.json()["errors"][0]["code"] == "community_not_found"
    response = api(
        "post", COMMUNITIES, key_a, json={"rows": [{"external_id": "B-2", "id": community_b.pk}]}
    )
    assert response.json()["errors"][0]["code"] == "community_not_found"
    assert Community.objects.get(pk=community_b.pk).name == "WM Obca"
    bad = api(
        "post", COMMUNITIES, key_a, json={"rows": [community_row(postal_code="30001", name="")]}
    )
    assert bad.status_code == 400
    assert {e["code"] for e in bad.json()["errors"]} == {"invalid_postal_code", "required_field"}
    assert not Community.objects.filter(street="ul. Kasztanowa 3").exists()
    assert api("post", COMMUNITIES, key_a_read, json={"rows": [community_row()]}).status_code == 403


def announcements_url(community):
    return f"/api/v1/communities/{community.pk}/announcements/batch/"


def test_announcements_push_notifies_once_through_the_service(
    api, key_a, community_a, community_b, premises_a, building_a
):
    resident = UserFactory(email="anna@example.com")
    OwnershipFactory(user=resident, premises=premises_a)
    row = {
        "external_id": "OGL/2026/5",
        "title": "Przegląd kominiarski",
        "body": "W czwartek od 8:00 przegląd przewodów kominowych.",
        "building": "ul. Lipowa 5",
    }
    first = api("post", announcements_url(community_a), key_a, json={"rows": [row]})
    assert first.status_code == 200, first.json()
    announcement = Announcement.objects.get()
    assert first.json()["ids"] == {"OGL/2026/5": announcement.pk}
    assert (announcement.building, announcement.notified_at is not None) == (building_a, True)
    assert Message.objects.filter(recipient=resident).count() == 1
    second = api("post", announcements_url(community_a), key_a, json={"rows": [row]}).json()
    assert (second["created"], second["unchanged"]) == (0, 1)
    fixed = dict(row, title="Przegląd kominiarski – zmiana godziny")
    assert (
        api("post", announcements_url(community_a), key_a, json={"rows": [fixed]}).json()["updated"]
        == 1
    )
    assert Announcement.objects.get().title == "Przegląd kominiarski – zmiana godziny"
    assert Message.objects.filter(recipient=resident).count() == 1  # told once
    # Another community: 404; a building of another community: a row error.
    assert (
        api("post", announcements_url(community_b), key_a, json={"rows": [row]}).status_code == 404
    )
    foreign = dict(row, external_id="OGL/X", building="ul. Obca 1")
    response = api("post", announcements_url(community_a), key_a, json={"rows": [foreign]})
    assert response.json()["errors"][0]["code"] == "building_not_found"
    assert Announcement.objects.count() == 1


def test_announcement_bad_dates_change_nothing(api, key_a, key_a_read, community_a):
    row = {
        "external_id": "OGL/1",
        "title": "Zebranie",
        "body": "Zebranie właścicieli.",
        "publish_at": "2026-12-01T10:00:00+01:00",
        "expires_at": "2026-11-01T10:00:00+01:00",
    }
    response = api("post", announcements_url(community_a), key_a, json={"rows": [row]})
    assert response.json()["errors"][0]["code"] == "invalid_date"
    response = api(
        "post",
        announcements_url(community_a),
        key_a,
        json={"rows": [dict(row, expires_at="jutro")]},
    )
    assert response.json()["errors"][0]["code"] == "invalid_date"
    response = api("post", announcements_url(community_a), key_a_read, json={"rows": [row]})
    assert response.status_code == 403
    assert Announcement.objects.count() == 0


def register_row(**values):
    row = {
        "street": "ul. Lipowa 5",
        "number": "7",
        "area": "54,30",
        "share": "5430/100000",
        "last_name": "Kowalska",
        "first_name": "Anna",
        "premises_external_id": "PAP-L-0007",
    }
    row.update(values)
    return row


def test_premises_external_id_set_by_register_used_by_charges(
    api, key_a, community_a, community_b, building_a, premises_b
):
    url = f"/api/v1/communities/{community_a.pk}/register/batch/"
    response = api("post", url, key_a, json={"rows": [register_row()]})
    assert response.status_code == 200, response.json()
    ref = ExternalRef.objects.get(kind="premises")
    assert ref.external_id == "PAP-L-0007"
    again = api("post", url, key_a, json={"rows": [register_row()]})
    assert again.status_code == 200
    assert ExternalRef.objects.filter(kind="premises").count() == 1
    # The same id for another premises: refused, nothing saved.
    clash = api("post", url, key_a, json={"rows": [register_row(number="8", last_name="Nowy")]})
    assert clash.json()["errors"][0]["code"] == "external_id_conflict"
    charge = {
        "premises_external_id": "PAP-L-0007",
        "category": "management",
        "period": "2026-05",
        "amount": "350.27",
    }
    charges = f"/api/v1/communities/{community_a.pk}/charges/batch/"
    assert api("post", charges, key_a, json={"rows": [charge]}).json()["created"] == 1
    assert Charge.objects.get().premises_id == ref.object_id
    # The id is unknown in community B (ids are per community).
    ExternalRef.objects.create(
        community=community_b, kind="premises", external_id="B-7", object_id=premises_b.pk
    )
    response = api(
        "post", charges, key_a, json={"rows": [dict(charge, premises_external_id="B-7")]}
    )
    assert response.json()["errors"][0]["code"] == "premises_not_found"
    assert Charge.objects.count() == 1


def test_register_push_links_the_external_id_to_premises_stored_as_012(
    api, key_a, community_a, building_a
):
    """The integrator writes "7", the office stored "007": one premises, linked."""
    from premises.models import Premises

    stored = Premises.objects.create(
        building=building_a,
        number="007",
        area="54.30",
        share_numerator=5430,
        share_denominator=100000,
    )
    url = f"/api/v1/communities/{community_a.pk}/register/batch/"
    response = api("post", url, key_a, json={"rows": [register_row()]})
    assert response.status_code == 200, response.json()
    assert Premises.objects.filter(building=building_a).count() == 1
    assert ExternalRef.objects.get(kind="premises").object_id == stored.pk


def test_community_list_shows_external_id(api, key_a, community_a):
    api("post", COMMUNITIES, key_a, json={"rows": [{"external_id": "PAP-5", "id": community_a.pk}]})
    body = api("get", "/api/v1/communities/", key_a).json()
    assert body["results"][0]["external_id"] == "PAP-5"


def register_push_queries(api, key, community, size, offset):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rows = [
        register_row(
            number=str(offset + i),
            last_name=f"Kowalska{offset + i}",
            email=f"k{offset + i}@example.com",
            share="1/1000",
            premises_external_id=f"PAP-{offset + i}",
        )
        for i in range(size)
    ]
    url = f"/api/v1/communities/{community.pk}/register/batch/"
    with CaptureQueriesContext(connection) as queries:
        response = api("post", url, key, json={"rows": rows})
    assert response.status_code == 200, response.json()
    assert response.json()["created"] == size
    return len(queries)


def test_register_push_queries_do_not_grow_with_rows(api, key_a, community_a, building_a):
    # Key and throttle, the register's reads and bulk writes, the external ids: per batch
    # (the first request also reads what is cached afterwards).
    small = register_push_queries(api, key_a, community_a, 3, 100)
    large = register_push_queries(api, key_a, community_a, 30, 200)
    assert large <= small <= 30, (small, large)
