"""The portal's PostgreSQL connections prepare the queries they repeat (issue 17)."""

import pytest
from django.db import connection

from accounts.models import User
from portal.settings import PREPARE_THRESHOLD, _with_prepared_statements

POSTGRES = "portal.postgresql"


def test_server_side_binding_and_threshold_for_postgresql():
    database = {"ENGINE": POSTGRES, "OPTIONS": {"options": "-c jit=off"}}
    _with_prepared_statements(database, prepared=True)
    assert database["OPTIONS"] == {
        "options": "-c jit=off",
        "server_side_binding": True,
        "prepare_threshold": PREPARE_THRESHOLD,
    }


def test_left_alone_when_switched_off_and_on_sqlite():
    assert _with_prepared_statements({"ENGINE": POSTGRES}, prepared=False) == {"ENGINE": POSTGRES}
    sqlite = {"ENGINE": "django.db.backends.sqlite3"}
    assert _with_prepared_statements(sqlite, prepared=True) == {
        "ENGINE": "django.db.backends.sqlite3"
    }


def test_options_from_the_url_win():
    database = {"ENGINE": POSTGRES, "OPTIONS": {"prepare_threshold": None}}
    _with_prepared_statements(database, prepared=True)
    assert database["OPTIONS"]["prepare_threshold"] is None


@pytest.mark.django_db
def test_a_repeated_query_is_prepared_once_and_answers_each_value():
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    users = [
        User.objects.create_user(f"prep{i}", password=None) for i in range(PREPARE_THRESHOLD + 3)
    ]

    def prepared() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            return cursor.fetchone()[0]

    before = prepared()
    for user in users:
        # The same SQL each time, another value: the answer must follow the value.
        assert User.objects.get(pk=user.pk).username == user.username
    assert prepared() == before + 1


@pytest.mark.django_db
def test_a_statement_with_more_values_than_the_protocol_takes_still_answers():
    """PostgreSQL takes at most 65 535 bound values in one statement: an ``__in`` of 70 000
    ids (a big import's check, a deletion collected in one batch) must not fail."""
    if connection.vendor != "postgresql":
        pytest.skip("the limit is PostgreSQL's protocol's")
    wanted = [User.objects.create_user(login, password=None) for login in ("50%", "o'hara", "x")]
    others = [f"absent-{i}" for i in range(70_000)]
    found = User.objects.filter(username__in=[*others, "50%", "o'hara"])
    assert sorted(found.values_list("username", flat=True)) == ["50%", "o'hara"]
    ids = [-i for i in range(1, 70_000)] + [user.pk for user in wanted]
    assert User.objects.filter(pk__in=ids).delete()[0] == 3
