"""Addresses no link of the office's side makes answer a Polish 4xx page, never an error page
(an attacker's sweep of the admin found 109 such 500s)."""

import pytest
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

pytestmark = pytest.mark.django_db


def _lists():
    for model, model_admin in admin.site._registry.items():
        yield f"/admin/{model._meta.app_label}/{model._meta.model_name}/", model, model_admin


def test_a_nul_in_any_list_filter_is_refused_in_polish(admin_client_, premises):
    """``?status__exact=%00``: PostgreSQL cannot hold a NUL in text, so every list filtered on
    a text field with one answered 500."""
    for url, _model, model_admin in _lists():
        fields = [f[0] if isinstance(f, tuple) else f for f in model_admin.list_filter]
        names = [f"{f}__exact" for f in fields if isinstance(f, str)]
        for name in [*names, "q", "o", "p"]:
            response = admin_client_.get(url, {name: "a\x00b"})
            assert response.status_code == 400, (url, name)
    assert "Nieprawidłowe żądanie" in response.content.decode()


def test_a_nul_on_a_resident_page_is_refused_too(resident_client):
    response = resident_client.get("/korespondencja/?strona=%00")
    assert response.status_code == 400
    assert "Nieprawidłowe żądanie" in response.content.decode()
    assert resident_client.get("/korespondencja/?page=1").status_code == 200


def test_history_of_an_id_no_row_can_have_is_not_found(admin_client_, premises):
    """``/admin/…/abc/history/``: simple_history queried with ``abc`` (a 500)."""
    checked = 0
    for url, _model, model_admin in _lists():
        if not isinstance(model_admin, SimpleHistoryAdmin):
            continue
        for odd in ("abc", "1.5", "%2500"):
            assert admin_client_.get(f"{url}{odd}/history/").status_code == 404, (url, odd)
        checked += 1
    assert checked >= 15
    history = admin_client_.get(f"/admin/premises/premises/{premises.pk}/history/")
    assert history.status_code == 200


def test_an_action_on_ids_no_row_can_have_is_not_run_and_says_why(
    admin_client_, office_admin, rf_request, premises
):
    """``_selected_action=abc`` made Django's admin filter on ``abc`` (a 500 on every list)."""
    checked = 0
    for url, _model, model_admin in _lists():
        actions = model_admin.get_actions(rf_request(office_admin, url))
        if not actions:
            continue
        action = next(iter(actions))
        for odd in ("abc", "1.5", "a\x00b"):
            data = {"action": action, "_selected_action": [odd], "index": "0"}
            response = admin_client_.post(url, data, follow=True)
            assert response.status_code == 200, (url, action, odd)
            assert "Nie wykonano akcji: zaznaczenie zawiera wiersz" in response.content.decode()
        checked += 1
    assert checked >= 15
    # A real selection still runs its action.
    data = {"action": "delete_selected", "_selected_action": [premises.pk], "index": "0"}
    confirm = admin_client_.post("/admin/premises/premises/", data)
    assert confirm.status_code == 200 and "Usuwanie wielu obiektów" in confirm.content.decode()
