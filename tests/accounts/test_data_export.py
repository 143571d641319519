import json

import pytest
from django.utils import timezone

from premises.models import Ownership

from ..factories import OwnershipFactory, PremisesFactory, UserFactory
from ..utils import count_queries
from .helpers import fill_personal_data

pytestmark = pytest.mark.django_db

URL = "/profil/moje-dane.json"


def export_of(client) -> dict:
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def test_profile_offers_the_download(resident_client):
    response = resident_client.get("/profil/")
    assert "Pobierz moje dane" in response.text
    assert URL in response.text


def test_export_is_a_dated_attachment(resident_client):
    response = resident_client.get(URL)
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="strefa-moje-dane-{today}.json"'
    )
    assert "no-store" in response["Cache-Control"]


def test_export_contains_own_data_from_every_tab(resident_client, resident, premises):
    resident.email, resident.phone = "anna@example.com", "600700800"
    resident.save()
    fill_personal_data(resident, premises, tag="MOJE")
    data = export_of(resident_client)

    assert data["profile"]["login"] == resident.username
    assert data["profile"]["last_name"] == "Nowak"
    assert data["profile"]["email"] == "anna@example.com"
    assert data["profile"]["phone"] == "600700800"
    [ownership] = data["ownerships"]
    assert ownership["premises"]["number"] == "12"
    assert ownership["role"] == "właściciel"
    charge = data["finance"]["charges"][0]
    assert charge["amount"] == "412.35"
    assert charge["due_date"] == "2025-01-10"
    assert data["finance"]["payments"][0]["amount"] == "400.00"
    assert data["meter_readings"][0]["value"] == "12.345"
    failure = data["failure_reports"][0]
    assert failure["description"] == "Cieknie kran MOJE"
    assert failure["status_history"][0]["comment"] == "Hydraulik jutro MOJE"
    assert data["letters"][0]["subject"] == "Pismo MOJE"
    assert data["messages_to_office"][0]["messages"][0]["body"] == "Wiadomość MOJE"
    assert data["delivery_consents"][0]["consent_text"] == "Zgoda MOJE"
    assert data["votes"][0]["resolution_title"] == "Uchwała MOJE"
    assert data["votes"][0]["choice"] == "za"


def test_export_shows_past_ownerships_too(resident_client, resident, building):
    old = PremisesFactory(building=building, number="3")
    OwnershipFactory(
        user=resident,
        premises=old,
        valid_from=timezone.localdate().replace(year=2015),
        valid_to=timezone.localdate().replace(year=2020),
    )
    numbers = {o["premises"]["number"]: o for o in export_of(resident_client)["ownerships"]}
    assert set(numbers) == {"12", "3"}
    assert numbers["3"]["valid_to"].startswith("2020-")


def test_export_leaks_nothing_of_neighbour_stranger_or_co_owner(
    resident_client, resident, premises, neighbour, stranger
):
    co_owner = UserFactory(first_name="Piotr", last_name="Nowak", email="piotr@example.com")
    co_owner.phone = "511222333"
    co_owner.save()
    OwnershipFactory(user=co_owner, premises=premises, role=Ownership.Role.CO_OWNER)
    for person, tag in [(neighbour, "SASIAD"), (stranger, "OBCY")]:
        fill_personal_data(person, person.ownerships.get().premises, tag=tag)
    # The co-owner's own acts on the shared premises are theirs, not Anna's.
    fill_personal_data(co_owner, premises, tag="PIOTR")

    response = resident_client.get(URL)
    text = response.content.decode()
    for tag in ["SASIAD", "OBCY", "Sąsiad", "Mieszkaniec", "Płatnik", "PL6110901014"]:
        assert tag not in text
    for secret in ["piotr@example.com", "511222333", stranger.email, neighbour.email]:
        assert secret not in text
    assert "Cieknie kran PIOTR" not in text
    assert "Wiadomość PIOTR" not in text
    # Charges of the shared premises belong to both co-owners.
    assert "Zaliczka PIOTR" in text


def test_export_never_contains_the_password_hash(resident_client, resident):
    text = resident_client.get(URL).content.decode()
    assert resident.password not in text
    assert "pbkdf2" not in text and "argon2" not in text and "password" not in text


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/logowanie/")


def test_export_runs_a_fixed_number_of_queries(client, building):
    # Session and user, then one query per section (two where rows have nested lists):
    # the same for one row of everything and for many.
    counts = []
    for number, rows in [("1", 1), ("2", 6)]:
        user = UserFactory()
        premises = PremisesFactory(building=building, number=number)
        OwnershipFactory(user=user, premises=premises)
        fill_personal_data(user, premises, tag="X", count=rows)
        client.force_login(user)
        counts.append(count_queries(client, URL))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 20, counts
