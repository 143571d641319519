"""The office dashboard on the admin start page: a few numbers an office checks every morning.

Each provider is ``admin_stats(request) -> dict | None`` returning
``{"title": str, "rows": [{"label": str, "value": int | str, "url": str | None}]}``; None hides
the section (the app is not there yet, or the user may not see its data). An app may ship its
own ``<app>.dashboard.admin_stats``; until it does, the fallback here reads its models. Every
provider runs one query, scoped to the communities the user works for.
"""

import datetime
import logging
from importlib import import_module

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .roles import community_ids_for

logger = logging.getLogger(__name__)

# (app-provided provider, fallback in this module)
PROVIDERS = [
    (None, "office.dashboard.accounts_stats"),
    ("meters.dashboard.admin_stats", "office.dashboard.readings_stats"),
    ("failures.dashboard.admin_stats", "office.dashboard.failures_stats"),
    ("notifications.dashboard.admin_stats", "office.dashboard.messages_stats"),
    ("finance.dashboard.admin_stats", "office.dashboard.arrears_stats"),
]


def _load(path: str | None):
    if not path:
        return None
    module_path, name = path.rsplit(".", 1)
    try:
        return getattr(import_module(module_path), name)
    except (ImportError, AttributeError):
        return None


def dashboard_sections(request) -> list[dict]:
    sections = []
    for app_path, fallback in PROVIDERS:
        provider = _load(app_path) or _load(fallback)
        if provider is None:
            continue
        try:
            section = provider(request)
        except LookupError:
            # A model the fallback expects is not there (yet); the rest of the page works.
            logger.warning("Dashboard provider %s skipped", provider.__name__, exc_info=True)
            continue
        if section:
            sections.append(section)
    return sections


def _url(name: str, query: str = "") -> str | None:
    try:
        return reverse(name) + (f"?{query}" if query else "")
    except NoReverseMatch:
        return None


def _scoped(queryset, user, model, lookup: str):
    ids = community_ids_for(user, model)
    if ids is None:
        return queryset
    return queryset.filter(**{f"{lookup}__in": ids})


def _model(label: str):
    from django.apps import apps

    return apps.get_model(label)


def accounts_stats(request) -> dict | None:
    """Accounts issued vs active among the people holding premises in the user's communities."""
    User = _model("accounts.User")
    Ownership = _model("premises.Ownership")
    if not request.user.has_perm("accounts.view_user"):
        return None
    holdings = _scoped(
        Ownership.objects.current().filter(user=OuterRef("pk")),
        request.user,
        User,
        "premises__building__community",
    )
    counts = User.objects.filter(Exists(holdings), is_staff=False).aggregate(
        people=Count("pk"),
        issued=Count("pk", filter=Q(login_issued_at__isnull=False)),
        active=Count("pk", filter=Q(is_active=True, deactivated_at__isnull=True)),
        waiting=Count(
            "pk",
            filter=Q(login_issued_at__isnull=False, is_active=False, deactivated_at__isnull=True),
        ),
    )
    url = "admin:accounts_user_changelist"
    return {
        "title": _("Konta mieszkańców"),
        "rows": [
            {"label": _("osoby z lokalami"), "value": counts["people"], "url": _url(url)},
            {"label": _("wydane loginy"), "value": counts["issued"], "url": None},
            {
                "label": _("aktywne konta"),
                "value": counts["active"],
                "url": _url(url, "stan=aktywne"),
            },
            {
                "label": _("czeka na oświadczenie"),
                "value": counts["waiting"],
                "url": _url(url, "stan=czeka"),
            },
            {
                "label": _("login niewydany"),
                "value": counts["people"] - counts["issued"],
                "url": _url(url, "stan=niewydany"),
            },
        ],
    }


def _latest_window(today: datetime.date):
    from meters.window import window_at, window_for_month

    window = window_at(today)
    if window.is_open:
        return window
    previous = window.opens_on.replace(day=1) - datetime.timedelta(days=1)
    return window_for_month(previous.year, previous.month, start_day=20, end_day=12)


