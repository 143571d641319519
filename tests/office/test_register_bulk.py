"""Register import in bulk: a fixed number of queries per batch, the same rules as row by row.

``premises.register`` reads what the rows name up front, decides each row in memory and writes
the outcome in bulk; these tests pin the query count (it does not grow with the rows) and the
rules that depend on earlier rows of the same file.
"""

import os
import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.logins import logins_generate
from accounts.models import User
from premises.models import Community, Ownership, Premises
from premises.register import register_import, register_rows_from_dicts
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def record(i, **values):
    base = {
        "community": "WM Lipowa 12",
        "community_nip": "5260250995",
        "street": f"ul. Lipowa {12 + i // 40}",
        "postal_code": "00-950",
        "city": "Warszawa",
        "number": str(i + 1),
        "kind": "mieszkanie",
        "area": "50,00",
        "persons": "2",
        "share": "1/100000",
        "first_name": "Anna",
        "last_name": f"Nowak{i}",
        "email": f"anna{i}@example.com",
        "phone": f"601{i:06d}",
        "role": "właściciel",
        "valid_from": "01.02.2021",
        "recipient": "tak",
    }
    base.update(values)
    return base


def run(records, **kwargs):
    cache.clear()  # the company is read from the cache; count its query in every run
    with CaptureQueriesContext(connection) as queries:
        result = register_import(rows=register_rows_from_dicts(records), **kwargs)
    return result, len(queries)


def import_counts(size, offset, community):
    """Queries of a preview, an apply and a re-import (apply) of ``size`` new people."""
    over = {"community": community, "community_nip": ""}
    records = [record(offset + i, number=str(i + 1), **over) for i in range(size)]
    preview, preview_queries = run(records, apply=False)
    assert not preview.has_errors, [r.errors for r in preview.error_rows]
    applied, apply_queries = run(records, apply=True, planned_logins=preview.planned_logins)
    assert applied.applied
    changed = [
        record(offset + i, number=str(i + 1), area="60,00", phone=f"602{i:06d}", **over)
        for i in range(size)
    ]
    again, again_queries = run(changed, apply=True)
    assert again.applied and again.new_count == 0 and again.new_people_count == 0
    return preview_queries, apply_queries, again_queries


