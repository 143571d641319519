"""The one authentication backend: allauth's, reading the signed-in user with plain SQL.

Every signed-in request reads its user by primary key. Through the ORM that read cost 0.47 ms on
the benchmark's VM, of which the round trip was 0.17 ms: the rest was building and compiling the
same query on every request. Here the statement, the field names and the fields' converters are
worked out once per database; the row becomes a user through ``Model.from_db``, as the ORM's own
rows do. Logging in, passwords and permissions are allauth's and Django's, unchanged.
"""

from functools import cache

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connections, router


@cache
def _user_by_pk_statement(alias: str):
    """(SQL, field names, converters per column) reading one user row on database ``alias``."""
    model = get_user_model()
    connection = connections[alias]
    quote = connection.ops.quote_name
    table = model._meta.db_table
    fields = model._meta.concrete_fields
    columns = [field.get_col(table) for field in fields]
    sql = (  # names quoted from the model, the key as a parameter
        f"SELECT {', '.join(quote(field.column) for field in fields)} "  # noqa: S608
        f"FROM {quote(table)} WHERE {quote(model._meta.pk.column)} = %s"
    )
    converters = [
        [*connection.ops.get_db_converters(column), *column.get_db_converters(connection)]
        for column in columns
    ]
    return sql, [field.attname for field in fields], list(zip(converters, columns, strict=True))


def user_by_pk(user_id):
    """The user with this primary key, or None: what ``User.objects.get(pk=...)`` reads."""
    model = get_user_model()
    alias = router.db_for_read(model)
    connection = connections[alias]
    sql, names, converters = _user_by_pk_statement(alias)
    pk = model._meta.pk
    try:
        key = pk.get_db_prep_value(pk.to_python(user_id), connection)
    except (TypeError, ValueError, ValidationError):
        return None
    with connection.cursor() as cursor:
        cursor.execute(sql, [key])
        row = cursor.fetchone()
    if row is None:
        return None
    values = []
    for value, (column_converters, column) in zip(row, converters, strict=True):
        for converter in column_converters:
            value = converter(value, column, connection)
        values.append(value)
    return model.from_db(alias, names, values)


class AuthenticationBackend(AllauthBackend):
    def get_user(self, user_id):
        user = user_by_pk(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
