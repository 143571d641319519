"""The finance figures of the office dashboard (``dashboard`` in the AppConfig).

One query, scoped by ``scope(queryset, model, lookup)`` to the communities the user works for.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from lib.urls import reverse_or_none
from premises.models import Premises

from .selectors import premises_in_arrears


def admin_stats(request, scope) -> dict | None:
    """Premises in arrears today, by the finance selectors' rule (one query)."""
    if not request.user.has_perm("finance.view_charge"):
        return None
    premises = scope(Premises.objects.all(), Premises, "building__community")
    count = premises_in_arrears(premises, timezone.localdate()).count()
    return {
        "title": _("Zaległości"),
        "rows": [
            {
                "label": _("lokale z zaległością"),
                "value": count,
                "url": reverse_or_none("admin:finance_premisesaccount_changelist", "zaleglosc=tak"),
            }
        ],
    }
