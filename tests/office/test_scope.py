"""Every admin list, form, choice, autocomplete, export and action stays inside the user's scope."""

import json

import pytest
from django.contrib import admin

from accounts.models import User
from office.admin_mixins import CommunityScopedAdminMixin, resolve_lookup
from office.services import community_role_assign
from premises.models import Community, CommunityRole, Premises

from ..factories import CommunityFactory

pytestmark = pytest.mark.django_db

SCOPED = sorted(
    (model._meta.label, model_admin)
    for model, model_admin in admin.site._registry.items()
    if isinstance(model_admin, CommunityScopedAdminMixin)
)
UNSCOPED = sorted(
    (model._meta.label, model_admin)
    for model, model_admin in admin.site._registry.items()
    if not isinstance(model_admin, CommunityScopedAdminMixin)
)
# Registered without a community: who may change them, and why that is fine.
UNSCOPED_OFFICE_MAY_VIEW = {
    "premises.Company",  # the licence holder, one row, public data
    "accounts.CredentialsSheet",  # each staff member sees only the sheets they issued
}


def _objects(label, resident, stranger):
    """(an object of community A, an object of community B) for the register's models."""
    mine, theirs = resident.ownerships.get(), stranger.ownerships.get()
    pairs = {
        "premises.Community": (
            mine.premises.building.community,
            theirs.premises.building.community,
        ),
        "premises.Building": (mine.premises.building, theirs.premises.building),
        "premises.Premises": (mine.premises, theirs.premises),
        "premises.Ownership": (mine, theirs),
        "accounts.User": (resident, stranger),
    }
    return pairs.get(label)


@pytest.mark.parametrize(("label", "model_admin"), SCOPED, ids=[label for label, _ in SCOPED])
def test_every_scoped_admin_shows_staff_only_their_community(
    label, model_admin, staff_a, office_admin, resident, stranger, community, rf_request
):
    model = model_admin.model
    assert resolve_lookup(model, model_admin.community_lookup) is Community, (
        f"{label}: community_lookup {model_admin.community_lookup!r} must lead to Community"
    )
    staff_qs = model_admin.get_queryset(rf_request(staff_a))
    admin_qs = model_admin.get_queryset(rf_request(office_admin))
    pair = _objects(label, resident, stranger)
    if pair is not None:
        mine, theirs = pair
        assert staff_qs.filter(pk=mine.pk).exists()
        assert not staff_qs.filter(pk=theirs.pk).exists()
        assert admin_qs.filter(pk=theirs.pk).exists()
    else:
        # Other apps' models: the staff query filters by the assigned community; it runs.
        list(staff_qs[:1])
        assert str(staff_qs.query) != str(admin_qs.query)
        assert f"IN ({community.pk})" in str(staff_qs.query)


@pytest.mark.parametrize(("label", "model_admin"), UNSCOPED, ids=[label for label, _ in UNSCOPED])
def test_unscoped_admins_are_out_of_reach_of_staff_and_board(
    label, model_admin, staff_a, board_a, rf_request
):
    for user in (staff_a, board_a):
        request = rf_request(user)
        assert not model_admin.has_change_permission(request), label
        assert not model_admin.has_delete_permission(request), label
        if label not in UNSCOPED_OFFICE_MAY_VIEW and model_admin.has_view_permission(request):
            # Viewable only if it lists nothing to them.
            assert model_admin.get_queryset(request).query.is_empty(), label


def test_staff_changelist_lists_only_their_premises(staff_client, premises, stranger):
    content = staff_client.get("/admin/premises/premises/").content.decode()
    assert premises.building.street in content
    assert "WM Obca" not in content
    theirs = stranger.ownerships.get().premises
    assert theirs.building.street not in content


@pytest.mark.parametrize(
    "url",
    [
        "/admin/premises/premises/{premises}/change/",
        "/admin/premises/premises/{premises}/delete/",
        "/admin/premises/premises/{premises}/history/",
        "/admin/premises/building/{building}/change/",
        "/admin/premises/community/{community}/change/",
        "/admin/premises/ownership/{ownership}/change/",
        "/admin/accounts/user/{user}/change/",
        "/admin/accounts/user/{user}/password/",
        "/admin/accounts/user/{user}/history/",
    ],
)
def test_staff_gets_404_for_another_community(staff_client, stranger, url):
    theirs = stranger.ownerships.get()
    response = staff_client.get(
        url.format(
            premises=theirs.premises.pk,
            building=theirs.premises.building.pk,
            community=theirs.premises.building.community.pk,
            ownership=theirs.pk,
            user=stranger.pk,
        )
    )
    assert response.status_code in (403, 404)


