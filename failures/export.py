"""The failures sections of the personal data export (``data_export`` in the AppConfig).

Only rows tied to the person; a fixed number of queries (see ``accounts/export.py``).
"""

from django.db.models import Prefetch

from lib.export import iso_datetime
from premises.export import premises_ref

from .models import FailureReport, FailureStatusChange


def failures_section(user) -> list[dict]:
    """Failures the person reported, with their status history (2 queries)."""
    reports = (
        FailureReport.objects.filter(reporter=user)
        .select_related("building", "premises__building")
        .prefetch_related(
            Prefetch(
                "status_changes",
                queryset=FailureStatusChange.objects.order_by("changed_at", "pk"),
            )
        )
        .order_by("created_at", "pk")
    )
    return [
        {
            "number": f.number,
            "building": f.building.address,
            "premises": premises_ref(f.premises),
            "description": f.description,
            "contact_phone": f.contact_phone,
            "status": f.get_status_display(),
            "reported_at": iso_datetime(f.created_at),
            "status_history": [
                {
                    "status": change.get_to_status_display(),
                    "changed_at": iso_datetime(change.changed_at),
                    "comment": change.comment,
                }
                for change in f.status_changes.all()
            ],
        }
        for f in reports
    ]
