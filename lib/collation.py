"""Polish alphabetical order (… L, Ł, M … S, Ś, T … Z, Ź, Ż) for people and streets and
natural order for premises numbers (1, 2, 10, 10a), the same on PostgreSQL and SQLite.

Both databases sort by one collation named ``strefa_pl``:
- PostgreSQL: an ICU collation ``pl-u-kn-true`` (Polish, numbers by value), created by the
  migration ``portal/0001_strefa_pl_collation``;
- SQLite: a Python function registered on every new connection (``register_sqlite``) with
  the same rules.
Order by ``polish("user__last_name")`` in a queryset, a ModelAdmin's ``ordering`` or in Python
with ``sorted(names, key=polish_sort_key)``.
"""

import re
import unicodedata

from django.db.models.functions import Collate

COLLATION = "strefa_pl"
ICU_LOCALE = "pl-u-kn-true"

_ALPHABET = "aąbcćdeęfghijklłmnńoópqrsśtuvwxyzźż"
_RANK = {letter: index for index, letter in enumerate(_ALPHABET)}
_TOKENS = re.compile(r"\d+|\D")


def _letter_rank(char: str) -> tuple[int, int]:
    if char in _RANK:
        return (2, _RANK[char])
    base = unicodedata.normalize("NFD", char)[0]  # é → e, ü → u: letters outside Polish
    if base in _RANK:
        return (2, _RANK[base])
    if char.isalpha():
        return (2, 1000 + ord(char))
    return (0, ord(char))  # spaces and punctuation first, as ICU does


def polish_sort_key(value: str) -> tuple:
    """Sort key: letters in Polish order, runs of digits by value, then lower case first."""
    primary = []
    for token in _TOKENS.findall(value.casefold()):
        if token.isdigit():
            primary.append((1, int(token)))
        else:
            primary.append(_letter_rank(token))
    return (tuple(primary), value.swapcase())


def polish(field: str) -> Collate:
    """An expression to order by: ``queryset.order_by(polish("street"), polish("number"))``."""
    return Collate(field, COLLATION)


def _compare(left: str, right: str) -> int:
    left_key, right_key = polish_sort_key(left), polish_sort_key(right)
    return (left_key > right_key) - (left_key < right_key)


def register_sqlite(sender, connection, **kwargs):
    """connection_created receiver: teach a new SQLite connection the ``strefa_pl`` order."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(COLLATION, _compare)
