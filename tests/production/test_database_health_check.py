"""A reused PostgreSQL connection is checked without a round trip (portal/postgresql, issue 17).

The check must still notice a connection the server has closed, so that a restarted database
costs no request an error page.
"""

import select
from unittest import mock

import pytest
from django.db import connection, connections
from django.db.backends.postgresql.base import DatabaseWrapper as DjangoPostgreSQL

pytestmark = pytest.mark.django_db

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's own connection check"
)


@pytest.fixture
def second_connection():
    """A connection of its own to the test database, outside the test's transaction."""
    wrapper = connections.create_connection("default")
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


@needs_postgresql
def test_the_portal_runs_on_its_own_postgresql_backend():
    assert type(connections["default"]).__module__ == "portal.postgresql.base"


@needs_postgresql
def test_an_idle_healthy_connection_is_usable_without_asking_the_server(second_connection):
    with mock.patch.object(DjangoPostgreSQL, "is_usable", side_effect=AssertionError("SELECT 1")):
        assert second_connection.is_usable() is True


@needs_postgresql
def test_a_connection_the_server_closed_is_noticed_and_replaced(second_connection):
    pid = second_connection.connection.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    # The server's goodbye reaches the idle socket.
    readable, _, _ = select.select([second_connection.connection.fileno()], [], [], 5)
    assert readable

    assert second_connection.is_usable() is False
    second_connection.health_check_enabled = True
    second_connection.health_check_done = False
    second_connection.close_if_health_check_failed()
    assert second_connection.connection is None
    with second_connection.cursor() as cursor:  # the next request gets a new connection
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


@needs_postgresql
def test_a_connection_inside_a_transaction_is_asked_as_django_asks_it(second_connection):
    second_connection.connection.execute("BEGIN")
    with mock.patch.object(DjangoPostgreSQL, "is_usable", return_value=False) as asked:
        assert second_connection.is_usable() is False
    asked.assert_called_once()
    second_connection.connection.execute("ROLLBACK")


@needs_postgresql
def test_no_connection_is_not_usable():
    wrapper = connections.create_connection("default")
    assert wrapper.is_usable() is False
