"""PostgreSQL for the portal: Django's backend with a health check that costs no round trip.

``CONN_HEALTH_CHECKS`` is on, so that a restarted or failed-over database does not answer each
worker's next request with an error page. Django checks a reused connection with ``SELECT 1``
before every request that touches the database: a round trip to the server on every signed-in
request, about 0.1 ms on loopback and more over a network.

A connection the server has closed while it sat idle (a restart, ``pg_terminate_backend``,
``idle_session_timeout``) has the server's goodbye, or the end of the stream, waiting on its
socket. So an idle connection whose socket has nothing to read is usable as it is. Only when
something is waiting there, or the connection is not plainly idle, is it asked ``SELECT 1`` as
Django asks it.

With prepared statements on (``DB_PREPARED_STATEMENTS``, portal/settings.py) the values travel
apart from the SQL, and PostgreSQL's protocol takes at most 65 535 of them in one statement. A
statement with more (an ``__in`` of 70 000 ids, a deletion Django collects in one batch) has
its values merged into the SQL by psycopg, as with prepared statements off, instead of failing.
"""

import select

import psycopg
from django.db.backends.postgresql.base import DatabaseWrapper as PostgreSQLDatabaseWrapper
from django.db.backends.postgresql.base import ServerBindingCursor
from psycopg.pq import TransactionStatus

# The protocol's limit on the values of one statement (a 16-bit count).
MAX_BOUND_VALUES = 65_535


class Cursor(ServerBindingCursor):
    """Django's server-side binding cursor; a statement with more values than the protocol
    takes is sent with them merged into its SQL (``ClientCursor.mogrify``) and not prepared."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        if params is not None and len(params) > MAX_BOUND_VALUES:
            with psycopg.ClientCursor(self.connection) as merging:
                query = merging.mogrify(query, params)
            return super().execute(query, prepare=False, binary=binary)
        return super().execute(query, params, prepare=prepare, binary=binary)


class DatabaseWrapper(PostgreSQLDatabaseWrapper):
    def get_connection_params(self):
        params = super().get_connection_params()
        if params.get("cursor_factory") is ServerBindingCursor:
            params["cursor_factory"] = Cursor
        return params

    def is_usable(self):
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        if connection.info.transaction_status != TransactionStatus.IDLE:
            return super().is_usable()
        try:
            readable, _, _ = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        if readable:
            return super().is_usable()
        return True
