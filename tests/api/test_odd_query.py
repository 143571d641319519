"""The API answers odd query strings in its own JSON (the portal's NUL check leaves it alone)."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_nul_in_updated_since_is_a_json_field_error(api, key_a):
    response = api("get", "/api/v1/readings/?updated_since=%00", key_a)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "updated_since" in response.json()
