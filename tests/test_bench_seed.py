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


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's VACUUM")
@pytest.mark.django_db(transaction=True)
def test_bench_tables_are_vacuumed_as_autovacuum_would():
    """Index-only counts need pages marked all-visible, which only a vacuum does."""
    from portal.management.commands.seed_scale import table_statistics_refresh

    table_statistics_refresh()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT last_vacuum IS NOT NULL FROM pg_stat_user_tables "
            "WHERE relname = 'failures_failurereport'"
        )
        assert cursor.fetchone() == (True,)


def test_the_scale_data_can_be_built_on_29_february():
    import datetime

    from portal.management.commands.seed_scale import _years_before

    leap_day = datetime.date(2028, 2, 29)
    assert _years_before(leap_day, 8) == datetime.date(2020, 2, 29)
    assert _years_before(leap_day, 6) == datetime.date(2022, 2, 28)
