import base64
import re

import pytest
from django.contrib.auth.hashers import is_password_usable

from accounts.models import User

from .factories import UserFactory
from .pdf import pdf_page_count, pdf_text

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/accounts/user/"


@pytest.fixture
def office(client):
    admin = UserFactory(username="biuro", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def test_staff_adds_person_and_login_is_generated(office):
    response = office.post(
        "/admin/accounts/user/add/",
        {"first_name": "Zofia", "last_name": "Żółć", "email": "zofia@example.com", "phone": ""},
    )
    assert response.status_code == 302
    person = User.objects.get(last_name="Żółć")
    assert re.fullmatch(r"\d{8}", person.username)
    assert not person.is_active
    assert not is_password_usable(person.password)


def issue(office, *people):
    return office.post(
        CHANGELIST,
        {"action": "issue_logins", "_selected_action": [p.pk for p in people], "confirm": "1"},
    )


def test_issue_login_shows_password_once_and_gives_polish_pdf(office):
    person = UserFactory(first_name="Zażółć", last_name="Gęślą-Jaźń", is_active=False)
    response = issue(office, person)
    content = response.content.decode()
    password = re.search(r'class="issued-password">([^<]+)<', content).group(1)
    person.refresh_from_db()
    assert person.check_password(password)
    assert len(password) >= 12
    assert not person.is_active and person.must_change_password and person.login_issued_at

    pdf = base64.b64decode(
        re.search(r'href="data:application/pdf;base64,([^"]+)"', content).group(1)
    )
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "Oświadczenie o odbiorze hasła" in text
    assert "Zażółć Gęślą-Jaźń" in text
    assert person.username in text and password in text

    # The password is not stored anywhere: the change page never shows it.
    assert password not in office.get(f"/admin/accounts/user/{person.pk}/change/").content.decode()


def test_issue_login_for_many_people_gives_one_pdf_page_each(office):
    people = UserFactory.create_batch(3, is_active=False)
    content = issue(office, *people).content.decode()
    pdf = base64.b64decode(re.search(r"base64,([^\"]+)\"", content).group(1))
    assert pdf_page_count(pdf) == 3


def test_account_stays_inactive_until_statement_received(office, client):
    person = UserFactory(is_active=False)
    content = issue(office, person).content.decode()
    password = re.search(r'class="issued-password">([^<]+)<', content).group(1)

    office.post(CHANGELIST, {"action": "mark_statement_received", "_selected_action": [person.pk]})
    person.refresh_from_db()
    assert person.is_active and person.statement_received_at

    office.logout()
    response = office.post(
        "/logowanie/", {"login": person.username, "password": password}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/profil/haslo/"


def test_deactivation_keeps_history_and_blocks_login(office, resident, premises):
    office.post(CHANGELIST, {"action": "deactivate_accounts", "_selected_action": [resident.pk]})
    resident.refresh_from_db()
    assert not resident.is_active and resident.deactivated_at
    assert resident.ownerships.filter(premises=premises).exists()
    assert resident.history.count() >= 2
