"""Audit trail of failures: status changes and report edits record who made them."""

import pytest

from failures.models import FailureReport, FailureStatusChange
from office.services import community_role_assign
from premises.models import CommunityRole
from tests.factories import make_report

from ..factories import UserFactory
from .test_comments import CHANGELIST, change_data

pytestmark = pytest.mark.django_db


def test_status_change_in_admin_is_recorded_with_the_staff_member(
    client, community, resident, building
):
    staff = UserFactory(username="pracownik", is_staff=True)
    community_role_assign(user=staff, community=community, role=CommunityRole.Role.OFFICE_STAFF)
    report = make_report(resident, building=building)
    client.force_login(staff)
    data = change_data(
        client,
        report,
        new_status=FailureReport.Status.ACCEPTED,
        description="Cieknie kran w piwnicy nr 2.",
    )
    response = client.post(f"{CHANGELIST}{report.pk}/change/", data)
    assert response.status_code == 302

    change = report.status_changes.get(to_status=FailureReport.Status.ACCEPTED)
    assert change.history.get().history_user == staff
    assert FailureStatusChange.history.filter(history_user=staff).count() == 1
    edit = report.history.filter(description="Cieknie kran w piwnicy nr 2.").latest()
    assert edit.history_user == staff
    page = client.get(f"{CHANGELIST}{report.pk}/history/").content.decode()
    assert "pracownik" in page
