"""The register import (admin file and API push) changes only the people the importing staff
member or key may manage in the admin: never an office colleague or administrator who happens
to hold premises in the community. Their e-mail is where a password reset link goes, so a new
one from a file would hand their account over."""

import pytest
from django.contrib.auth.models import Group

from api.keys import api_key_create
from api.models import ApiKey
from office.roles import ADMIN_GROUP
from office.services import community_role_assign
from premises.models import CommunityRole
from tests.factories import OwnershipFactory, PremisesFactory, UserFactory

from ..office.test_import import confirm, csv_file, preview, row

pytestmark = pytest.mark.django_db

ATTACKER = "przejecie@example.com"


@pytest.fixture(params=["administrator", "staff_elsewhere"])
def colleague(request, building, other_community):
    """An office person (the administrator group, or staff of community B) who owns a flat
    in community A."""
    user = UserFactory(first_name="Ewa", last_name="Kierownik", is_staff=True)
    if request.param == "administrator":
        user.groups.add(Group.objects.get_or_create(name=ADMIN_GROUP)[0])
    else:
        community_role_assign(
            user=user, community=other_community, role=CommunityRole.Role.OFFICE_STAFF
        )
    OwnershipFactory(user=user, premises=PremisesFactory(building=building, number="3"))
    return user


def colleague_row(community, building, colleague, **values):
    cells = {
        "community": community.name,
        "community_nip": "",
        "street": building.street,
        "postal_code": building.postal_code,
        "city": building.city,
        "number": "3",
        "share": "",
        "login": colleague.username,
        "first_name": colleague.first_name,
        "last_name": colleague.last_name,
        "email": ATTACKER,
        "phone": "",
        "recipient": "nie",
        "valid_from": "01.01.2020",
    }
    return row(**{**cells, **values})


def test_staff_file_cannot_change_an_office_colleagues_email(
    staff_client, community, building, colleague
):
    upload = csv_file(colleague_row(community, building, colleague))
    response = preview(staff_client, upload)
    page = response.content.decode()
    assert "Danych tej osoby nie zmienisz importem" in page
    assert 'name="token" value=""' in page or 'name="token"' not in page
    colleague.refresh_from_db()
    assert colleague.email != ATTACKER


def test_staff_file_naming_a_colleague_by_contact_does_not_change_them(
    staff_client, community, building, colleague
):
    upload = csv_file(
        colleague_row(
            community, building, colleague, login="", email=colleague.email, phone="601999888"
        )
    )
    page = preview(staff_client, upload).content.decode()
    assert "Danych tej osoby nie zmienisz importem" in page
    colleague.refresh_from_db()
    assert colleague.phone != "+48601999888"


def test_unchanged_row_of_a_colleague_still_imports(staff_client, community, building, colleague):
    """Re-importing an export keeps working: a row that changes nothing about the person."""
    upload = csv_file(colleague_row(community, building, colleague, email=colleague.email))
    response = preview(staff_client, upload)
    assert "Danych tej osoby nie zmienisz importem" not in response.content.decode()
    assert confirm(staff_client, response).status_code == 302


def test_office_administrator_may_still_change_them(admin_client_, community, building, colleague):
    upload = csv_file(colleague_row(community, building, colleague))
    confirm(admin_client_, preview(admin_client_, upload))
    colleague.refresh_from_db()
    assert colleague.email == ATTACKER


def test_api_register_push_cannot_change_an_office_colleagues_email(
    client, office_admin, community, building, colleague
):
    _key, text = api_key_create(
        name="FK", communities=[community], access=ApiKey.Access.READ_WRITE, created_by=office_admin
    )
    body = {
        "rows": [
            {
                "street": building.street,
                "postal_code": building.postal_code,
                "city": building.city,
                "number": "3",
                "kind": "mieszkanie",
                "login": colleague.username,
                "first_name": colleague.first_name,
                "last_name": colleague.last_name,
                "email": ATTACKER,
                "role": "właściciel",
                "valid_from": "01.01.2020",
            }
        ]
    }
    response = client.post(
        f"/api/v1/communities/{community.pk}/register/batch/",
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {text}"},
    )
    assert response.status_code == 400
    assert "Danych tej osoby nie zmienisz importem" in str(response.json())
    colleague.refresh_from_db()
    assert colleague.email != ATTACKER
