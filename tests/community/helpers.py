"""Test helpers for voting: closing a vote at its end (it cannot close earlier)."""

from community.models import Resolution
from community.selectors import community_share_sum
from community.services import resolution_close
from tests.factories import BuildingFactory, PremisesFactory


def close_at_end(*, resolution: Resolution, closed_by=None, now=None, **kwargs) -> Resolution:
    """Close the vote at its closing time (the service refuses to close it earlier)."""
    resolution.refresh_from_db()
    return resolution_close(
        resolution=resolution,
        closed_by=closed_by,
        now=now or resolution.voting_closes_at,
        **kwargs,
    )


def fill_shares(community) -> None:
    """A premises with nobody on record holding the rest of the shares, so that they sum to 1
    as voting by shares requires (checked at opening and again at closing)."""
    total, _missing = community_share_sum(community.pk)
    rest = 1 - total
    if rest:
        PremisesFactory(
            building=BuildingFactory(community=community),
            number="rest",
            share_numerator=rest.numerator,
            share_denominator=rest.denominator,
        )


def stored_ballot(*, resolution, premises, voter, choice, cast_at=None):
    """A ballot as stored before the vote refused a second one of the same owner or member
    through another premises (or of two owner sets that became one): the tally still
    counts only the latest of them."""
    from django.utils import timezone

    from community.models import Vote

    return Vote.objects.create(
        resolution=resolution,
        premises=premises,
        voter=voter,
        choice=choice,
        cast_at=cast_at or timezone.now(),
        receipt_code=f"S{Vote.objects.count() + 1:09d}",
    )
