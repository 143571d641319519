"""The accounts figures of the office dashboard (``dashboard`` in the AppConfig).

One query, scoped by ``scope(queryset, model, lookup)`` to the communities the user works for.
"""

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _

from lib.urls import reverse_or_none
from premises.models import Ownership

from .models import User


def admin_stats(request, scope) -> dict | None:
    """Accounts issued vs active among the people holding premises in the user's communities."""
    if not request.user.has_perm("accounts.view_user"):
        return None
    holdings = scope(
        Ownership.objects.current().filter(user=OuterRef("pk")),
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
            {
                "label": _("osoby z lokalami"),
                "value": counts["people"],
                "url": reverse_or_none(url),
            },
            {"label": _("wydane loginy"), "value": counts["issued"], "url": None},
            {
                "label": _("aktywne konta"),
                "value": counts["active"],
                "url": reverse_or_none(url, "stan=aktywne"),
            },
            {
                "label": _("czeka na oświadczenie"),
                "value": counts["waiting"],
                "url": reverse_or_none(url, "stan=czeka"),
            },
            {
                "label": _("login niewydany"),
                "value": counts["people"] - counts["issued"],
                "url": reverse_or_none(url, "stan=niewydany"),
            },
        ],
    }