def test_staff_cannot_post_changes_to_another_community(staff_client, stranger):
    theirs = stranger.ownerships.get().premises
    response = staff_client.post(
        f"/admin/premises/premises/{theirs.pk}/change/",
        {"number": "1", "building": theirs.building.pk, "area": "1", "persons": "1"},
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.number == "99"


def test_choices_and_autocomplete_offer_only_own_communities(
    staff_client, community, premises, stranger
):
    response = staff_client.get(
        "/admin/autocomplete/",
        {"app_label": "premises", "model_name": "building", "field_name": "community"},
    )
    names = [r["text"] for r in json.loads(response.content)["results"]]
    assert names == [community.name]

    response = staff_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "premises",
            "model_name": "premises",
            "field_name": "building",
            "term": "ul",
        },
    )
    names = [r["text"] for r in json.loads(response.content)["results"]]
    theirs = stranger.ownerships.get().premises.building
    assert names and theirs.street not in " ".join(names)

    response = staff_client.get(
        "/admin/autocomplete/",
        {"app_label": "premises", "model_name": "ownership", "field_name": "user", "term": ""},
    )
    people = [r["text"] for r in json.loads(response.content)["results"]]
    assert not any("Obcy" in p for p in people)


def test_staff_cannot_add_premises_to_another_communitys_building(staff_client, stranger):
    theirs = stranger.ownerships.get().premises.building
    response = staff_client.post(
        "/admin/premises/premises/add/",
        {
            "building": theirs.pk,
            "number": "500",
            "kind": "flat",
            "area": "40",
            "persons": "1",
            "share_numerator": "1",
            "share_denominator": "100",
            "ownerships-TOTAL_FORMS": "0",
            "ownerships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "Wybierz poprawną wartość" in response.content.decode()
    assert not Premises.objects.filter(number="500").exists()


def test_community_filter_lists_only_own_communities(staff_client, staff_a, community, stranger):
    second = CommunityFactory(company=community.company, name="WM Druga")
    community_role_assign(user=staff_a, community=second, role="staff")
    content = staff_client.get("/admin/premises/ownership/").content.decode()
    assert f"premises__building__community__id__exact={community.pk}" in content
    assert "WM Druga" in content
    assert "WM Obca" not in content


def test_export_contains_only_own_community(staff_client, premises, stranger):
    fields = ["community", "street", "number", "kind", "area", "persons", "share", "bank_account"]
    data = {"format": "1", "resource": "0"}
    data.update({f"premisesexportresource_{f}": "on" for f in fields})
    response = staff_client.post("/admin/premises/premises/export/", data)
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode()
    assert premises.building.street in body
    assert stranger.ownerships.get().premises.building.street not in body


def test_bulk_action_ignores_objects_outside_scope(staff_client, resident, stranger):
    stranger.is_active = False
    stranger.save()
    staff_client.post(
        "/admin/accounts/user/",
        {
            "action": "issue_logins",
            "_selected_action": [resident.pk, stranger.pk],
            "confirm": "1",
            "include_active": [resident.pk, stranger.pk],
        },
    )
    stranger.refresh_from_db()
    resident.refresh_from_db()
    assert stranger.login_issued_at is None
    assert resident.login_issued_at is not None


def test_staff_never_sees_superusers_or_other_staff(staff_client, office_admin, resident):
    other = User.objects.create_user(username="kolega", is_staff=True)
    CommunityRole.objects.create(
        user=other, community=resident.ownerships.get().premises.building.community, role="staff"
    )
    content = staff_client.get("/admin/accounts/user/").content.decode()
    assert resident.last_name in content
    assert "administrator" not in content and "kolega" not in content
    assert staff_client.get(f"/admin/accounts/user/{office_admin.pk}/change/").status_code == 404


def test_staff_cannot_grant_office_rights(staff_client, resident):
    response = staff_client.get(f"/admin/accounts/user/{resident.pk}/change/")
    assert 'name="is_superuser"' not in response.content.decode()
    data = {
        "first_name": resident.first_name,
        "last_name": resident.last_name,
        "email": resident.email,
        "phone": resident.phone,
        "correspondence_address": "",
        "is_active": "on",
        "is_superuser": "on",
        "is_staff": "on",
        "ownerships-TOTAL_FORMS": "1",
        "ownerships-INITIAL_FORMS": "1",
    }
    ownership = resident.ownerships.get()
    data.update(
        {
            "ownerships-0-id": ownership.pk,
            "ownerships-0-user": resident.pk,
            "ownerships-0-premises": ownership.premises.pk,
            "ownerships-0-role": ownership.role,
            "ownerships-0-valid_from": "01.01.2020",
        }
    )
    response = staff_client.post(f"/admin/accounts/user/{resident.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    resident.refresh_from_db()
    assert not resident.is_superuser and not resident.is_staff


def test_staff_adds_person_straight_into_their_premises(staff_client, premises, stranger):
    form = staff_client.get("/admin/accounts/user/add/").content.decode()
    assert "WM Obca" not in form and "/ 99" not in form
    response = staff_client.post(
        "/admin/accounts/user/add/",
        {
            "first_name": "Nowa",
            "last_name": "Osoba",
            "email": "nowa@example.com",
            "phone": "",
            "premises": premises.pk,
            "role": "tenant",
        },
    )
    assert response.status_code == 302
    person = User.objects.get(last_name="Osoba")
    assert person.ownerships.get().premises == premises
    assert staff_client.get(f"/admin/accounts/user/{person.pk}/change/").status_code == 200


def test_residents_cannot_enter_admin(resident_client):
    response = resident_client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    response = resident_client.get("/admin/premises/premises/")
    assert response.status_code == 302


def test_staff_without_assignment_sees_nothing(client, premises):
    lonely = User.objects.create_user(username="bez-wspolnoty", is_staff=True)
    client.force_login(lonely)
    assert client.get("/admin/premises/premises/").status_code == 403


def test_board_member_sees_own_community_read_only(board_client, community, other_community):
    content = board_client.get("/admin/premises/community/").content.decode()
    assert community.name in content and other_community.name not in content
    response = board_client.get(f"/admin/premises/community/{community.pk}/change/")
    assert response.status_code == 200
    assert 'name="name"' not in response.content.decode()  # read-only view
    response = board_client.get(f"/admin/premises/community/{other_community.pk}/change/")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "url",
    ["/admin/premises/premises/", "/admin/premises/ownership/", "/admin/accounts/user/"],
)
def test_board_member_cannot_open_the_register(board_client, url):
    assert board_client.get(url).status_code == 403


def test_board_member_admin_index_offers_only_their_work(board_client):
    content = board_client.get("/admin/").content.decode()
    assert "/admin/premises/community/" in content
    assert "/admin/premises/premises/" not in content
    assert "/admin/accounts/user/" not in content


def test_role_change_in_community_admin_updates_permissions(admin_client_, community, resident):
    data = {
        "company": community.company.pk,
        "kind": community.kind,
        "name": community.name,
        "street": community.street,
        "postal_code": community.postal_code,
        "city": community.city,
        "bank_account": community.bank_account,
        "payment_due_day": 10,
        "reading_window_start_day": 20,
        "reading_window_end_day": 12,
        "meter_readings_enabled": "on",
        "roles-TOTAL_FORMS": "1",
        "roles-INITIAL_FORMS": "0",
        "roles-0-user": resident.pk,
        "roles-0-role": "board",
        "roles-0-function": "członek zarządu",
    }
    response = admin_client_.post(f"/admin/premises/community/{community.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    resident.refresh_from_db()
    assert resident.is_staff
    assert resident.groups.filter(name="Zarząd wspólnoty").exists()
    assert resident.has_perm("premises.view_community")
    assert not resident.has_perm("premises.view_premises")


def test_building_in_own_community_is_editable(staff_client, building):
    response = staff_client.get(f"/admin/premises/building/{building.pk}/change/")
    assert response.status_code == 200
    assert 'name="street"' in response.content.decode()


def _crosses_communities(model, lookup: str) -> bool:
    """Whether one object can belong to several communities (a to-many hop in its lookup)."""
    current = model
    for part in filter(None, lookup.split("__")):
        field = current._meta.get_field(part)
        if field.one_to_many or field.many_to_many:
            return True
        current = field.related_model
    return False


INLINES = sorted(
    (f"{model._meta.label}.{inline.__name__}", model_admin, inline)
    for model, model_admin in admin.site._registry.items()
    if isinstance(model_admin, CommunityScopedAdminMixin)
    for inline in model_admin.inlines
)


@pytest.mark.parametrize(
    ("label", "model_admin", "inline"), INLINES, ids=[label for label, _a, _i in INLINES]
)
def test_every_inline_is_scoped_like_lists(
    label, model_admin, inline, staff_a, resident, stranger, rf_request
):
    """An inline under a parent that spans communities (a person) scopes its own rows."""
    from office.admin_mixins import ScopedInlineMixin

    if not _crosses_communities(model_admin.model, model_admin.community_lookup):
        return  # every row of the parent's inline is in the parent's (checked) community
    assert issubclass(inline, ScopedInlineMixin), f"{label} must scope its rows"
    own_admin = admin.site._registry.get(inline.model)
    assert isinstance(own_admin, CommunityScopedAdminMixin), f"{label}: register a scoped admin"
    request = rf_request(staff_a)
    rows = inline(model_admin.model, admin.site).get_queryset(request)
    theirs = stranger.ownerships.get().premises
    resident.ownerships.create(premises=theirs, role="tenant", valid_from="2020-01-01")
    outside = rows.exclude(pk__in=own_admin.get_queryset(request).values("pk"))
    assert not outside.exists(), label
