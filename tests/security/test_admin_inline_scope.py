"""Admin inlines are scoped like lists: staff see and delete only their communities' rows."""

import pytest

from premises.models import Ownership

from ..factories import OwnershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_communities_holder(resident, stranger):
    """Anna holds a premises in community A (staff's) and one in WM Obca (not theirs)."""
    theirs = stranger.ownerships.get().premises
    foreign = OwnershipFactory(user=resident, premises=theirs, role=Ownership.Role.TENANT)
    return resident, foreign


def _post_data(person, rows):
    data = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "phone": person.phone,
        "correspondence_address": "",
        "is_active": "on",
        "ownerships-TOTAL_FORMS": str(len(rows)),
        "ownerships-INITIAL_FORMS": str(len(rows)),
    }
    for index, (ownership, delete) in enumerate(rows):
        prefix = f"ownerships-{index}-"
        data.update(
            {
                f"{prefix}id": ownership.pk,
                f"{prefix}user": person.pk,
                f"{prefix}premises": ownership.premises.pk,
                f"{prefix}role": ownership.role,
                f"{prefix}valid_from": ownership.valid_from.strftime("%d.%m.%Y"),
            }
        )
        if delete:
            data[f"{prefix}DELETE"] = "on"
    return data


def test_person_page_shows_only_ownerships_of_staff_communities(
    staff_client, two_communities_holder
):
    person, foreign = two_communities_holder
    mine = person.ownerships.exclude(pk=foreign.pk).get()
    content = staff_client.get(f"/admin/accounts/user/{person.pk}/change/").content.decode()
    assert f'value="{mine.pk}"' in content
    assert f'value="{foreign.pk}"' not in content
    assert "/ 99" not in content
    assert 'name="ownerships-INITIAL_FORMS" value="1"' in content


def test_forged_post_cannot_delete_another_communitys_ownership(
    staff_client, two_communities_holder
):
    person, foreign = two_communities_holder
    mine = person.ownerships.exclude(pk=foreign.pk).get()
    response = staff_client.post(
        f"/admin/accounts/user/{person.pk}/change/",
        _post_data(person, [(mine, False), (foreign, True)]),
    )
    assert Ownership.objects.filter(pk=foreign.pk).exists()
    assert Ownership.objects.filter(pk=mine.pk).exists()
    if response.status_code == 200:
        assert "Wybierz poprawną wartość" in response.content.decode()


def test_forged_post_of_only_the_foreign_row_changes_nothing(staff_client, two_communities_holder):
    person, foreign = two_communities_holder
    staff_client.post(
        f"/admin/accounts/user/{person.pk}/change/", _post_data(person, [(foreign, True)])
    )
    assert Ownership.objects.filter(pk=foreign.pk).exists()


def test_office_admin_still_sees_and_deletes_every_row(admin_client_, two_communities_holder):
    person, foreign = two_communities_holder
    mine = person.ownerships.exclude(pk=foreign.pk).get()
    content = admin_client_.get(f"/admin/accounts/user/{person.pk}/change/").content.decode()
    assert f'value="{foreign.pk}"' in content
    response = admin_client_.post(
        f"/admin/accounts/user/{person.pk}/change/",
        _post_data(person, [(mine, False), (foreign, True)]),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not Ownership.objects.filter(pk=foreign.pk).exists()
