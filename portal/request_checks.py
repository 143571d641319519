"""Requests refused before any view sees them.

A NUL character (``%00``) in the query string: PostgreSQL cannot hold it in text, so a filter,
search or lookup given one failed in the database (an error page: an admin list filtered on
``?status__exact=%00``). No link of the portal or the office's side carries one, so such a
request is answered "Nieprawidłowe żądanie" (400) before it reaches a query. The integration
API (``/api/``) validates its few parameters itself and answers in JSON, as its clients expect.
"""

from django.core.exceptions import BadRequest

API_PREFIX = "/api/"


class RefuseNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if ("%00" in query or "\x00" in query) and not request.path.startswith(API_PREFIX):
            raise BadRequest("NUL in the query string")
        return self.get_response(request)
