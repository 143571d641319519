"""Error pages are Polish and in the portal layout; the 500 page needs no database."""

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import RequestFactory
from django.views import defaults
from django.views.csrf import csrf_failure


def test_unknown_address_answers_polish_404_in_the_layout(resident_client):
    response = resident_client.get("/nie-ma-takiej-strony/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "<title>Nie znaleziono strony – Strefa Klienta</title>" in page
    assert "Strona nie istnieje albo nie masz do niej dostępu." in page
    assert 'class="tabs"' in page  # the resident keeps the navigation
    assert "Not Found" not in page


def test_anonymous_404_is_polish(client, db):
    page = client.get("/nie-ma-takiej-strony/").content.decode()
    assert "Nie znaleziono strony" in page
    assert "Strefa Klienta" in page


@pytest.mark.django_db
def test_500_page_is_polish_and_runs_no_query(django_assert_num_queries):
    request = RequestFactory().get("/")
    with django_assert_num_queries(0):
        response = defaults.server_error(request)
    page = response.content.decode()
    assert response.status_code == 500
    assert "Coś poszło nie tak po naszej stronie" in page
    assert "Server Error" not in page
    assert 'href="/static/css/strefa.css"' in page


def test_400_and_403_pages_are_polish(rf, resident):
    request = rf.get("/")
    request.user = resident
    bad = defaults.bad_request(request, SuspiciousOperation()).content.decode()
    denied = defaults.permission_denied(request, PermissionDenied()).content.decode()
    assert "Nieprawidłowe żądanie" in bad and "Bad Request" not in bad
    assert "Brak dostępu" in denied and "403 Forbidden" not in denied


def test_expired_form_page_is_polish(rf, db):
    page = csrf_failure(rf.post("/"), reason="CSRF token missing.").content.decode()
    assert "Formularz wygasł" in page
    assert "Forbidden" not in page


def test_accessibility_statement_is_linked_from_the_footer(client, company):
    home = client.get("/logowanie/").content.decode()
    assert '<a href="/deklaracja-dostepnosci/">Deklaracja dostępności</a>' in home
    page = client.get("/deklaracja-dostepnosci/").content.decode()
    assert "<h1>Deklaracja dostępności</h1>" in page
    assert "częściowo zgodna z WCAG 2.1" in page
    assert "Data sporządzenia deklaracji" in page
    assert company.phone in page
