"""Requests refused before any view sees them, in one place for every page and admin list.

* A NUL character (``%00``) in the query string: PostgreSQL cannot hold it in text, so a
  filter, search or lookup given one failed in the database (an error page: an admin list
  filtered on ``?status__exact=%00``). No link of the portal or the office's side carries one,
  so such a request is answered "Nieprawidłowe żądanie" (400) before it reaches a query. The
  integration API (``/api/``) validates its few parameters itself and answers in JSON, as its
  clients expect.
* An admin action on rows whose ids the model's key cannot hold (``_selected_action=abc``):
  Django's admin filtered on them and failed (an error page on every list, ours and the
  libraries'). The action is not run; the list says why, as it does when nothing is selected.
* A body larger than any form takes (``MAX_REQUEST_BYTES``, by its declared length): Django
  would stream its files to temporary files before the CSRF check or any login, so a visitor
  could fill the disk. It is answered "Przesłane dane są za duże" (413) unread. The API's JSON
  bodies are capped lower by Django itself (``DATA_UPLOAD_MAX_MEMORY_SIZE``, a JSON 413).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import BadRequest, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


class RequestChecksMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(API_PREFIX):
            return self.get_response(request)
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or "\x00" in query:
            raise BadRequest("NUL in the query string")
        if _declared_length(request) > settings.MAX_REQUEST_BYTES:
            megabytes = settings.MAX_REQUEST_BYTES // 2**20
            return render(request, "413.html", {"megabytes": megabytes}, status=413)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Django's admin marks the views of a model's admin with it (``ModelAdmin.get_urls``).
        model_admin = getattr(view_func, "model_admin", None)
        user = getattr(request, "user", None)
        if model_admin is None or request.method != "POST" or not (user and user.is_staff):
            return None  # others: the admin's own login and permission checks answer
        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        key = model_admin.model._meta.pk
        try:
            for value in selected:
                key.to_python(value)
        except ValidationError:
            model_admin.message_user(
                request,
                _(
                    "Nie wykonano akcji: zaznaczenie zawiera wiersz, którego nie ma na liście. "
                    "Odśwież listę i zaznacz wiersze ponownie."
                ),
                messages.ERROR,
            )
            return HttpResponseRedirect(request.get_full_path())
        return None


def _declared_length(request) -> int:
    """The body's length as the client declares it; Django reads no more than that."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0
