"""Sessions in the database, as Django keeps them, read together with their user.

Every signed-in request reads its session and then its user. Through the ORM the two reads cost
1 ms on the benchmark's VM, of which the two round trips were 0.35 ms: the rest was building and
compiling the same queries on every request. Here one plain statement reads the session and
joins the user whose id the session row keeps beside its signed data (``accounts.Session``);
the user goes to the authentication backend for this request (``accounts.backends``), which
takes it only for the user id that the signed data names. Writes, expiry and cycling the key at
login stay Django's own (``SESSION_ENGINE = "accounts.sessions"``).

A cookie whose key Django could not have made (it makes 32 lowercase letters and digits; the
column holds 40) is no session: it is not looked up at all (a NUL in it was a database error,
an error page).
"""

from functools import cache

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.db import connections, router
from django.utils import timezone

from .backends import session_user_read, user_columns, user_pk

_KEY_CHARS = frozenset(VALID_KEY_CHARS)


class SessionStore(db.SessionStore):
    @classmethod
    def get_model_class(cls):
        from .models import Session

        return Session

    def _validate_session_key(self, key):
        return (
            super()._validate_session_key(key)
            and len(key) <= 40  # the column's length
            and _KEY_CHARS.issuperset(key)
        )

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        session.user_id = user_pk(data.get(SESSION_KEY))
        return session

    def _get_session_from_db(self):
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(_session_with_user_sql(alias), [self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            session_user_read(None)
            self._session_key = None
            return None
        session_user_read(user_columns(alias).user(row[1:]))
        return self.model(session_key=self.session_key, session_data=row[0])


@cache
def _session_with_user_sql(alias: str) -> str:
    """The session's data and its user's columns by session key, on database ``alias``."""
    from .models import Session

    quote = connections[alias].ops.quote_name
    data, key, expiry, user = (
        quote(Session._meta.get_field(name).column)
        for name in ("session_data", "session_key", "expire_date", "user")
    )
    users = user_columns(alias)
    return (  # names quoted from the models, values as parameters
        f"SELECT s.{data}, {users.columns} FROM {quote(Session._meta.db_table)} s "  # noqa: S608
        f"LEFT JOIN {users.table} u ON u.{users.pk_column} = s.{user} "
        f"WHERE s.{key} = %s AND s.{expiry} > %s"
    )
