"""The notifications figures of the office dashboard (``dashboard`` in the AppConfig).

One query, scoped by ``scope(queryset, model, lookup)`` to the communities the user works for.
"""

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from lib.urls import reverse_or_none

from .models import Message


def admin_stats(request, scope) -> dict | None:
    if not request.user.has_perm("notifications.view_message"):
        return None
    failed = scope(Message.objects.filter(status=Message.Status.FAILED), Message, "community")
    counts = failed.aggregate(
        email=Count("pk", filter=Q(channel=Message.Channel.EMAIL)),
        sms=Count("pk", filter=Q(channel=Message.Channel.SMS)),
    )
    url = reverse_or_none("admin:notifications_message_changelist", "status__exact=failed")
    return {
        "title": _("Nieudane wysyłki"),
        "rows": [
            {"label": _("e-maile"), "value": counts["email"], "url": url},
            {"label": _("SMS-y"), "value": counts["sms"], "url": url},
        ],
    }
