"""PostgreSQL's JIT is off for the portal's connections (issue 17)."""

import pytest
from django.db import connection

from portal.settings import _without_jit

POSTGRES = "django.db.backends.postgresql"


def test_jit_off_for_postgresql_and_options_from_the_url_kept():
    database = {"ENGINE": POSTGRES, "OPTIONS": {"options": "-c search_path=strefa"}}
    _without_jit(database, jit=False)
    assert database["OPTIONS"]["options"] == "-c search_path=strefa -c jit=off"
    assert _without_jit({"ENGINE": POSTGRES}, jit=False)["OPTIONS"] == {"options": "-c jit=off"}


def test_jit_left_alone_when_asked_and_on_sqlite():
    assert _without_jit({"ENGINE": POSTGRES}, jit=True) == {"ENGINE": POSTGRES}
    sqlite = {"ENGINE": "django.db.backends.sqlite3"}
    assert _without_jit(sqlite, jit=False) == {"ENGINE": "django.db.backends.sqlite3"}


@pytest.mark.django_db
def test_portal_connection_runs_without_jit():
    if connection.vendor != "postgresql":
        pytest.skip("JIT is a PostgreSQL setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
