"""The premises sections of the personal data export (``data_export`` in the AppConfig).

Only rows tied to the person; a fixed number of queries (see ``accounts/export.py``).
"""

from lib.export import iso_date

from .models import CommunityRole, Ownership


def premises_ref(premises) -> dict | None:
    if premises is None:
        return None
    return {
        "address": premises.building.address,
        "number": premises.number,
        "kind": premises.get_kind_display(),
    }


def ownerships_section(user) -> list[dict]:
    """Every role the person holds or held, current and past (1 query)."""
    ownerships = (
        Ownership.objects.filter(user=user)
        .select_related("premises__building__community")
        .order_by("valid_from", "pk")
    )
    return [
        {
            "community": o.premises.building.community.name,
            "premises": premises_ref(o.premises),
            "role": o.get_role_display(),
            "valid_from": iso_date(o.valid_from),
            "valid_to": iso_date(o.valid_to),
            "is_correspondence_recipient": o.is_correspondence_recipient,
        }
        for o in ownerships
    ]


def community_roles_section(user) -> list[dict]:
    roles = CommunityRole.objects.filter(user=user).select_related("community").order_by("pk")
    return [
        {"community": r.community.name, "role": r.get_role_display(), "function": r.function}
        for r in roles
    ]
