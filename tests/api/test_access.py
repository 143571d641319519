"""Keys: bearer only, revoked and read-only keys, per-key throttling, the admin shows it once."""

import pytest
from django.contrib.messages import get_messages

from api.keys import api_key_revoke
from api.models import ApiKey
from finance.models import Charge

pytestmark = pytest.mark.django_db

WRONG_KEY = "Nieprawidłowy, nieznany, wygasły lub unieważniony klucz API."
ROW = {"number": "12", "category": "management", "period": "2026-05", "amount": "350.27"}


def test_no_or_wrong_key_is_401_in_polish(api, key_a, community_a):
    response = api("get", "/api/v1/communities/", None)
    assert response.status_code == 401
    assert response.json()["detail"] == "Podaj klucz API: Authorization: Bearer <klucz>."
    prefix = key_a.split(".")[0]
    response = api("get", "/api/v1/communities/", f"{prefix}.zly-sekret")
    assert response.status_code == 401
    assert response.json()["detail"] == WRONG_KEY


def test_key_lists_only_its_communities_and_records_use(api, key_a, community_a, community_b):
    response = api("get", "/api/v1/communities/", key_a)
    assert [c["name"] for c in response.json()["results"]] == ["WM Lipowa 5"]
    assert ApiKey.objects.get().last_used_at is not None


def test_revoked_key_is_refused(api, key_a, community_a, premises_a):
    api_key_revoke(key=ApiKey.objects.get())
    response = api(
        "post", f"/api/v1/communities/{community_a.pk}/charges/batch/", key_a, json={"rows": [ROW]}
    )
    assert response.status_code == 401
    assert response.json()["detail"] == WRONG_KEY
    assert Charge.objects.count() == 0


