"""Pages of the pull lists: a keyset cursor over (time of the last change, id).

Page numbers count rows from the start of the list, so a row that changes between two
requests moves to the end and pushes a row the integrator has not seen yet onto a page it has
already read. The cursor remembers the last row given instead: the next page starts strictly
after it, rows with the same time are told apart by their id, and a row changed meanwhile
comes again (later), never instead of another.
"""

import base64
import binascii
import datetime

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param


def in_calendar(moment: datetime.datetime) -> bool:
    """Whether an aware moment exists in UTC too: 0001-01-01T00:00+01:00 is before year 1 there,
    and the database (which stores UTC) cannot take it."""
    try:
        moment.astimezone(datetime.UTC)
    except OverflowError:
        return False
    return True


class SyncCursorPagination(BasePagination):
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    page_size = 100
    max_page_size = 1000

    def paginate_queryset(self, queryset, request, view=None):
        if "page" in request.query_params:
            raise ValidationError(
                {"page": [_("Strony mają kursor: przejdź pod adres z „next” w odpowiedzi.")]}
            )
        self.request = request
        self.field = view.updated_field
        size = self._page_size(request)
        position = self._decode(request.query_params.get(self.cursor_query_param))
        self.count = queryset.count()
        if position is not None:
            at, pk = position
            queryset = queryset.filter(
                Q(**{f"{self.field}__gt": at}) | Q(**{self.field: at, "pk__gt": pk})
            )
        rows = list(queryset[: size + 1])
        self.more = len(rows) > size
        self.rows = rows[:size]
        return self.rows

    def _page_size(self, request) -> int:
        value = request.query_params.get(self.page_size_query_param, "")
        if value.isascii() and value.isdigit() and int(value) > 0:
            return min(int(value), self.max_page_size)
        return self.page_size

    def _encode(self, row) -> str:
        at = getattr(row, self.field).astimezone(datetime.UTC)
        text = f"{at.isoformat()}|{row.pk}"
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    def _decode(self, value):
        if not value:
            return None
        try:
            text = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
            at, _sep, pk = text.partition("|")
            position = datetime.datetime.fromisoformat(at), int(pk)
        except (binascii.Error, UnicodeDecodeError, ValueError):
            position = None
        if (
            position is None
            or position[0].tzinfo is None
            or not in_calendar(position[0])
            or position[1] < 1
        ):
            raise ValidationError(
                {self.cursor_query_param: [_("Nieprawidłowy kursor; użyj adresu z „next”.")]}
            )
        return position

    def get_next_link(self) -> str | None:
        if not self.more:
            return None
        url = remove_query_param(self.request.build_absolute_uri(), "page")
        return replace_query_param(url, self.cursor_query_param, self._encode(self.rows[-1]))

    def get_paginated_response(self, data):
        return Response({"count": self.count, "next": self.get_next_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["count", "next", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "description": str(_("Wszystkie wiersze spełniające warunki (bez kursora).")),
                },
                "next": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": str(_("Następna strona; null – to była ostatnia.")),
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": str(_("Kursor z adresu „next” poprzedniej strony.")),
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": str(
                    _("Wierszy na stronie (najwyżej %(max)d).") % {"max": self.max_page_size}
                ),
                "schema": {"type": "integer"},
            },
        ]


class SmallSyncCursorPagination(SyncCursorPagination):
    """Pages of objects that carry a lot (a resolution with every ballot)."""

    page_size = 20
    max_page_size = 100
