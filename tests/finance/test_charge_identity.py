"""One charge whatever the path: what the accounting system sends again through the file import
or the API is booked once, with or without its title; two charges that differ stay two."""

import datetime
from decimal import Decimal

import pytest

from api.batches import charges_push
from api.keys import api_key_create
from api.models import ApiKey
from finance.imports import preview_charges
from finance.models import Charge
from finance.services import import_apply
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FILE = (
    "lokal;kategoria;okres;kwota;termin;tytul\n"
    "12;zaliczka na koszty zarządu;2025-05;350,27;2025-05-10;Zaliczka maj 2025 – lokal 12\n"
)
ROW = {
    "number": "12",
    "category": "management",
    "period": "2025-05",
    "amount": "350.27",
    "due_date": "2025-05-10",
}


@pytest.fixture
def office(db):
    return UserFactory(is_staff=True, is_superuser=True, username="biuro")


@pytest.fixture
def key(office, community):
    key, _text = api_key_create(
        name="Papirus", communities=[community], access=ApiKey.Access.READ_WRITE, created_by=office
    )
    return key


def import_file(premises, office, content):
    preview = preview_charges(
        community=premises.building.community, file_name="n.csv", content=content.encode()
    )
    assert not preview.has_errors, [row.errors for row in preview.rows]
    import_apply(preview=preview, user=office)
    return preview


def test_charge_pushed_without_title_after_the_file_gave_it_one_is_booked_once(
    premises, office, key
):
    import_file(premises, office, FILE)
    result = charges_push(key=key, community=premises.building.community, rows=[ROW])
    assert (result.created, result.unchanged, result.errors) == (0, 1, [])
    assert Charge.objects.get().title == "Zaliczka maj 2025 – lokal 12"


def test_charge_in_a_file_after_the_api_pushed_it_without_title_is_booked_once(
    premises, office, key
):
    assert charges_push(key=key, community=premises.building.community, rows=[ROW]).created == 1
    preview = import_file(premises, office, FILE)
    assert preview.to_create == []
    assert [row.notice for row in preview.rows] == [
        "Naliczenie zaksięgowane wcześniej – pominięto."
    ]
    assert Charge.objects.count() == 1


def test_two_charges_alike_but_for_their_titles_are_both_kept(premises, office, key):
    content = (
        "lokal;kategoria;okres;kwota;tytul\n"
        "12;woda;2025-05;50,00;Woda – zaliczka\n"
        "12;woda;2025-05;50,00;Woda – wyrównanie za 2024\n"
    )
    import_file(premises, office, content)
    assert Charge.objects.count() == 2
    again = preview_charges(
        community=premises.building.community, file_name="n2.csv", content=content.encode()
    )
    assert again.to_create == []


def test_charges_with_the_integrators_own_ids_are_told_apart_and_resent_once(premises, key):
    community = premises.building.community
    rows = [dict(ROW, external_id="N/2025/05/1"), dict(ROW, external_id="N/2025/05/2")]
    first = charges_push(key=key, community=community, rows=rows)
    assert (first.created, first.errors) == (2, [])
    again = charges_push(key=key, community=community, rows=rows)
    assert (again.created, again.unchanged, again.errors) == (0, 2, [])
    assert Charge.objects.count() == 2


def test_charge_resent_with_its_id_and_another_amount_is_refused_in_polish(premises, key):
    community = premises.building.community
    row = dict(ROW, external_id="N/2025/05/1")
    charges_push(key=key, community=community, rows=[row])
    changed = charges_push(key=key, community=community, rows=[dict(row, amount="400.00")])
    assert changed.created == 0
    assert [(e["code"], e["message"]) for e in changed.errors] == [
        (
            "conflict_with_booked",
            "Naliczenie o identyfikatorze „N/2025/05/1” jest już zaksięgowane inaczej "
            "(lokal 12, 05/2025, termin 10.05.2025, 350,27\xa0zł); zmianę wprowadź jako "
            "korektę z nowym identyfikatorem.",
        )
    ]
    assert Charge.objects.get().amount == Decimal("350.27")
    assert Charge.objects.get().due_date == datetime.date(2025, 5, 10)


def test_charge_added_twice_in_admin_is_refused_with_a_polish_message(client, office, premises):
    """A double click on "Zapisz": the second form finds the charge saved, no error page."""
    from django.urls import reverse

    client.force_login(office)
    data = {
        "premises": premises.pk,
        "category": "repair_fund",
        "period": "2025-06-01",
        "amount": "135.75",
    }
    assert client.post(reverse("admin:finance_charge_add"), data).status_code == 302
    second = client.post(reverse("admin:finance_charge_add"), data)
    assert second.status_code == 200
    assert "Istnieje już instancja modelu Naliczenie" in second.content.decode()
    assert Charge.objects.count() == 1
