"""Two requests writing at once on the embedded SQLite database (the demo, a small office).

A double click sends two POSTs that each read ("no reading yet") and then write. In SQLite's
default deferred transactions the second writer cannot upgrade its read lock while the first
holds the write lock, and fails at once with "database is locked": a 500 for the resident.
"""

import contextlib
import threading

import pytest
from django.conf import settings
from django.db.backends.sqlite3.base import DatabaseWrapper

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="SQLite's locking only (PostgreSQL locks rows)",
)


def _connection(path):
    config = {**settings.DATABASES["default"], "NAME": str(path), "TEST": {}}
    return DatabaseWrapper(config, alias=f"sqlite-writes-{id(config)}")


class _Atomic:
    """BEGIN … COMMIT on a connection of its own, as ``transaction.atomic()`` starts it."""

    def __init__(self, conn):
        self.conn = conn

    def __enter__(self):
        self.conn.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
        return self.conn

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.conn.commit()
        else:
            self.conn.rollback()
        self.conn.set_autocommit(True)


def test_a_double_click_on_sqlite_saves_once_and_fails_neither(
    tmp_path, django_db_blocker, request
):
    # Connections of the test's own, to a file: no test database.
    django_db_blocker.unblock()
    request.addfinalizer(django_db_blocker.restore)
    path = tmp_path / "demo.sqlite3"
    setup = _connection(path)
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE reading (meter INTEGER UNIQUE, value INTEGER)")
    setup.close()

    both_read = threading.Barrier(2)
    outcome = {}

    def submit(name):
        conn = _connection(path)
        try:
            with _Atomic(conn), conn.cursor() as cursor:
                cursor.execute("SELECT COUNT(*) FROM reading WHERE meter = 1")
                exists = cursor.fetchone()[0]
                # The other waits for this transaction to end: it reads after it.
                with contextlib.suppress(threading.BrokenBarrierError):
                    both_read.wait(timeout=1)
                if not exists:
                    cursor.execute("INSERT INTO reading VALUES (1, 100)")
            outcome[name] = "already there" if exists else "saved"
        except Exception as error:  # noqa: BLE001 - the failure is what the test reports
            outcome[name] = repr(error)
        finally:
            conn.close()

    threads = [threading.Thread(target=submit, args=(name,)) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcome.values()) == ["already there", "saved"], outcome
