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
"""

from django.contrib import messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import BadRequest, ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


class RequestChecksMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if ("%00" in query or "\x00" in query) and not request.path.startswith(API_PREFIX):
            raise BadRequest("NUL in the query string")
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