def test_read_only_key_reads_but_cannot_write(api, key_a_read, community_a, premises_a):
    assert api("get", "/api/v1/failures/", key_a_read).status_code == 200
    response = api(
        "post",
        f"/api/v1/communities/{community_a.pk}/charges/batch/",
        key_a_read,
        json={"rows": [ROW]},
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "Ten klucz API pozwala tylko na odczyt."
    assert Charge.objects.count() == 0


def test_throttling_counts_per_key(api, settings, key_a, key_a_read, community_a):
    settings.STREFA_API_RATE = "2/min"
    assert api("get", "/api/v1/communities/", key_a).status_code == 200
    assert api("get", "/api/v1/communities/", key_a).status_code == 200
    third = api("get", "/api/v1/communities/", key_a)
    assert third.status_code == 429
    assert third.json()["detail"].startswith("Za dużo zapytań tym kluczem API; spróbuj ponownie")
    assert third["Retry-After"]
    # Another key has its own budget.
    assert api("get", "/api/v1/communities/", key_a_read).status_code == 200


def test_admin_creates_key_shows_secret_once(client, office_admin, community_a, api):
    client.force_login(office_admin)
    response = client.post(
        "/admin/api/apikey/add/",
        {"name": "KTM", "communities": [community_a.pk], "access": "read_write"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages[0].startswith("Klucz API (skopiuj go teraz – nie zostanie pokazany ponownie): ")
    text = messages[0].split(": ", 1)[1]
    key = ApiKey.objects.get(name="KTM")
    assert text.startswith(f"{key.prefix}.")
    assert text.split(".", 1)[1] not in key.secret_hash
    assert key.created_by == office_admin
    client.logout()
    assert api("get", "/api/v1/communities/", text).json()["results"][0]["name"] == "WM Lipowa 5"
    # The change page never shows the secret again.
    client.force_login(office_admin)
    page = client.get(f"/admin/api/apikey/{key.pk}/change/").content.decode()
    assert text.split(".", 1)[1] not in page
    assert key.prefix in page


NEW_PULLS = ["/api/v1/consents/", "/api/v1/resolutions/", "/api/v1/resignations/"]


@pytest.mark.parametrize("url", NEW_PULLS)
def test_new_pulls_read_only_key_reads_revoked_key_refused(api, key_a_read, url):
    assert api("get", url, key_a_read).status_code == 200
    api_key_revoke(key=ApiKey.objects.get())
    assert api("get", url, key_a_read).status_code == 401


@pytest.mark.parametrize("push", ["batch/", "{id}/announcements/batch/"])
def test_new_pushes_refuse_read_only_and_revoked_keys(api, key_a, key_a_read, community_a, push):
    from community.models import Announcement
    from premises.models import Community

    url = "/api/v1/communities/" + push.format(id=community_a.pk)
    row = {"external_id": "X-1", "name": "WM Nowa", "title": "T", "body": "B"}
    assert api("post", url, key_a_read, json={"rows": [row]}).status_code == 403
    for key in ApiKey.objects.all():
        api_key_revoke(key=key)
    assert api("post", url, key_a, json={"rows": [row]}).status_code == 401
    assert not Community.objects.filter(name="WM Nowa").exists()
    assert not Announcement.objects.exists()


# --- expiry ----------------------------------------------------------------------------------


def _expire(days_from_today):
    import datetime

    from django.utils import timezone

    day = timezone.localdate() + datetime.timedelta(days=days_from_today)
    ApiKey.objects.update(expires_on=day)


def test_key_works_through_its_expiry_day(api, key_a, community_a):
    _expire(0)
    response = api("get", "/api/v1/communities/", key_a)
    assert [c["name"] for c in response.json()["results"]] == ["WM Lipowa 5"]


def test_expired_key_gets_the_same_401_as_a_wrong_key(api, key_a, community_a, premises_a):
    _expire(-1)
    prefix = key_a.split(".")[0]
    wrong = api("get", "/api/v1/communities/", f"{prefix}.zly-sekret")
    for response in (
        api("get", "/api/v1/communities/", key_a),
        api(
            "post",
            f"/api/v1/communities/{community_a.pk}/charges/batch/",
            key_a,
            json={"rows": [ROW]},
        ),
    ):
        assert response.status_code == 401
        assert response.json() == wrong.json() == {"detail": WRONG_KEY}
        assert response["WWW-Authenticate"] == wrong["WWW-Authenticate"]
    assert Charge.objects.count() == 0
    assert ApiKey.objects.get().last_used_at is None


def test_admin_sets_and_shows_expiry_and_last_use(client, office_admin, community_a, api):
    client.force_login(office_admin)
    response = client.post(
        "/admin/api/apikey/add/",
        {
            "name": "KTM",
            "communities": [community_a.pk],
            "access": "read",
            "expires_on": "31.12.2030",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    key = ApiKey.objects.get(name="KTM")
    assert str(key.expires_on) == "2030-12-31"
    text = [str(m) for m in get_messages(response.wsgi_request)][0].split(": ", 1)[1]
    api("get", "/api/v1/communities/", text)
    page = client.get("/admin/api/apikey/").content.decode()
    assert "Ważny do" in page
    assert 'field-expires_on nowrap">31 grudnia 2030<' in page
    assert "Ostatnie użycie" in page
    key.refresh_from_db()
    assert key.last_used_at is not None
    client.logout()


def test_admin_refuses_a_past_expiry_for_a_new_key(client, office_admin, community_a):
    client.force_login(office_admin)
    response = client.post(
        "/admin/api/apikey/add/",
        {
            "name": "KTM",
            "communities": [community_a.pk],
            "access": "read",
            "expires_on": "01.01.2020",
        },
    )
    assert response.status_code == 200
    assert "Data ważności nie może być wcześniejsza niż dziś." in response.content.decode()
    assert not ApiKey.objects.exists()
    client.logout()


def test_key_stops_when_its_creator_is_no_longer_office_administrator(
    api, key_a, community_a, office_admin
):
    office_admin.is_superuser = False
    office_admin.save(update_fields=["is_superuser"])
    response = api("get", "/api/v1/communities/", key_a)
    assert response.status_code == 401
    assert response.json() == {"detail": WRONG_KEY}
