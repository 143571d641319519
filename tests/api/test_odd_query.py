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
