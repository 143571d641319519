"""The integration API: every object is looked up within the key's communities (else 404)."""

from allauth.account.adapter import get_adapter as get_account_adapter
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from correspondence.models import DeliveryConsent, Thread
from failures.models import FailureReport
from failures.services import failure_change_status
from lib.ratelimit import rate_limit_hit
from meters.models import Reading
from portal.views import app_version
from premises.models import Community

from . import serializers as s
from .batches import (
    MAX_ROWS,
    charges_push,
    letters_push,
    payments_push,
    readings_push,
    register_push,
)
from .keys import community_ids
from .models import ExternalRef
from .pagination import SmallSyncCursorPagination, SyncCursorPagination, in_calendar
from .pushes import announcements_push, communities_push


def not_found(request, exception=None):
    """An API address that does not exist answers in the API's JSON, not the portal's page."""
    return JsonResponse({"detail": _("Nie znaleziono.")}, status=404)


class Pages(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


UPDATED_SINCE = OpenApiParameter(
    "updated_since",
    OpenApiTypes.DATETIME,
    description=_("Tylko zmienione od tej chwili (ISO 8601, np. 2026-11-28T02:00:00+01:00)."),
)
COMMUNITY = OpenApiParameter("community", OpenApiTypes.INT, description=_("Id wspólnoty."))


def _updated_since(request):
    value = request.query_params.get("updated_since", "")
    if not value:
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise ApiValidationError(
            {"updated_since": [_("Nieprawidłowa data i godzina (np. 2026-11-28T02:00:00Z).")]}
        )
    if timezone.is_naive(parsed):
        # Local time without an offset names an hour twice when the clocks go back.
        raise ApiValidationError(
            {"updated_since": [_("Podaj strefę czasową (np. 2026-11-28T02:00:00+01:00 albo …Z).")]}
        )
    if not in_calendar(parsed):
        raise ApiValidationError(
            {"updated_since": [_("Nieprawidłowa data i godzina (np. 2026-11-28T02:00:00Z).")]}
        )
    return parsed


def _community_param(request) -> int | None:
    value = request.query_params.get("community", "")
    if not value:
        return None
    if not (value.isascii() and value.isdigit()):  # "²" is a digit to str.isdigit
        raise ApiValidationError({"community": [_("Podaj liczbę – id wspólnoty.")]})
    return int(value)


class ScopedListView(generics.ListAPIView):
    """A list within the key's communities, changed since ``updated_since``, oldest first."""

    pagination_class = SyncCursorPagination
    community_lookup = ""
    updated_field = ""

    def get_queryset(self):
        ids = community_ids(self.request.auth)
        community = _community_param(self.request)
        if community is not None:
            # Narrowed among the key's own ids: another number (even one no key could hold)
            # answers an empty list and never reaches the database.
            ids = [pk for pk in ids if pk == community]
        queryset = self.scoped(self.base_queryset(), ids)
        since = _updated_since(self.request)
        if since is not None:
            queryset = queryset.filter(**{f"{self.updated_field}__gte": since})
        return queryset.order_by(self.updated_field, "pk")

    def scoped(self, queryset, ids):
        return queryset.filter(**{f"{self.community_lookup}__in": ids})


class _PageHook:
    """A list view that loads what the serializer needs for the whole page at once."""

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        self.prepare_page(page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def prepare_page(self, page):  # pragma: no cover - overridden
        pass


@extend_schema(tags=["rejestr"])
class CommunityListView(_PageHook, generics.ListAPIView):
    """Communities this key may read and write, with their external ids (if given)."""

    serializer_class = s.CommunitySerializer
    pagination_class = Pages

    def get_queryset(self):
        return Community.objects.filter(pk__in=community_ids(self.request.auth)).order_by("pk")

    def prepare_page(self, page):
        ids = dict(
            ExternalRef.objects.filter(
                kind=ExternalRef.Kind.COMMUNITY, object_id__in=[c.pk for c in page]
            ).values_list("object_id", "external_id")
        )
        for community in page:
            community.api_external_id = ids.get(community.pk)


def _rows(request):
    """The batch's rows, or the 400 response that says what is wrong with the body."""
    rows = request.data.get("rows") if isinstance(request.data, dict) else None
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        return None, _batch_error(
            _("Podaj „rows”: listę obiektów (wierszy)."), code="invalid_body", row=None
        )
    if len(rows) > MAX_ROWS:
        return None, _batch_error(
            _("Za dużo wierszy: najwięcej %(max)d w jednej paczce.") % {"max": MAX_ROWS},
            code="too_many_rows",
            row=None,
        )
    return rows, None


def _batch_response(result):
    if result.errors:
        return Response(
            {"detail": _("Paczka ma błędy; niczego nie zapisano."), "errors": result.errors},
            status=status.HTTP_400_BAD_REQUEST,
        )
    body = {
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "batch_id": result.batch_id,
    }
    if result.ids:
        body["ids"] = result.ids
    return Response(body)


class _BatchView(APIView):
    push = None

    def post(self, request, community_id: int):
        community = get_object_or_404(
            Community.objects.filter(pk__in=community_ids(request.auth)), pk=community_id
        )
        rows, problem = _rows(request)
        if problem is not None:
            return problem
        return _batch_response(type(self).push(key=request.auth, community=community, rows=rows))


def batch_schema(tag: str, request, summary):
    """The schema of a batch push: rows in, counts out, per-row errors on 400."""
    return extend_schema(
        tags=[tag],
        request=request,
        responses={
            200: s.BatchResultSerializer,
            400: s.BatchErrorSerializer,
            413: s.BatchErrorSerializer,
        },
        summary=summary,
    )


@batch_schema(
    "rejestr",
    s.CommunityBatchSerializer,
    _("Wspólnoty: załóż lub zmień po external_id; nowe dołączają do wspólnot klucza"),
)
class CommunityBatchView(APIView):
    def post(self, request):
        rows, problem = _rows(request)
        if problem is not None:
            return problem
        return _batch_response(communities_push(key=request.auth, rows=rows))


@batch_schema(
    "wspólnota",
    s.AnnouncementBatchSerializer,
    _("Ogłoszenia po external_id; mieszkańcy powiadamiani jak przy ogłoszeniu z panelu"),
)
class AnnouncementBatchView(_BatchView):
    push = staticmethod(announcements_push)


def _batch_error(message, *, code, row):
    return Response(
        {"detail": message, "errors": [{"row": row, "code": code, "message": message}]},
        status=status.HTTP_400_BAD_REQUEST,
    )


@batch_schema(
    "rejestr",
    s.RegisterBatchSerializer,
    _("Rejestr: budynki, lokale, osoby i tytuły prawne; wszystko albo nic"),
)
class RegisterBatchView(_BatchView):
    push = staticmethod(register_push)


@batch_schema(
    "korespondencja",
    s.LetterBatchSerializer,
    _("Pisma z załącznikami PDF, idempotentnie po external_id; wszystko albo nic"),
)
class LetterBatchView(_BatchView):
    push = staticmethod(letters_push)


@batch_schema(
    "finanse", s.ChargeBatchSerializer, _("Naliczenia: paczka do 10 000 wierszy, wszystko albo nic")
)
class ChargeBatchView(_BatchView):
    push = staticmethod(charges_push)


@batch_schema(
    "finanse", s.PaymentBatchSerializer, _("Wpłaty: paczka do 10 000 wierszy, wszystko albo nic")
)
class PaymentBatchView(_BatchView):
    push = staticmethod(payments_push)


@batch_schema(
    "liczniki",
    s.ReadingBatchSerializer,
    _("Odczyty zdalne: paczka do 10 000 wierszy, wszystko albo nic"),
)
class ReadingBatchView(_BatchView):
    push = staticmethod(readings_push)


@extend_schema(tags=["liczniki"], parameters=[UPDATED_SINCE, COMMUNITY])
class ReadingListView(ScopedListView):
    """Readings residents submitted (with a photo link), by the time of their last change.

    A reading the resident corrected stays on record, no longer current: that change moves its
    ``updated_at``, so a sync sees it again with ``is_current`` false and ``superseded_by``;
    one the office invalidated comes again with ``invalidated_at`` (``readings_invalidate``
    writes its history record).
    """

    serializer_class = s.ReadingSerializer
    community_lookup = "meter__premises__building__community"
    updated_field = "updated_at"

    def base_queryset(self):
        return (
            Reading.objects.filter(source=Reading.Source.RESIDENT)
            .select_related("meter__premises__building")
            .annotate(
                updated_at=Greatest("created_at", Coalesce(_last_history(Reading), "created_at"))
            )
        )


class ReadingPhotoView(APIView):
    """The photo of a reading, for a key of the reading's community only."""

    @extend_schema(
        tags=["liczniki"],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    def get(self, request, pk: int):
        reading = get_object_or_404(
            Reading.objects.filter(
                meter__premises__building__community__in=community_ids(request.auth)
            ).exclude(photo=""),
            pk=pk,
        )
        try:
            handle = reading.photo.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(handle, as_attachment=False)
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


@extend_schema(tags=["awarie"], parameters=[UPDATED_SINCE, COMMUNITY])
class FailureListView(ScopedListView):
    """Failure reports with their status history, by the time of their last status change."""

    serializer_class = s.FailureSerializer
    community_lookup = "building__community"
    updated_field = "status_changed_at"

    def base_queryset(self):
        return FailureReport.objects.select_related("building", "premises").prefetch_related(
            "status_changes"
        )


def _failures(request):
    return FailureReport.objects.filter(
        building__community__in=community_ids(request.auth)
    ).select_related("building", "premises")


class FailureDetailView(APIView):
    @extend_schema(tags=["awarie"], responses=s.FailureSerializer)
    def get(self, request, pk: int):
        report = get_object_or_404(_failures(request).prefetch_related("status_changes"), pk=pk)
        return Response(s.FailureSerializer(report, context={"request": request}).data)

    @extend_schema(
        tags=["awarie"],
        request=s.FailureStatusSerializer,
        responses={200: s.FailureSerializer},
        summary=_("Zmiana statusu zgłoszenia (te same reguły przejść co w panelu biura)"),
    )
    def patch(self, request, pk: int):
        report = get_object_or_404(_failures(request), pk=pk)
        form = s.FailureStatusSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            failure_change_status(
                report=report,
                to_status=form.validated_data["status"],
                comment=form.validated_data.get("comment", ""),
                changed_by=request.auth.created_by,
            )
        except ValidationError as error:
            raise ApiValidationError(
                {"status": error.messages}, code=error.code or "invalid"
            ) from None
        report = _failures(request).prefetch_related("status_changes").get(pk=pk)
        return Response(s.FailureSerializer(report, context={"request": request}).data)


@extend_schema(tags=["korespondencja"], parameters=[UPDATED_SINCE, COMMUNITY])
class ThreadListView(ScopedListView):
    """Residents' messages to the office (threads), by the time of their last message."""

    serializer_class = s.ThreadSerializer
    community_lookup = "community"
    updated_field = "last_message_at"

    def base_queryset(self):
        return Thread.objects.select_related("premises").prefetch_related("messages")


# --- Consents, resolutions and votes, resignations ------------------------------------------


def _last_history(model):
    """The time of the latest historical record of each row (simple-history), as a subquery."""
    return Subquery(
        model.history.model.objects.filter(id=OuterRef("pk"))
        .order_by()
        .values("id")
        .annotate(last=Max("history_date"))
        .values("last")[:1]
    )


@extend_schema(tags=["korespondencja"], parameters=[UPDATED_SINCE, COMMUNITY])
class ConsentListView(_PageHook, ScopedListView):
    """Consents to e-delivery of letters and to SMS notices, given and withdrawn, with history.

    A withdrawn consent stays on the list with ``withdrawn_at``; a consent given again is a new
    row. ``updated_at`` is the last change (given, address followed the e-mail, withdrawn).
    """

    serializer_class = s.ConsentSerializer
    community_lookup = "premises__building__community"
    updated_field = "updated_at"

    def base_queryset(self):
        return DeliveryConsent.objects.select_related("user", "premises__building").annotate(
            updated_at=Greatest(
                "given_at",
                Coalesce("withdrawn_at", "given_at"),
                Coalesce(_last_history(DeliveryConsent), "given_at"),
            )
        )

    def prepare_page(self, page):
        history = {}
        records = DeliveryConsent.history.filter(id__in=[c.pk for c in page]).order_by(
            "history_date", "history_id"
        )
        for record in records:
            history.setdefault(record.id, []).append(record)
        for consent in page:
            consent.api_history = history.get(consent.pk, [])


@extend_schema(tags=["uchwały"], parameters=[UPDATED_SINCE, COMMUNITY])
class ResolutionListView(_PageHook, ScopedListView):
    """Resolutions with their counting mode, tally, outcome and every ballot (online and paper).

    The tally is ``community.selectors.resolution_tally`` (stored at closing, else live) and the
    ballots with "counted" / "lapsed" / "superseded" are ``community.selectors.protocol_rows`` –
    the very numbers of the admin's voting protocol. ``updated_at`` moves with every change of
    the resolution and every ballot cast or corrected. Open resolutions cost a few queries each.
    """

    serializer_class = s.ResolutionSerializer
    community_lookup = "community"
    updated_field = "updated_at"

    pagination_class = SmallSyncCursorPagination

    def base_queryset(self):
        from community.models import Resolution, Vote

        last_ballot = Subquery(
            Vote.history.model.objects.filter(resolution_id=OuterRef("pk"))
            .order_by()
            .values("resolution_id")
            .annotate(last=Max("history_date"))
            .values("last")[:1]
        )
        return Resolution.objects.select_related("community").annotate(
            updated_at=Greatest(
                "created_at",
                Coalesce(_last_history(Resolution), "created_at"),
                Coalesce(last_ballot, "created_at"),
                Coalesce("closed_at", "created_at"),
            )
        )

    def prepare_page(self, page):
        from community.selectors import has_vote_tally, protocol_rows, resolution_tally

        for resolution in page:
            if not has_vote_tally(resolution):
                resolution.api_tally, resolution.api_ballots = None, []
            else:
                resolution.api_tally = resolution_tally(resolution)
                resolution.api_ballots = protocol_rows(resolution)


@extend_schema(tags=["rejestr"], parameters=[UPDATED_SINCE, COMMUNITY])
class ResignationListView(ScopedListView):
    """Residents' requests to resign from Strefa Klienta (open and handled by the office).

    A request belongs to the communities where its author holds or held premises.
    """

    serializer_class = s.ResignationSerializer
    updated_field = "updated_at"

    def base_queryset(self):
        from accounts.models import ResignationRequest

        return ResignationRequest.objects.select_related("user").annotate(
            updated_at=Greatest("created_at", Coalesce("handled_at", "created_at"))
        )

    def scoped(self, queryset, ids):
        from premises.models import Ownership

        held = Ownership.objects.filter(
            user=OuterRef("user"), premises__building__community__in=ids
        )
        return queryset.filter(Exists(held))


# How long a built schema is kept: it changes only with the code, and the key names the app's
# version; the expiry bounds how long a deployment that kept the version shows the old schema.
SCHEMA_CACHE_SECONDS = 600
SCHEMA_RATE_LIMIT_MESSAGE = _(
    "Zbyt wiele pobrań schematu API z tego adresu. Spróbuj ponownie za minutę."
)
DOCS_RATE_LIMIT_MESSAGE = _(
    "Zbyt wiele wyświetleń dokumentacji API z tego adresu. Spróbuj ponownie za minutę."
)


class PerVisitorRateLimitMixin:
    """A public page of the API (no key): each visitor IP may ask for it
    ``API_SCHEMA_RATE_LIMIT`` times a minute (TRUSTED_PROXY_COUNT decides the IP, as for
    logins), then gets a 429 with a Polish JSON message. Each page counts apart
    (``rate_limit_scope``), so the documentation's own loads leave the schema's count alone.
    """

    rate_limit_scope = ""
    rate_limit_message = ""

    def dispatch(self, request, *args, **kwargs):
        limit, period = settings.API_SCHEMA_RATE_LIMIT
        try:
            ip = get_account_adapter(request).get_client_ip(request)
        except PermissionDenied:  # no address at all (e.g. a bare WSGI call): one shared count
            ip = "unknown"
        if not rate_limit_hit(scope=self.rate_limit_scope, key=ip, limit=limit, period=period):
            return JsonResponse(
                {"detail": gettext(self.rate_limit_message)},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(period)},
            )
        return super().dispatch(request, *args, **kwargs)


class DocsView(PerVisitorRateLimitMixin, SpectacularSwaggerSplitView):
    """The API's documentation page (Swagger UI from the package, and its script at
    ``?script=``), public like the schema and limited per visitor as the schema is."""

    rate_limit_scope = "api_docs"
    rate_limit_message = DOCS_RATE_LIMIT_MESSAGE
    url_name = "api:schema"
    template_name = "api/swagger_ui.html"
    authentication_classes = []
    permission_classes = [AllowAny]


class SchemaView(PerVisitorRateLimitMixin, SpectacularAPIView):
    """The OpenAPI schema, public (it describes the API, not anyone's data).

    Building it costs ~130 ms of CPU, ten times a page, and an anonymous visitor could ask for
    it again and again: it is built once per app version, language and format and then served
    from the cache, and each visitor IP may fetch it ``API_SCHEMA_RATE_LIMIT`` times a minute.
    """

    rate_limit_scope = "api_schema"
    rate_limit_message = SCHEMA_RATE_LIMIT_MESSAGE
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        # The renderer's own media type, not the client's (its parameters, e.g. "indent=", would
        # make a new cache entry, and a new build, per request).
        renderer = request.accepted_renderer
        key = f"strefa:api-schema:{app_version()}:{self._language(request)}:{renderer.media_type}"
        cached = cache.get(key)
        if cached is None:
            response = super().get(request, *args, **kwargs)
            context = self.get_renderer_context()
            content = renderer.render(response.data, renderer.media_type, context)
            cached = (content, response["Content-Disposition"])
            cache.set(key, cached, timeout=SCHEMA_CACHE_SECONDS)
        content, disposition = cached
        charset = f"; charset={renderer.charset}" if renderer.charset else ""
        return HttpResponse(
            content,
            content_type=renderer.media_type + charset,
            headers={"Content-Disposition": disposition},
        )

    @staticmethod
    def _language(request) -> str:
        """The language the schema is built in: SpectacularAPIView switches to "?lang=", and
        an unknown one falls back to the catalogue of LANGUAGE_CODE."""
        lang = request.GET.get("lang")
        if not lang:
            return get_language()
        return lang if lang in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE

    def _get_version_parameter(self, request):
        # "?version=" is ignored: what a visitor passes must not end up in the schema cached
        # for everyone (the API has one version, SPECTACULAR_SETTINGS["VERSION"]).
        return None
