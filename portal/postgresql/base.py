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
"""

import select

from django.db.backends.postgresql.base import DatabaseWrapper as PostgreSQLDatabaseWrapper
from psycopg.pq import TransactionStatus


class DatabaseWrapper(PostgreSQLDatabaseWrapper):
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
