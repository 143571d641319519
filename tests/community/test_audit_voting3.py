"""Voting audit, third round: the statute's edge cases at the boundaries of a vote
(ustawa o własności lokali art. 23, 25; prawo spółdzielcze art. 36)."""

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from community.models import CoOwnersProxy
from community.selectors import resolution_tally
from community.services import paper_vote_validate, vote_cast
from community.tally import Tally
from premises.models import Ownership
from tests.factories import OwnershipFactory, ResolutionFactory, UserFactory

from .helpers import close_at_end
from .test_law import flats

ONE_DAY = datetime.timedelta(days=1)

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


# --- A majority hidden by rounding is shown with more places ------------------------------------


def test_adopted_by_a_hair_does_not_show_fifty_percent():
    # 500 003/1 000 000 of all shares "for" is more than half: adopted. Rounded to two places
    # it showed "50,00%" – a tie, next to "podjęta", in the outcome letter owners challenge.
    tally = Tally.from_rows([("for", 1_000_000, 500_003, 12), ("against", 1_000_000, 499_997, 11)])

    assert tally.adopted
    assert tally.for_.percent > Decimal(50)
    assert tally.for_.percent == Decimal("50.0003")
    assert tally.against.percent == Decimal("49.9997")
    assert tally.total_share_percent == Decimal("100.0000")
    assert sum(tally[k].percent for k in ("for", "against", "abstain", "none")) == 100


def test_exactly_half_is_shown_as_fifty_and_not_adopted():
    tally = Tally.from_rows([("for", 2, 1, 1), ("against", 2, 1, 1)])

    assert not tally.adopted
    assert (tally.for_.percent, tally.against.percent) == (Decimal("50.00"), Decimal("50.00"))


def test_outcome_letter_shows_the_majority_that_decided(
    voting_community, django_capture_on_commit_callbacks
):
    from community.services import vote_cast
    from correspondence.models import Letter

    (anna, annas), (jan, jans) = flats(
        voting_community, [(500_003, 1_000_000), (499_997, 1_000_000)]
    )
    resolution = ResolutionFactory(community=voting_community)
    vote_cast(user=anna, resolution=resolution, premises=annas, choice="for")
    vote_cast(user=jan, resolution=resolution, premises=jans, choice="against")

    closed = close_at_end(resolution=resolution)

    assert closed.status == "adopted"
    body = Letter.objects.filter(recipient=jan).get().body
    assert "za: 50,0003% udziałów" in body
    assert "przeciw: 49,9997% udziałów" in body
    assert resolution_tally(closed).for_.percent == Decimal("50.0003")


# --- The sellers' proxy does not vote for the buyer ---------------------------------------------


def _sold_with_the_sellers_proxy_on_record(voting_community, *, buyer_joins_as="owner"):
    """Co-owners Anna and Piotr (3/5) appointed Ewa their proxy; four days ago they sold the
    flat to Marek, and the office has not ended the appointment (it has no end date)."""
    (_anna, flat), _jans = flats(voting_community, [(3, 5), (2, 5)])
    Ownership.objects.filter(premises=flat).update(role=Ownership.Role.CO_OWNER)
    OwnershipFactory(user=UserFactory(), premises=flat, role=Ownership.Role.CO_OWNER)
    today = timezone.localdate()
    ewa = UserFactory(first_name="Ewa", last_name="Pełnomocna")
    CoOwnersProxy.objects.create(
        premises=flat, proxy=ewa, granted_on=today - ONE_DAY * 100, valid_from=today - ONE_DAY * 100
    )
    Ownership.objects.filter(premises=flat).update(valid_to=today - ONE_DAY * 5)
    marek = UserFactory(first_name="Marek", last_name="Nabywca")
    OwnershipFactory(user=marek, premises=flat, valid_from=today - ONE_DAY * 4)
    return flat, ewa, marek


def test_buyer_votes_although_the_sellers_proxy_was_never_ended(voting_community):
    flat, _ewa, marek = _sold_with_the_sellers_proxy_on_record(voting_community)
    resolution = ResolutionFactory(community=voting_community)

    # Marek was told "Za ten lokal głosuje pełnomocnik współwłaścicieli: Ewa Pełnomocna".
    vote_cast(user=marek, resolution=resolution, premises=flat, choice="against")

    assert resolution_tally(resolution).against.share == Fraction(3, 5)


def test_sellers_proxy_cannot_vote_for_the_buyers_flat(voting_community):
    flat, ewa, _marek = _sold_with_the_sellers_proxy_on_record(voting_community)
    resolution = ResolutionFactory(community=voting_community)

    with pytest.raises(ValidationError) as error:
        vote_cast(user=ewa, resolution=resolution, premises=flat, choice="for")

    assert error.value.code == "not_owner"
    assert resolution_tally(resolution).for_.share == 0


def test_sellers_proxy_ballot_does_not_count_for_the_buyer(voting_community):
    from community.models import Vote

    flat, ewa, _marek = _sold_with_the_sellers_proxy_on_record(voting_community)
    resolution = ResolutionFactory(community=voting_community)
    # A ballot of Ewa after the sale (e.g. recorded before this check existed).
    Vote.objects.create(
        resolution=resolution, premises=flat, voter=ewa, choice="for", receipt_code="T-STALE"
    )

    assert resolution_tally(resolution).for_.share == 0


def test_a_new_co_owner_is_not_bound_by_the_earlier_appointment(voting_community):
    # Piotr inherits a part of Anna's flat after she appointed Ewa: Ewa's appointment was not
    # Piotr's; the co-owners vote as co-owners until they appoint someone together.
    (anna, flat), _jans = flats(voting_community, [(3, 5), (2, 5)])
    today = timezone.localdate()
    ewa = UserFactory()
    CoOwnersProxy.objects.create(
        premises=flat, proxy=ewa, granted_on=today - ONE_DAY * 100, valid_from=today - ONE_DAY * 100
    )
    Ownership.objects.filter(premises=flat).update(role=Ownership.Role.CO_OWNER)
    piotr = UserFactory()
    OwnershipFactory(
        user=piotr, premises=flat, role=Ownership.Role.CO_OWNER, valid_from=today - ONE_DAY * 3
    )
    resolution = ResolutionFactory(community=voting_community)

    vote_cast(user=piotr, resolution=resolution, premises=flat, choice="for")

    assert resolution_tally(resolution).for_.share == Fraction(3, 5)