def test_register_import_queries_do_not_grow_with_rows(company):
    small = import_counts(5, 0, "WM Lipowa 12")
    large = import_counts(40, 1000, "WM Brzozowa 3")
    # Reads (communities, buildings, premises, holders, accounts, people, logins) and bulk
    # writes with their history: the same statements for 5 rows as for 40.
    assert small == large, (small, large)
    preview, apply, again = large
    assert preview <= 10 and apply <= 20 and again <= 20, large
    # More rows: only SQLite splits an INSERT (999 parameters, about 40 history rows of a
    # person), PostgreSQL writes 1 000 rows a statement.
    larger = import_counts(200, 2000, "WM Dębowa 7")
    extra = 0 if connection.vendor == "postgresql" else 3 * (200 // 40)
    assert all(b <= a + extra for a, b in zip(small, larger, strict=True)), (small, larger)


def test_register_import_creates_each_new_person_once_across_premises(company):
    rows = [
        record(0),
        record(1, first_name="Anna", last_name="Nowak0", email="ANNA0@example.com", phone=""),
    ]
    result, _queries = run(rows, apply=True)
    assert result.applied
    assert [row.new_person for row in result.rows] == [True, False]
    assert result.rows[0].login == result.rows[1].login
    anna = User.objects.get(username=result.rows[0].login)
    assert anna.ownerships.count() == 2


def test_logins_shown_in_the_preview_are_the_logins_created(company):
    records = [record(i) for i in range(30)]
    preview, _queries = run(records, apply=False)
    shown = [row.login for row in preview.rows]
    assert len(set(shown)) == 30
    applied, _queries = run(records, apply=True, planned_logins=preview.planned_logins)
    assert [row.login for row in applied.rows] == shown
    assert set(User.objects.filter(is_superuser=False).values_list("username", flat=True)) == set(
        shown
    )


def test_a_planned_login_taken_meanwhile_is_replaced(company):
    preview, _queries = run([record(0)], apply=False)
    planned = preview.rows[0].login
    UserFactory(username=planned)
    applied, _queries = run([record(0)], apply=True, planned_logins=preview.planned_logins)
    assert applied.applied and applied.rows[0].login != planned
    assert User.objects.filter(username=applied.rows[0].login, last_name="Nowak0").exists()


def test_a_bad_row_leaves_what_the_earlier_rows_decided(company):
    rows = [
        record(0, share="1/2"),
        # Same premises, a bigger share, and a login nobody has: the row is refused whole.
        record(0, share="3/4", login="99999999", first_name="Jan", email="jan@example.com"),
        record(0, first_name="Piotr", email="piotr@example.com", recipient="", share=""),
    ]
    result, _queries = run(rows, apply=False)
    assert [bool(row.errors) for row in result.rows] == [False, True, False]
    # Row 3 sees row 1's share (1/2), not the refused row's 3/4.
    assert any("sumują się do 1/2" in warning for warning in result.warnings)
    assert not Premises.objects.exists()


def test_recipient_passes_from_one_holder_to_another_in_one_file(company):
    first, _queries = run(
        [record(0), record(0, first_name="Piotr", email="piotr@example.com", recipient="")],
        apply=True,
    )
    assert first.applied
    moved, _queries = run(
        [
            record(0, recipient=""),
            record(0, first_name="Piotr", email="piotr@example.com", recipient="tak"),
        ],
        apply=True,
    )
    assert moved.applied, [row.errors for row in moved.error_rows] + moved.file_errors
    recipient = Ownership.objects.get(is_correspondence_recipient=True)
    assert recipient.user.first_name == "Piotr"


def test_two_current_recipients_in_one_file_are_refused(company):
    result, _queries = run(
        [record(0), record(0, first_name="Piotr", email="piotr@example.com")], apply=True
    )
    assert not result.applied
    assert "ma już innego adresata korespondencji" in str(result.rows[1].errors[0])
    assert not Community.objects.exists()


def test_reimport_writes_history_only_for_what_changed(company):
    run([record(0), record(1)], apply=True)
    premises = Premises.objects.get(number="1")
    before = premises.history.count()
    result, _queries = run([record(0, area="70,00"), record(1)], apply=True)
    assert result.applied
    assert premises.history.count() == before + 1
    assert Premises.objects.get(number="2").history.count() == 1


def test_logins_generate_gives_unique_free_logins_in_one_query(django_assert_num_queries):
    UserFactory(username="12345678")
    with django_assert_num_queries(1):
        logins = logins_generate(500, exclude={"87654321"})
    assert len(set(logins)) == 500
    assert "12345678" not in logins and "87654321" not in logins


@pytest.mark.skipif(not os.environ.get("STREFA_BENCH"), reason="set STREFA_BENCH=1")
def test_register_import_of_2000_rows(company):
    records = [record(i, share="1/2000") for i in range(2000)]
    for label, kwargs in [("preview", {"apply": False}), ("apply", {"apply": True})]:
        started = time.perf_counter()
        result, queries = run(records, **kwargs)
        print(f"\nregister 2000 rows, {label}: {time.perf_counter() - started:.2f} s, {queries} q")
        assert not result.has_errors
    assert Ownership.objects.count() == 2000


def test_a_clash_found_only_when_writing_saves_nothing(company, monkeypatch):
    from django.db import IntegrityError

    def clash(*args, **kwargs):
        raise IntegrityError("duplicate key")

    monkeypatch.setattr("premises.register.bulk_create_with_history", clash)
    result, _queries = run([record(0)], apply=True)
    assert not result.applied
    assert "nic nie zapisano, spróbuj ponownie" in result.file_errors[0]
    assert not Community.objects.exists() and not Premises.objects.exists()


@pytest.mark.parametrize(
    "first, again, same",
    [("12", "012", True), ("12", "M 012", True), ("012", "12", True), ("12A", "12", False)],
)
def test_register_names_a_premises_by_its_number_as_the_office_writes_it(
    company, first, again, same
):
    result, _queries = run([record(0, number=first)], apply=True)
    assert result.applied, [r.errors for r in result.error_rows]
    result, _queries = run([record(0, number=again, area="61,00")], apply=True)
    assert result.applied, [r.errors for r in result.error_rows]
    assert Premises.objects.count() == (1 if same else 2)
    assert Premises.objects.get(number=first).area == (61 if same else 50)
