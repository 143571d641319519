"""The one authentication backend: allauth's, with the signed-in user read in plain SQL.

Every signed-in request needs its user. Through the ORM, reading it by primary key cost 0.47 ms
on the benchmark's VM, of which the round trip was 0.17 ms: the rest was building and compiling
the same query on every request. Here the columns and their converters are worked out once per
database, and a row becomes a user through ``Model.from_db``, as the ORM's own rows do.

Usually the row has already come with the session (``accounts.sessions`` joins it): the session
store hands it over here for the one request (``session_user_read``), and ``get_user`` takes it
only for the very user id that the signed session data names. Logging in, passwords and
permissions are allauth's and Django's, unchanged.
"""

from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connections, router


@dataclass(frozen=True)
class UserColumns:
    """How to select a user row on one database and turn it into a user."""

    alias: str
    table: str  # quoted
    pk_column: str  # quoted
    columns: str  # the user's columns, quoted, each prefixed with ``u.``
    names: tuple[str, ...]
    pk_index: int  # the primary key's place among ``names``
    converters: tuple

    def user(self, values):
        """The user these column values describe, or None when the row is empty."""
        connection = connections[self.alias]
        converted = []
        for value, (column_converters, column) in zip(values, self.converters, strict=True):
            for converter in column_converters:
                value = converter(value, column, connection)
            converted.append(value)
        if converted[self.pk_index] is None:
            return None  # the session's LEFT JOIN found no user
        return get_user_model().from_db(self.alias, self.names, converted)


@cache
def user_columns(alias: str) -> UserColumns:
    model = get_user_model()
    connection = connections[alias]
    quote = connection.ops.quote_name
    table = model._meta.db_table
    fields = model._meta.concrete_fields
    columns = [field.get_col(table) for field in fields]
    names = tuple(field.attname for field in fields)
    return UserColumns(
        alias=alias,
        table=quote(table),
        pk_column=quote(model._meta.pk.column),
        columns=", ".join(f"u.{quote(field.column)}" for field in fields),
        names=names,
        pk_index=names.index(model._meta.pk.attname),
        # The ORM's own converters for each column (SQLCompiler.get_converters).
        converters=tuple(
            ([*connection.ops.get_db_converters(col), *col.get_db_converters(connection)], col)
            for col in columns
        ),
    )


def user_pk(user_id):
    """``user_id`` (as a session keeps it) as the user model's primary key, or None."""
    try:
        return get_user_model()._meta.pk.to_python(user_id)
    except (TypeError, ValueError, ValidationError):
        return None


def user_by_pk(user_id):
    """The user with this primary key, or None: what ``User.objects.get(pk=...)`` reads."""
    model = get_user_model()
    pk = user_pk(user_id)
    if pk is None:
        return None
    alias = router.db_for_read(model)
    connection = connections[alias]
    columns = user_columns(alias)
    sql = (  # names quoted from the model, the key as a parameter
        f"SELECT {columns.columns} FROM {columns.table} u "  # noqa: S608
        f"WHERE u.{columns.pk_column} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [model._meta.pk.get_db_prep_value(pk, connection)])
        row = cursor.fetchone()
    return columns.user(row) if row is not None else None


# The user row read with this request's session, until ``get_user`` takes it. Cleared when a
# request starts and ends (accounts.apps), and set afresh by every session read.
_session_user: ContextVar = ContextVar("strefa_session_user", default=None)


def session_user_read(user) -> None:
    """Called by the session store with the user its row joined (or None)."""
    _session_user.set(user)


def session_user_forget(**_kwargs) -> None:
    _session_user.set(None)


class AuthenticationBackend(AllauthBackend):
    def get_user(self, user_id):
        user = _session_user.get()
        _session_user.set(None)
        if user is None or user.pk != user_pk(user_id):
            user = user_by_pk(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
