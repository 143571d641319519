"""The API answers odd query strings in its own JSON (the portal's NUL check leaves it alone)."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_nul_in_updated_since_is_a_json_field_error(api, key_a):
    response = api("get", "/api/v1/readings/?updated_since=%00", key_a)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "updated_since" in response.json()


@pytest.mark.parametrize("path", ["readings", "resolutions", "resignations", "failures"])
@pytest.mark.parametrize("community", [str(2**70), "99999999"])
def test_a_community_the_key_does_not_hold_is_an_empty_list(api, key_a, path, community):
    response = api("get", f"/api/v1/{path}/?community={community}", key_a)
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_a_community_written_in_other_digits_is_a_field_error(api, key_a):
    response = api("get", "/api/v1/readings/?community=%C2%B2", key_a)  # "²"
    assert response.status_code == 400
    assert response.json()["community"] == ["Podaj liczbę – id wspólnoty."]


@pytest.mark.parametrize(
    "value",
    ["0001-01-01T00:00:00%2B01:00", "9999-12-31T23:59:59-01:00"],
    ids=["before-year-1-in-utc", "after-year-9999-in-utc"],
)
def test_a_moment_outside_the_calendar_is_a_json_field_error(api, key_a, community_a, value):
    response = api("get", f"/api/v1/readings/?updated_since={value}", key_a)
    assert response.status_code == 400
    assert response.json() == {
        "updated_since": ["Nieprawidłowa data i godzina (np. 2026-11-28T02:00:00Z)."]
    }


def test_a_cursor_outside_the_calendar_is_a_json_field_error(api, key_a, community_a):
    import base64

    cursor = base64.urlsafe_b64encode(b"0001-01-01T00:00:00+01:00|1").decode().rstrip("=")
    response = api("get", f"/api/v1/readings/?cursor={cursor}", key_a)
    assert response.status_code == 400
    assert response.json() == {"cursor": ["Nieprawidłowy kursor; użyj adresu z „next”."]}


@pytest.mark.parametrize(
    "path",
    ["/api/v1/failures/abc/", "/api/v1/failures/-1/", "/api/v1/nic/", "/api/v2/readings/"],
)
def test_an_address_the_api_does_not_have_is_a_json_404(api, key_a, path):
    response = api("get", path, key_a)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Nie znaleziono."}


def test_an_api_address_without_its_slash_still_redirects(api, key_a):
    response = api("get", "/api/v1/failures", key_a)
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/failures/"
