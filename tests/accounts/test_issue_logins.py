"""'Wydaj login i hasło': confirmation, active accounts kept, all or nothing, many people."""

import re

import pytest
from django.contrib.auth.hashers import check_password

from accounts import services
from accounts.models import CredentialsSheet, User
from tests.factories import PASSWORD, UserFactory
from tests.pdf import pdf_page_count, pdf_text

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/accounts/user/"


@pytest.fixture
def office(client):
    admin = UserFactory(username="biuro", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def _issue(office, people, **extra):
    return office.post(
        CHANGELIST,
        {"action": "issue_logins", "_selected_action": [p.pk for p in people], **extra},
    )


def test_first_click_shows_confirmation_and_changes_nothing(office):
    new = UserFactory(first_name="Nowa", last_name="Osoba", is_active=False)
    active = UserFactory(first_name="Aktywna", last_name="Mieszkanka", is_active=True)
    content = _issue(office, [new, active]).content.decode()
    assert "Login i hasło początkowe otrzyma 1 osoba:" in content
    assert "Nowa Osoba" in content
    assert "Konta już aktywne – pominięte" in content
    assert f'name="include_active" value="{active.pk}"' in content
    new.refresh_from_db()
    active.refresh_from_db()
    assert new.login_issued_at is None
    assert active.check_password(PASSWORD) and active.is_active


def test_active_accounts_are_skipped_unless_chosen(office):
    new = UserFactory(is_active=False)
    active = UserFactory(is_active=True)
    content = _issue(office, [new, active], confirm="1").content.decode()
    assert len(re.findall(r'class="issued-password"', content)) == 1
    active.refresh_from_db()
    assert active.is_active and active.check_password(PASSWORD)
    new.refresh_from_db()
    assert new.login_issued_at is not None


def test_active_account_chosen_explicitly_gets_a_new_login(office):
    active = UserFactory(is_active=True)
    _issue(office, [active], confirm="1", include_active=[active.pk])
    active.refresh_from_db()
    assert not active.is_active and active.must_change_password
    assert not active.check_password(PASSWORD)


def test_only_active_accounts_selected_and_none_chosen_changes_nothing(office):
    active = UserFactory(is_active=True)
    response = _issue(office, [active], confirm="1")
    assert response.status_code == 302
    messages = office.get(CHANGELIST).content.decode()
    assert "wszystkie wybrane konta są aktywne" in messages
    active.refresh_from_db()
    assert active.is_active and active.check_password(PASSWORD)


def test_without_pdf_library_no_password_is_committed(office, monkeypatch):
    def broken_pdf(*args, **kwargs):
        raise ImportError("No module named 'weasyprint'")

    monkeypatch.setattr("accounts.pdf.render_pdf", broken_pdf)
    person = UserFactory(is_active=False)
    before = person.password
    response = _issue(office, [person], confirm="1")
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.password == before and person.login_issued_at is None
    listing = office.get(CHANGELIST).content.decode()
    assert "hasła nie zostały zmienione" in listing


def test_initial_password_uses_the_fast_hash_and_is_upgraded_at_first_login(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    person = UserFactory(is_active=False)
    [item], _pdf = services.login_issue(users=[person])
    person.refresh_from_db()
    assert person.password.startswith(f"pbkdf2_sha256${services.INITIAL_PASSWORD_ITERATIONS}$")
    assert check_password(item.password, person.password)
    person.is_active = True
    person.save()
    client.post("/logowanie/", {"login": person.username, "password": item.password})
    person.refresh_from_db()
    assert not person.password.startswith(f"pbkdf2_sha256${services.INITIAL_PASSWORD_ITERATIONS}$")


def test_many_people_are_prepared_by_the_worker_with_pdf_to_download(
    office, client, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "ISSUE_INLINE_MAX", 2)
    monkeypatch.setattr("accounts.admin.ISSUE_INLINE_MAX", 2)
    people = UserFactory.create_batch(3, is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = _issue(office, people, confirm="1")
    sheet = CredentialsSheet.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"/admin/accounts/credentialssheet/{sheet.pk}/change/")
    assert sheet.status == CredentialsSheet.Status.READY
    page = office.get(response["Location"]).content.decode()
    assert "Pobierz PDF" in page
    pdf = office.get(f"/admin/accounts/credentialssheet/{sheet.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf_page_count(pdf.content) == 3
    text = pdf_text(pdf.content)
    for person in people:
        person.refresh_from_db()
        assert person.username in text and person.login_issued_at is not None
        password = re.search(rf"{person.username}\s+Hasło początkowe\s+(\S+)", text)
        assert password and check_password(password.group(1), person.password)

    # Another staff member cannot download someone else's passwords.
    colleague = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(colleague)
    assert client.get(f"/admin/accounts/credentialssheet/{sheet.pk}/pdf/").status_code == 404


def test_sheet_pdf_is_wiped_after_a_day(office):
    import datetime

    from django.utils import timezone

    sheet = CredentialsSheet.objects.create(
        created_by=User.objects.get(username="biuro"),
        status=CredentialsSheet.Status.READY,
        pdf=b"%PDF-secret",
        created_at=timezone.now() - datetime.timedelta(hours=25),
    )
    assert office.get(f"/admin/accounts/credentialssheet/{sheet.pk}/pdf/").status_code == 404
    sheet.refresh_from_db()
    assert sheet.status == CredentialsSheet.Status.EXPIRED and bytes(sheet.pdf) == b""
