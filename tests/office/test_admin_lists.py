"""Change lists run a bounded number of queries; bulk password reset; audit trail."""

import base64
import re

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ..factories import OwnershipFactory, PremisesFactory, UserFactory
from ..pdf import pdf_page_count, pdf_text

pytestmark = pytest.mark.django_db

CHANGELISTS = ["/admin/premises/premises/", "/admin/premises/ownership/", "/admin/accounts/user/"]


def _fill(building, n):
    for i in range(n):
        person = UserFactory()
        premises = PremisesFactory(building=building, number=f"L{i}")
        OwnershipFactory(user=person, premises=premises)
        OwnershipFactory(user=UserFactory(), premises=premises, role="co_owner")


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", CHANGELISTS)
def test_changelist_queries_do_not_grow_with_rows(staff_client, building, url):
    _fill(building, 1)
    one = _queries(staff_client, url)
    for i in range(25):
        OwnershipFactory(premises=PremisesFactory(building=building, number=f"M{i}"))
    assert _queries(staff_client, url) == one


@pytest.mark.parametrize("url", CHANGELISTS)
def test_changelist_shows_the_people_and_premises(staff_client, resident, premises, url):
    content = staff_client.get(url).content.decode()
    assert resident.last_name in content or premises.number in content


def test_premises_list_searches_by_owner_and_number(staff_client, resident, premises, neighbour):
    content = staff_client.get("/admin/premises/premises/", {"q": "Nowak"}).content.decode()
    assert "Anna Nowak" in content
    assert "/ 14" not in content  # the neighbour's premises
    content = staff_client.get("/admin/accounts/user/", {"q": resident.username}).content.decode()
    assert "Nowak" in content and "Sąsiad" not in content


def test_reset_password_prints_new_passwords_and_keeps_account_active(staff_client, building):
    people = [UserFactory(is_active=True, must_change_password=False) for _ in range(3)]
    for n, person in enumerate(people):
        OwnershipFactory(user=person, premises=PremisesFactory(building=building, number=f"R{n}"))
    response = staff_client.post(
        "/admin/accounts/user/",
        {"action": "reset_passwords", "_selected_action": [p.pk for p in people]},
    )
    content = response.content.decode()
    passwords = re.findall(r'class="issued-password">([^<]+)<', content)
    assert len(passwords) == 3
    assert "Konta zachowują swój stan" in content
    pdf = base64.b64decode(re.search(r"base64,([^\"]+)\"", content).group(1))
    assert pdf_page_count(pdf) == 3
    assert passwords[0] in pdf_text(pdf)
    for person in people:
        person.refresh_from_db()
        assert person.is_active and person.must_change_password
        assert any(person.check_password(p) for p in passwords)


def test_changes_in_admin_are_recorded_with_who_made_them(staff_client, staff_a, premises):
    response = staff_client.post(
        f"/admin/premises/premises/{premises.pk}/change/",
        {
            "building": premises.building.pk,
            "number": "12",
            "kind": "flat",
            "area": "61.50",
            "persons": "4",
            "share_numerator": "5000",
            "share_denominator": "100000",
            "bank_account": "",
            "ownerships-TOTAL_FORMS": "0",
            "ownerships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    latest = premises.history.latest()
    assert latest.history_user == staff_a
    assert str(latest.area) == "61.50"
    content = staff_client.get(f"/admin/premises/premises/{premises.pk}/history/").content.decode()
    assert "Ewa Biurowa" in content or staff_a.username in content
    assert "61.50" in content or "61,50" in content


def test_account_actions_leave_an_audit_entry(staff_client, staff_a, resident):
    staff_client.post(
        "/admin/accounts/user/",
        {"action": "deactivate_accounts", "_selected_action": [resident.pk]},
    )
    latest = resident.history.latest()
    assert latest.history_user == staff_a and latest.deactivated_at is not None
    content = staff_client.get(f"/admin/accounts/user/{resident.pk}/history/").content.decode()
    assert "dezaktyw" in content.lower()


AUDITED = ["accounts.User", "premises.Community", "premises.Premises", "premises.Ownership"]


@pytest.mark.parametrize("label", AUDITED)
def test_audited_models_show_history_in_admin(label):
    model_admin = next(a for m, a in admin.site._registry.items() if m._meta.label == label)
    assert hasattr(model_admin.model, "history")
    assert hasattr(model_admin, "history_view_title")  # SimpleHistoryAdmin


FINANCE = sorted(
    (model._meta.label, model_admin)
    for model, model_admin in admin.site._registry.items()
    if model._meta.label in {"finance.Charge", "finance.Payment"}
)


@pytest.mark.skipif(not FINANCE, reason="finance admin not registered yet")
@pytest.mark.parametrize(("label", "model_admin"), FINANCE, ids=[label for label, _ in FINANCE])
def test_booked_money_cannot_be_deleted_in_admin(label, model_admin, office_admin, rf_request):
    request = rf_request(office_admin)
    assert not model_admin.has_delete_permission(request)
    assert "delete_selected" not in model_admin.get_actions(request)
    assert hasattr(model_admin.model, "history"), f"{label} must keep an audit trail"