def readings_stats(request) -> dict | None:
    if not request.user.has_perm("meters.view_reading"):
        return None
    Meter = _model("meters.Meter")
    Reading = _model("meters.Reading")
    window = _latest_window(timezone.localdate())
    in_window = Reading.objects.filter(
        meter=OuterRef("pk"),
        is_current=True,
        read_on__gte=window.opens_on,
        read_on__lte=window.closes_on,
    )
    meters = _scoped(
        Meter.objects.installed(), request.user, Meter, "premises__building__community"
    )
    counts = meters.aggregate(meters=Count("pk"), read=Count("pk", filter=Q(Exists(in_window))))
    return {
        "title": _("Odczyty liczników %(od)s–%(do)s")
        % {"od": window.opens_on.strftime("%d.%m"), "do": window.closes_on.strftime("%d.%m.%Y")},
        "rows": [
            {
                "label": _("liczniki z odczytem"),
                "value": f"{counts['read']} / {counts['meters']}",
                "url": _url("admin:meters_reading_changelist"),
            },
            {
                "label": _("bez odczytu"),
                "value": counts["meters"] - counts["read"],
                "url": _url("admin:meters_meter_changelist"),
            },
        ],
    }


def failures_stats(request) -> dict | None:
    if not request.user.has_perm("failures.view_failurereport"):
        return None
    FailureReport = _model("failures.FailureReport")
    now = timezone.now()
    week, month = now - datetime.timedelta(days=7), now - datetime.timedelta(days=30)
    reports = _scoped(
        FailureReport.objects.filter(status__in=FailureReport.OPEN_STATUSES),
        request.user,
        FailureReport,
        "building__community",
    )
    counts = reports.aggregate(
        fresh=Count("pk", filter=Q(created_at__gte=week)),
        middle=Count("pk", filter=Q(created_at__lt=week, created_at__gte=month)),
        old=Count("pk", filter=Q(created_at__lt=month)),
    )
    url = _url("admin:failures_failurereport_changelist")
    return {
        "title": _("Otwarte zgłoszenia awarii"),
        "rows": [
            {"label": _("do 7 dni"), "value": counts["fresh"], "url": url},
            {"label": _("8–30 dni"), "value": counts["middle"], "url": url},
            {"label": _("ponad 30 dni"), "value": counts["old"], "url": url},
        ],
    }


def messages_stats(request) -> dict | None:
    if not request.user.has_perm("notifications.view_message"):
        return None
    Message = _model("notifications.Message")
    failed = _scoped(
        Message.objects.filter(status=Message.Status.FAILED), request.user, Message, "community"
    )
    counts = failed.aggregate(
        email=Count("pk", filter=Q(channel=Message.Channel.EMAIL)),
        sms=Count("pk", filter=Q(channel=Message.Channel.SMS)),
    )
    url = _url("admin:notifications_message_changelist", "status__exact=failed")
    return {
        "title": _("Nieudane wysyłki"),
        "rows": [
            {"label": _("e-maile"), "value": counts["email"], "url": url},
            {"label": _("SMS-y"), "value": counts["sms"], "url": url},
        ],
    }


def arrears_stats(request) -> dict | None:
    """Premises in arrears today, by the finance selectors' rule (one query)."""
    if not request.user.has_perm("finance.view_charge"):
        return None
    from finance.selectors import premises_in_arrears

    Premises = _model("premises.Premises")
    premises = _scoped(Premises.objects.all(), request.user, Premises, "building__community")
    count = premises_in_arrears(premises, timezone.localdate()).count()
    return {
        "title": _("Zaległości"),
        "rows": [
            {
                "label": _("lokale z zaległością"),
                "value": count,
                "url": _url("admin:finance_premisesaccount_changelist", "zaleglosc=tak"),
            }
        ],
    }
