"""Dokumenty admin: community choices follow the office roles (office.roles)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from documents.admin import DocumentAdminForm
from office.roles import ADMIN_GROUP, groups_sync
from office.services import community_role_assign
from premises.models import CommunityRole
from tests.factories import UserFactory

PDF = b"%PDF-1.4\n% test document\n"


@pytest.fixture
def foreign_community(stranger):
    return stranger.ownerships.get().premises.building.community


@pytest.fixture
def office_admin(db):
    """A member of "Administrator biura" who is not a superuser."""
    user = UserFactory(username="adminbiura", is_staff=True)
    user.groups.add(groups_sync()[ADMIN_GROUP])
    return user


def _community_choices(client, user):
    client.force_login(user)
    response = client.get("/admin/documents/document/add/")
    assert response.status_code == 200
    return set(response.context["adminform"].form.fields["community"].queryset)


def test_board_member_is_offered_only_their_community(client, community, foreign_community):
    board = UserFactory(username="zarzad")
    community_role_assign(user=board, community=community, role=CommunityRole.Role.BOARD)
    assert _community_choices(client, board) == {community}


def test_office_admin_group_member_is_offered_every_community(
    client, office_admin, community, foreign_community
):
    assert _community_choices(client, office_admin) == {community, foreign_community}


def test_office_admin_group_member_may_add_a_global_document(office_admin):
    form = DocumentAdminForm(
        data={"title": "Regulamin ogólny", "category": "inne", "published_on": "2025-01-01"},
        files={"file": SimpleUploadedFile("a.pdf", PDF)},
        user=office_admin,
    )
    assert form.is_valid(), form.errors
