"""The office's admin speaks Polish: no English label left from Django or the admin add-ons."""

import re

import pytest

from accounts.models import User
from premises.models import Premises

from .factories import OwnershipFactory

pytestmark = pytest.mark.django_db


def _attributes(page: str) -> list[str]:
    return re.findall(r'(?:alt|title|aria-label|placeholder|value)="([^"]*)"', page)


def test_changelist_search_box_is_labelled_in_polish(admin_client_, resident, neighbour):
    page = admin_client_.get("/admin/premises/premises/").content.decode()
    assert 'id="searchbar"' in page
    assert "Search" not in _attributes(page)
    assert '<label for="searchbar"><img src="/static/admin/img/search.svg" alt="Szukaj">' in page
    assert 'type="submit" value="Szukaj"' in page
    # Only the number tells the two apart (a random account number or a login from the
    # factory's sequence, e.g. 20001120, may hold "12" too).
    Premises.objects.update(bank_account="")
    User.objects.filter(pk=resident.pk).update(username="anna.nowak")
    User.objects.filter(pk=neighbour.pk).update(username="jan.sasiad")
    found = admin_client_.get("/admin/premises/premises/", {"q": "12"}).content.decode()
    assert re.search(r"1 wynik \(<a [^>]*>2 łącznie</a>\)", found), found


def test_history_page_names_the_change_reason_in_polish(admin_client_, resident):
    ownership = resident.ownerships.get()
    page = admin_client_.get(f"/admin/premises/ownership/{ownership.pk}/history/")
    text = page.content.decode()
    assert "Change reason" not in text
    assert "Powód zmiany" in text


def test_export_page_is_in_polish(admin_client_, resident):
    text = admin_client_.get("/admin/premises/premises/export/").content.decode()
    assert "Select all" not in text
    assert "This exporter will export the following fields" not in text
    assert "Zaznacz wszystkie" in text
    assert "Eksport obejmie następujące pola:" in text


def test_community_people_column_is_in_polish(admin_client_, community):
    OwnershipFactory()
    text = admin_client_.get(f"/admin/premises/community/{community.pk}/change/").content.decode()
    assert not re.search(r">\s*User\s*<", text)
    assert re.search(r'<th class="column-user[^"]*">\s*Osoba', text)


def test_background_tasks_are_named_in_polish(admin_client_):
    index = admin_client_.get("/admin/").content.decode()
    assert "Tasks Database Backend" not in index
    assert "Task Results" not in index
    assert "Zadania w tle" in index
    page = admin_client_.get("/admin/django_tasks_database/dbtaskresult/").content.decode()
    assert "priority" not in page
    assert "priorytet" in page  # the filter
