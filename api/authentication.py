"""DRF plumbing: bearer keys, per-key throttling, read-only keys."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, permissions, status, throttling, views
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.response import Response

from .keys import api_key_check, api_key_touch
from .models import ApiKey


class ApiKeyAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Nagłówek Authorization: Bearer <klucz>."))
        key = api_key_check(header[1].decode("latin-1"))
        if key is None:
            raise exceptions.AuthenticationFailed(
                _("Nieprawidłowy, nieznany, wygasły lub unieważniony klucz API.")
            )
        api_key_touch(key=key)
        return key.created_by, key

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "<prefiks>.<sekret>"}


class HasApiKey(permissions.BasePermission):
    """A key is required; a read-only key may only read."""

    message = _("Ten klucz API pozwala tylko na odczyt.")

    def has_permission(self, request, view):
        if not isinstance(request.auth, ApiKey):
            raise exceptions.NotAuthenticated(_("Podaj klucz API: Authorization: Bearer <klucz>."))
        return request.method in permissions.SAFE_METHODS or request.auth.can_write


class ApiKeyThrottle(throttling.SimpleRateThrottle):
    """Requests per key (not per IP): one integrator cannot starve another."""

    scope = "api_key"

    def get_rate(self):
        return getattr(settings, "STREFA_API_RATE", "600/min")

    def allow_request(self, request, view):
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiKey):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


def exception_handler(exc, context):
    """DRF's handler, with the throttling message wholly in Polish (DRF's is half English).

    A body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is Django's ``RequestDataTooBig``, which DRF
    leaves to Django's HTML error page; an integrator gets 413 in the batch error's shape.
    """
    if isinstance(exc, RequestDataTooBig):
        message = _(
            "Paczka jest za duża: najwięcej %(megabytes)d MB w jednym zapytaniu; podziel ją."
        ) % {"megabytes": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)}
        return Response(
            {
                "detail": message,
                "errors": [{"row": None, "code": "too_large", "message": message}],
            },
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, exceptions.Throttled):
        seconds = int(exc.wait or 1)
        exc = exceptions.Throttled(
            wait=exc.wait,
            detail=_("Za dużo zapytań tym kluczem API; spróbuj ponownie za %(seconds)d s.")
            % {"seconds": seconds},
        )
    return views.exception_handler(exc, context)
