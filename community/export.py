"""The community sections of the personal data export (``data_export`` in the AppConfig).

Only rows tied to the person; a fixed number of queries (see ``accounts/export.py``).
"""

from lib.export import iso_datetime
from premises.export import premises_ref

from .models import Vote


def votes_section(user) -> list[dict]:
    """Votes the person cast on resolutions (1 query)."""
    votes = (
        Vote.objects.filter(voter=user)
        .select_related("resolution__community", "premises__building")
        .order_by("cast_at", "pk")
    )
    return [
        {
            "community": v.resolution.community.name,
            "resolution_number": v.resolution.number,
            "resolution_title": v.resolution.title,
            "premises": premises_ref(v.premises),
            "choice": v.get_choice_display(),
            "cast_at": iso_datetime(v.cast_at),
            "source": v.get_source_display(),
            "receipt_code": v.receipt_code,
        }
        for v in votes
    ]
