"""Crafted admin input (non-integer ids, a role swap the database refuses) gives form errors."""

import pytest
from django.contrib import admin
from django.db import models
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse

from premises.admin import CommunityRoleFormSet
from premises.models import CommunityRole

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def community_form(community, **roles):
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
    }
    data.update({f"roles-{key.replace('__', '-')}": value for key, value in roles.items()})
    return data


@pytest.fixture
def swapped(community):
    """One person with two roles; the POST swaps them (each row takes the other's role)."""
    person = UserFactory(username="dwie-role")
    staff = CommunityRole.objects.create(user=person, community=community, role="staff")
    board = CommunityRole.objects.create(user=person, community=community, role="board")
    roles = {
        "TOTAL_FORMS": "2",
        "INITIAL_FORMS": "2",
        "0__id": staff.pk,
        "0__community": community.pk,
        "0__user": person.pk,
        "0__role": "board",
        "1__id": board.pk,
        "1__community": community.pk,
        "1__user": person.pk,
        "1__role": "staff",
    }
    return community_form(community, **roles), {staff.pk: "staff", board.pk: "board"}


def roles_now():
    return dict(CommunityRole.objects.values_list("pk", "role"))


def test_role_swap_is_a_form_error(admin_client_, community, swapped):
    data, before = swapped
    response = admin_client_.post(f"/admin/premises/community/{community.pk}/change/", data)
    assert response.status_code == 200
    assert "Ta osoba ma już tę rolę w innym wierszu" in response.content.decode()
    assert roles_now() == before


def test_any_integrity_error_while_saving_is_a_message_and_saves_nothing(
    admin_client_, community, swapped, monkeypatch
):
    monkeypatch.setattr(CommunityRoleFormSet, "clean", lambda self: None)
    data, before = swapped
    data["name"] = "Nowa nazwa"
    response = admin_client_.post(
        f"/admin/premises/community/{community.pk}/change/", data, follow=True
    )
    assert "Nie zapisano zmian" in response.content.decode()
    assert roles_now() == before
    community.refresh_from_db()
    assert community.name != "Nowa nazwa"


def test_non_integer_user_in_the_roles_inline_is_a_form_error(admin_client_, community):
    data = community_form(
        community, TOTAL_FORMS="1", INITIAL_FORMS="0", **{"0__user": "abc", "0__role": "staff"}
    )
    response = admin_client_.post(f"/admin/premises/community/{community.pk}/change/", data)
    assert response.status_code == 200
    assert "Wybierz poprawną wartość" in response.content.decode()
    assert not CommunityRole.objects.exists()


def _crafted_post(model_admin, request):
    """Every foreign key of the form and of each inline set to a non-integer id."""
    data = {}
    for field in model_admin.model._meta.get_fields():
        if isinstance(field, models.ForeignKey | models.ManyToManyField):
            data[field.name] = "abc"
    for formset, inline in model_admin.get_formsets_with_inlines(request):
        prefix = formset.get_default_prefix()
        data.update({f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-INITIAL_FORMS": "0"})
        for field in inline.model._meta.get_fields():
            if isinstance(field, models.ForeignKey | models.ManyToManyField):
                data[f"{prefix}-0-{field.name}"] = "abc"
    return data


def test_non_integer_ids_posted_to_every_admin_form_never_answer_500(
    admin_client_, office_admin, resident, stranger
):
    checked = []
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        try:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        except NoReverseMatch:
            continue
        request = RequestFactory().get(url)
        request.user = office_admin
        if not model_admin.has_add_permission(request):
            continue
        response = admin_client_.post(url, _crafted_post(model_admin, request))
        assert response.status_code in (200, 302, 403), f"{url}: {response.status_code}"
        checked.append(opts.label)
    assert "premises.Premises" in checked and "community.Resolution" in checked


@pytest.mark.parametrize(
    "params",
    [
        {"app_label": "premises", "model_name": "ownership", "field_name": "premises", "page": "x"},
        {"app_label": "premises", "model_name": "ownership", "field_name": "user", "term": "\0"},
        {"app_label": "premises", "model_name": "ownership", "field_name": "nope"},
        {"app_label": "nope", "model_name": "nope", "field_name": "nope"},
        {"app_label": "premises", "model_name": "premises", "field_name": "building", "page": "-1"},
    ],
)
def test_crafted_autocomplete_requests_never_answer_500(staff_client, params):
    response = staff_client.get("/admin/autocomplete/", params)
    assert response.status_code in (200, 400, 403, 404)


def test_nul_in_a_search_never_answers_500(staff_client, resident):
    """No page makes a NUL: it is refused before the search (portal/request_checks.py)."""
    for url in ("/admin/accounts/user/", "/admin/autocomplete/"):
        response = staff_client.get(url, {"q": "No\x00wak", "term": "No\x00wak"})
        assert response.status_code == 400
        assert "Nieprawidłowe żądanie" in response.content.decode()
