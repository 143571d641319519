"""The scale benchmark's data comes with planner statistics (issue 17)."""

import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner statistics")
def test_seed_scale_analyses_the_tables_it_filled():
    call_command(
        "seed_scale",
        communities=1,
        premises=45,
        ledger=90,
        readings=10,
        letters=20,
        failures=1,
        heavy_premises=40,
        verbosity=0,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relname IN "
            "('correspondence_letter', 'premises_ownership', 'accounts_user')"
        )
        estimates = dict(cursor.fetchall())
    # Never analysed is -1 (PostgreSQL 14+): the planner then guesses from the table's size.
    assert all(rows > 0 for rows in estimates.values()), estimates
