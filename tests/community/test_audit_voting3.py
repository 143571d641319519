"""Voting audit, third round: the statute's edge cases at the boundaries of a vote
(ustawa o własności lokali art. 23, 25; prawo spółdzielcze art. 36)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from community.services import paper_vote_validate
from tests.factories import ResolutionFactory

# --- A paper ballot dated at the closing time is late, as an online vote then is ---------------


def test_paper_ballot_dated_at_the_closing_time_is_refused(voting_community, premises, resident):
    now = timezone.now()
    resolution = ResolutionFactory(
        community=voting_community,
        voting_opens_at=now - datetime.timedelta(days=9),
        voting_closes_at=now - datetime.timedelta(minutes=5),
    )

    with pytest.raises(ValidationError) as error:
        paper_vote_validate(
            resolution=resolution,
            premises=premises,
            voter=resident,
            cast_at=resolution.voting_closes_at,
        )

    assert error.value.code == "late"
    assert error.value.messages == [
        "Karta z datą po zakończeniu głosowania nie może zostać uwzględniona."
    ]
    # A minute earlier it is still on time.
    paper_vote_validate(
        resolution=resolution,
        premises=premises,
        voter=resident,
        cast_at=resolution.voting_closes_at - datetime.timedelta(minutes=1),
    )
