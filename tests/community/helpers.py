"""Test helpers for voting: closing a vote at its end (it cannot close earlier)."""

from community.models import Resolution
from community.services import resolution_close


def close_at_end(*, resolution: Resolution, closed_by=None, now=None, **kwargs) -> Resolution:
    """Close the vote at its closing time (the service refuses to close it earlier)."""
    resolution.refresh_from_db()
    return resolution_close(
        resolution=resolution,
        closed_by=closed_by,
        now=now or resolution.voting_closes_at,
        **kwargs,
    )
