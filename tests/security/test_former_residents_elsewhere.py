"""Office staff of community A still see a former owner of A, but once that person holds
premises only in community B they belong to B's office: A's staff cannot print them a new
password, change their e-mail or import over them (that opened B's data to A's staff)."""

import datetime

import pytest

from tests.factories import PASSWORD, OwnershipFactory

from ..office.test_import import confirm, csv_file, preview, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def former(premises, stranger):
    """The stranger (owner in community B) owned a flat in community A until 2019."""
    OwnershipFactory(
        user=stranger,
        premises=premises,
        valid_from=datetime.date(2015, 1, 1),
        valid_to=datetime.date(2019, 12, 31),
    )
    return stranger


def reset_passwords(client, user):
    return client.post(
        "/admin/accounts/user/", {"action": "reset_passwords", "_selected_action": [user.pk]}
    )


def test_staff_of_a_cannot_print_a_new_password_for_a_resident_of_b(staff_client, former):
    response = reset_passwords(staff_client, former)
    assert "Nowe hasła" not in response.content.decode()
    former.refresh_from_db()
    assert former.check_password(PASSWORD)


def test_staff_of_a_see_the_former_owner_read_only(staff_client, former):
    page = staff_client.get(f"/admin/accounts/user/{former.pk}/change/")
    assert page.status_code == 200
    assert former.last_name in page.content.decode()
    assert 'name="email"' not in page.content.decode()
    staff_client.post(
        f"/admin/accounts/user/{former.pk}/change/",
        {"email": "przejecie@example.com", "first_name": "X", "last_name": "Y"},
    )
    former.refresh_from_db()
    assert former.email != "przejecie@example.com"


def test_staff_of_a_still_reset_a_former_owner_who_lives_nowhere_else(
    staff_client, former, premises
):
    former.ownerships.exclude(premises=premises).update(valid_to=datetime.date(2020, 6, 30))
    assert "Nowe hasła" in reset_passwords(staff_client, former).content.decode()
    former.refresh_from_db()
    assert not former.check_password(PASSWORD)


def test_staff_of_a_still_reset_a_person_holding_premises_in_a_and_b(
    staff_client, stranger, premises
):
    OwnershipFactory(user=stranger, premises=premises, valid_from=datetime.date(2020, 1, 1))
    assert "Nowe hasła" in reset_passwords(staff_client, stranger).content.decode()


def test_register_file_of_a_cannot_change_a_resident_of_b(
    staff_client, community, building, premises, former
):
    upload = csv_file(
        row(
            community=community.name,
            community_nip="",
            street=building.street,
            postal_code=building.postal_code,
            city=building.city,
            number=premises.number,
            share="",
            login=former.username,
            first_name=former.first_name,
            last_name=former.last_name,
            email="przejecie@example.com",
            phone="",
            recipient="nie",
            valid_from="01.01.2015",
            valid_to="31.12.2019",
        )
    )
    response = preview(staff_client, upload)
    assert "Danych tej osoby nie zmienisz importem" in response.content.decode()
    former.refresh_from_db()
    assert former.email != "przejecie@example.com"


def test_office_administrator_still_manages_them(admin_client_, former):
    assert "Nowe hasła" in reset_passwords(admin_client_, former).content.decode()


def test_import_without_changes_still_confirms(staff_client, community, building, former):
    upload = csv_file(
        row(
            community=community.name,
            community_nip="",
            street=building.street,
            postal_code=building.postal_code,
            city=building.city,
            number="12",
            share="",
            login=former.username,
            first_name=former.first_name,
            last_name=former.last_name,
            email=former.email,
            phone="",
            recipient="nie",
            valid_from="01.01.2015",
            valid_to="31.12.2019",
        )
    )
    assert confirm(staff_client, preview(staff_client, upload)).status_code == 302
