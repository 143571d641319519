"""Resident pages served again from the cache, and never one a write has made old.

The database writes in these tests are committed (``transaction=True``), as in production: the
suite's other tests run inside a transaction that never commits, where nothing is kept.
"""

import datetime
import re

import pytest
from django.contrib import messages
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection, transaction
from django.http import HttpRequest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from correspondence.models import LetterOpening
from lib import page_cache
from premises.models import Premises
from tests.correspondence.helpers import make_letter
from tests.factories import add_charge, add_payment

pytestmark = pytest.mark.django_db(transaction=True)

FINANSE = "/finanse/"
LOKALE = "/lokale/"


@pytest.fixture
def kept(settings, client):
    """The page cache on (as with Redis), this test's connection watched for writes, and the
    browser holding its CSRF cookie (from the login form)."""
    settings.PAGE_CACHE = True
    client.cookies[settings.CSRF_COOKIE_NAME] = "k" * 32
    connection.execute_wrappers.append(page_cache.watch_writes)
    yield
    connection.execute_wrappers.remove(page_cache.watch_writes)


@pytest.fixture
def today(monkeypatch):
    day = datetime.date(2025, 5, 9)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: day)
    return day


def due(html):
    """The page's "Kwota do zapłaty" figure."""
    return re.search(r'Kwota do zapłaty: <span class="amount[^"]*">([^<]+)<', html)[1]


def get(client, path):
    """The page's HTML and the SQL statements its GET ran."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return response.content.decode(), len(ctx.captured_queries)


def test_the_same_page_again_is_served_without_rendering(kept, resident_client, premises, today):
    add_charge(premises, "350.00", datetime.date(2025, 5, 5))
    first, rendered = get(resident_client, FINANSE)
    again, queries = get(resident_client, FINANSE)
    assert again == first
    assert "350,00\xa0zł" in again
    assert rendered > 3
    assert queries == 1  # the session with its user, nothing of the page


def test_a_payment_booked_after_the_page_was_kept_shows_at_once(
    kept, resident_client, premises, today
):
    add_charge(premises, "350.00", datetime.date(2025, 5, 5))
    before, _ = get(resident_client, FINANSE)
    assert due(before) == "350,00\xa0zł"
    add_payment(premises, "350.00", datetime.date(2025, 5, 8))  # e.g. a bank statement import
    after, queries = get(resident_client, FINANSE)
    assert queries > 1
    assert due(after) == "0,00\xa0zł"


def test_bulk_writes_and_plain_sql_make_kept_pages_old(kept, resident_client, premises):
    get(resident_client, LOKALE)
    Premises.objects.filter(pk=premises.pk).update(number="12A")
    html, _ = get(resident_client, LOKALE)
    assert "12A" in html
    get(resident_client, LOKALE)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Premises._meta.db_table} SET number = %s WHERE id = %s",  # noqa: S608
            ["12B", premises.pk],
        )
    html, _ = get(resident_client, LOKALE)
    assert "12B" in html and "12A" not in html


def test_a_transaction_that_wrote_reads_its_own_writes(kept, resident_client, premises, today):
    add_charge(premises, "350.00", datetime.date(2025, 5, 5))
    get(resident_client, FINANSE)
    with transaction.atomic():
        add_payment(premises, "350.00", datetime.date(2025, 5, 8))
        inside, _ = get(resident_client, FINANSE)
        assert due(inside) == "0,00\xa0zł"
        transaction.set_rollback(True)
    after, _ = get(resident_client, FINANSE)
    assert due(after) == "350,00\xa0zł"


def test_a_neighbour_never_gets_the_residents_page(
    kept, client, resident, neighbour, premises, today
):
    add_charge(premises, "987.65", datetime.date(2025, 5, 5))
    client.force_login(resident)
    mine, _ = get(client, FINANSE)
    assert "987,65\xa0zł" in mine
    client.force_login(neighbour)
    theirs, queries = get(client, FINANSE)
    assert "987,65" not in theirs and "Sąsiad" in theirs
    assert queries > 1


def test_a_message_after_a_form_is_shown_not_the_kept_page(kept, resident_client, premises):
    get(resident_client, LOKALE)
    get(resident_client, LOKALE)  # kept
    notice = Message(messages.SUCCESS, "Zapisano odczyt.")
    resident_client.cookies["messages"] = CookieStorage(HttpRequest())._encode([notice])
    html, queries = get(resident_client, LOKALE)
    assert "Zapisano odczyt." in html
    assert queries > 1


def test_opening_a_letter_is_recorded_before_its_page_is_kept(
    kept, client, resident, premises, today
):
    letter = make_letter(premises=premises, recipient=resident)
    client.force_login(resident)
    path = f"/korespondencja/pisma/{letter.pk}/"
    _, first = get(client, path)
    assert LetterOpening.objects.filter(letter=letter, user=resident).count() == 1
    _, second = get(client, path)  # nothing written now: this page is kept
    assert second > 1
    _, third = get(client, path)
    assert third == 1


@pytest.mark.parametrize(
    "path",
    [
        "/",
        FINANSE,
        LOKALE,
        "/liczniki/",
        "/awarie/",
        "/korespondencja/",
        "/wspolnota/",
        "/dokumenty/",
        "/profil/",
    ],
)
def test_every_tab_is_kept(kept, resident_client, premises, today, path):
    add_charge(premises, "350.00", datetime.date(2025, 5, 5))
    first, rendered = get(resident_client, path)
    again, queries = get(resident_client, path)
    assert queries == 1 < rendered
    assert again == first


def test_a_login_elsewhere_keeps_the_pages_but_a_new_session_has_its_own(
    kept, client, resident, neighbour, premises, today
):
    client.force_login(resident)
    get(client, FINANSE)
    Client().force_login(neighbour)  # last_login and the office's history of the account
    User.objects.filter(pk=resident.pk).update(last_login=timezone.now())
    _, queries = get(client, FINANSE)
    assert queries == 1
    client.logout()
    client.cookies["csrftoken"] = "k" * 32
    client.force_login(resident)  # signed in again: a new session
    _, queries = get(client, FINANSE)
    assert queries > 1


def test_off_without_a_shared_cache(settings, resident_client, premises, today):
    assert settings.PAGE_CACHE is False  # the tests' cache is in process memory
    get(resident_client, FINANSE)
    _, queries = get(resident_client, FINANSE)
    assert queries > 1


def test_pages_render_while_the_cache_is_down(kept, settings, resident_client, premises):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    for _ in range(2):
        html, queries = get(resident_client, FINANSE)
        assert "Kwota do zapłaty" in html or "Nadpłata" in html or "Saldo" in html
        assert queries > 1
