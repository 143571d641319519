"""Login and logout never send the visitor to another site, and a login starts a new session
(checked in the access audit; these held already and stay held)."""

import pytest

from ..factories import PASSWORD

pytestmark = pytest.mark.django_db

FOREIGN = [
    "https://zly.example/",
    "//zly.example/",
    "/\\zly.example",
    "\\\\zly.example",
    "https:zly.example",
    " //zly.example",
    "javascript:alert(1)",
]


@pytest.mark.parametrize("target", FOREIGN)
def test_login_next_to_another_site_lands_on_the_start_page(client, resident, target):
    response = client.post(
        f"/logowanie/?next={target}",
        {"login": resident.username, "password": PASSWORD, "next": target},
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.parametrize("target", FOREIGN)
def test_logout_next_to_another_site_lands_on_the_start_page(client, resident, target):
    client.force_login(resident)
    response = client.post("/wyloguj/", {"next": target})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_login_next_within_the_portal_is_kept(client, resident):
    response = client.post(
        "/logowanie/", {"login": resident.username, "password": PASSWORD, "next": "/finanse/"}
    )
    assert response["Location"] == "/finanse/"


def test_login_starts_a_new_session(client, resident):
    client.get("/logowanie/")
    session = client.session
    session["planted"] = "1"
    session.save()
    planted = session.session_key
    client.post("/logowanie/", {"login": resident.username, "password": PASSWORD})
    assert client.session.session_key != planted
    assert "_auth_user_id" in client.session


def test_logout_by_get_only_asks(client, resident):
    client.force_login(resident)
    response = client.get("/wyloguj/")
    assert response.status_code == 200
    assert "_auth_user_id" in client.session
