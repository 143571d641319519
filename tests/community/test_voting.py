import datetime
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from community.models import OutcomeNotice, Resolution, Vote
from community.selectors import resolution_tally
from community.services import paper_vote_record, vote_cast
from correspondence.models import Letter
from premises.models import Community, Ownership
from tests.factories import (
    BuildingFactory,
    OwnershipFactory,
    PremisesFactory,
    ResolutionFactory,
    UserFactory,
)
from tests.pdf import pdf_text

from .helpers import close_at_end, fill_shares


def make_community_with_shares(community, shares):
    """Premises with the given (numerator, denominator) shares, each with its own owner."""
    building = BuildingFactory(community=community)
    people = []
    for i, (num, den) in enumerate(shares):
        premises = PremisesFactory(
            building=building, number=f"T{i}", share_numerator=num, share_denominator=den
        )
        owner = UserFactory()
        OwnershipFactory(user=owner, premises=premises)
        people.append((owner, premises))
    return people


def test_tally_sums_mixed_denominators_exactly(voting_community):
    # 1/3 + 1/6 + 1/7 + 5/14 = 1: no float could add these back to exactly one.
    people = make_community_with_shares(voting_community, [(1, 3), (1, 6), (1, 7), (5, 14)])
    resolution = ResolutionFactory(community=voting_community)
    vote_cast(user=people[0][0], resolution=resolution, premises=people[0][1], choice="for")
    vote_cast(user=people[1][0], resolution=resolution, premises=people[1][1], choice="against")
    vote_cast(user=people[2][0], resolution=resolution, premises=people[2][1], choice="abstain")

    tally = resolution_tally(resolution)

    assert tally.for_.share == Fraction(1, 3)
    assert tally.against.share == Fraction(1, 6)
    assert tally.abstain.share == Fraction(1, 7)
    assert tally.not_voted.share == Fraction(5, 14)
    assert tally.total_share == 1
    assert [tally[k].count for k in ("for", "against", "abstain", "none")] == [1, 1, 1, 1]
    assert isinstance(tally.for_.share, Fraction)
    assert str(tally.for_.percent) == "33.33"


def test_tally_counts_every_premises_of_the_community_once(voting_community, premises, resident):
    make_community_with_shares(voting_community, [(10, 100), (20, 100)])
    other = make_community_with_shares(
        Community.objects.create(
            company=voting_community.company,
            name="Inna",
            street="x",
            postal_code="00-001",
            city="W",
        ),
        [(50, 100)],
    )
    resolution = ResolutionFactory(community=voting_community)
    vote_cast(user=resident, resolution=resolution, premises=premises, choice="for")
    tally = resolution_tally(resolution)
    assert tally.total_count == 3  # the other community's premises is not counted
    assert tally.for_.share == Fraction(5, 100)
    assert other  # exists, yet outside the tally


@pytest.mark.parametrize(
    ("for_numerator", "adopted"),
    [(499_999, False), (500_000, False), (500_001, True)],
)
def test_adoption_needs_more_than_half_of_all_shares(voting_community, for_numerator, adopted):
    den = 1_000_000
    people = make_community_with_shares(
        voting_community, [(for_numerator, den), (den - for_numerator, den)]
    )
    resolution = ResolutionFactory(community=voting_community)
    vote_cast(user=people[0][0], resolution=resolution, premises=people[0][1], choice="for")

    close_at_end(resolution=resolution, closed_by=None)

    resolution.refresh_from_db()
    expected = Resolution.Status.ADOPTED if adopted else Resolution.Status.REJECTED
    assert resolution.status == expected


def test_majority_is_of_all_shares_not_of_voted_shares(voting_community):
    # Art. 23 ust. 2: a majority of all shares. 30% for and 20% against is not a majority.
    people = make_community_with_shares(voting_community, [(3, 10), (2, 10), (5, 10)])
    resolution = ResolutionFactory(community=voting_community)
    vote_cast(user=people[0][0], resolution=resolution, premises=people[0][1], choice="for")
    vote_cast(user=people[1][0], resolution=resolution, premises=people[1][1], choice="against")

    assert close_at_end(resolution=resolution, closed_by=None).status == "rejected"


def test_per_owner_counting_of_a_resolution_uses_counts_not_shares(voting_community):
    # Two small flats outvote one big one when every owner has one vote.
    people = make_community_with_shares(voting_community, [(1, 10), (1, 10), (8, 10)])
    resolution = ResolutionFactory(community=voting_community, counting="per_owner")
    for owner, premises in people[:2]:
        vote_cast(user=owner, resolution=resolution, premises=premises, choice="for")
    vote_cast(user=people[2][0], resolution=resolution, premises=people[2][1], choice="against")

    assert close_at_end(resolution=resolution, closed_by=None).status == "adopted"


def test_first_co_owner_vote_binds_the_premises(resolution, premises, resident, co_owner):
    vote_cast(user=resident, resolution=resolution, premises=premises, choice="for")

    with pytest.raises(ValidationError) as error:
        vote_cast(user=co_owner, resolution=resolution, premises=premises, choice="against")

    assert "Anna Nowak" in error.value.messages[0]
    vote = Vote.objects.get()
    assert (vote.voter, vote.choice) == (resident, "for")


def test_voter_may_change_the_vote_and_every_version_is_kept(resolution, premises, resident):
    first = vote_cast(user=resident, resolution=resolution, premises=premises, choice="for")
    second = vote_cast(user=resident, resolution=resolution, premises=premises, choice="against")

    assert Vote.objects.count() == 1
    assert second.choice == "against"
    assert second.receipt_code != first.receipt_code
    assert [h.choice for h in Vote.history.order_by("history_date")] == ["for", "against"]


def test_tenant_cannot_vote(resolution, tenant):
    premises = tenant.ownerships.get().premises
    with pytest.raises(ValidationError) as error:
        vote_cast(user=tenant, resolution=resolution, premises=premises, choice="for")
    assert error.value.code == "tenant"
    assert not Vote.objects.exists()


def test_someone_without_a_role_cannot_vote_for_a_premises(resolution, premises, neighbour):
    with pytest.raises(ValidationError) as error:
        vote_cast(user=neighbour, resolution=resolution, premises=premises, choice="for")
    assert error.value.code == "not_owner"


def test_premises_of_another_community_cannot_vote(resolution, stranger):
    premises = stranger.ownerships.get().premises
    with pytest.raises(ValidationError) as error:
        vote_cast(user=stranger, resolution=resolution, premises=premises, choice="for")
    assert error.value.code == "wrong_community"


def test_changes_after_closing_are_refused(resolution, premises, resident):
    fill_shares(resolution.community)
    vote_cast(user=resident, resolution=resolution, premises=premises, choice="for")
    close_at_end(resolution=resolution, closed_by=None)

    with pytest.raises(ValidationError) as error:
        vote_cast(user=resident, resolution=resolution, premises=premises, choice="against")

    assert error.value.code == "closed"
    assert "zakończone" in error.value.messages[0]
    assert Vote.objects.get().choice == "for"


def test_vote_after_the_closing_time_is_refused(resolution, premises, resident):
    resolution.voting_closes_at = timezone.now() - datetime.timedelta(minutes=1)
    resolution.save()
    with pytest.raises(ValidationError) as error:
        vote_cast(user=resident, resolution=resolution, premises=premises, choice="for")
    assert error.value.code == "closed"


def test_voting_disabled_in_the_community_is_refused(resolution, premises, resident):
    Community.objects.filter(pk=resolution.community_id).update(voting_enabled=False)
    with pytest.raises(ValidationError) as error:
        vote_cast(user=resident, resolution=resolution, premises=premises, choice="for")
    assert error.value.code == "voting_disabled"


def test_draft_cannot_be_voted_on(voting_community, premises, resident):
    draft = ResolutionFactory(community=voting_community, status=Resolution.Status.DRAFT)
    with pytest.raises(ValidationError) as error:
        vote_cast(user=resident, resolution=draft, premises=premises, choice="for")
    assert error.value.code == "not_open"


def test_closing_twice_is_refused(resolution):
    fill_shares(resolution.community)
    close_at_end(resolution=resolution, closed_by=None)
    with pytest.raises(ValidationError):
        close_at_end(resolution=resolution, closed_by=None)


def test_closing_notifies_every_owner_with_the_full_text_and_pdf(
    resolution, premises, resident, co_owner, tenant, django_capture_on_commit_callbacks
):
    premises.share_numerator = 60_000  # the tenant's flat holds 5 000 / 100 000
    premises.save()
    fill_shares(resolution.community)
    vote_cast(user=resident, resolution=resolution, premises=premises, choice="for")
    with django_capture_on_commit_callbacks(execute=True):
        closed = close_at_end(resolution=resolution, closed_by=None)

    assert closed.status == "adopted"
    # Every owner gets their own letter, each co-owner too (art. 23 ust. 3); none the tenant.
    letters = Letter.objects.order_by("pk")
    assert {(letter.premises, letter.recipient) for letter in letters} == {
        (premises, resident),
        (premises, co_owner),
    }
    letter = letters.get(recipient=resident)
    assert letter.kind == Letter.Kind.RESOLUTION_NOTICE
    assert f"Wynik głosowania nad uchwałą nr {resolution.number}: podjęta" == letter.subject
    # Art. 23 ust. 3: the owner is told the resolution's content, not only where to find it.
    assert resolution.text in letter.body
    assert "za: 60,00% udziałów, lokale: 1" in letter.body
    assert "3/5" not in letter.body
    assert "6 tygodni od dnia, w którym został powiadomiony" in letter.body
    attachment = letter.attachments.get()
    assert attachment.name == f"uchwala-{resolution.number.replace('/', '-')}.pdf"
    with attachment.file.open("rb") as handle:
        assert resolution.text in " ".join(pdf_text(handle.read()).split())
    notice = OutcomeNotice.objects.get(recipient=resident)
    assert (notice.premises, notice.recipient, notice.letter) == (premises, resident, letter)


def test_closed_tally_is_kept_even_if_shares_change_later(resolution, premises, resident):
    fill_shares(resolution.community)
    vote_cast(user=resident, resolution=resolution, premises=premises, choice="for")
    close_at_end(resolution=resolution, closed_by=None)
    premises.share_numerator = 1
    premises.save()
    resolution.refresh_from_db()
    assert resolution_tally(resolution).for_.share == Fraction(5000, 100_000)


def test_office_records_a_paper_ballot(resolution, premises, resident, django_user_model):
    staff = UserFactory(is_staff=True)
    vote = paper_vote_record(
        resolution=resolution,
        premises=premises,
        voter=resident,
        choice="against",
        recorded_by=staff,
    )
    assert (vote.source, vote.recorded_by, vote.voter) == ("paper", staff, resident)
    assert resolution_tally(resolution).against.count == 1


def test_paper_ballot_cannot_override_a_co_owner_online_vote(
    resolution, premises, resident, co_owner
):
    vote_cast(user=resident, resolution=resolution, premises=premises, choice="for")
    with pytest.raises(ValidationError):
        paper_vote_record(
            resolution=resolution,
            premises=premises,
            voter=co_owner,
            choice="against",
            recorded_by=None,
        )


def test_paper_ballot_of_a_tenant_is_refused(resolution, tenant):
    with pytest.raises(ValidationError):
        paper_vote_record(
            resolution=resolution,
            premises=tenant.ownerships.get().premises,
            voter=tenant,
            choice="for",
            recorded_by=None,
        )


def test_former_owner_cannot_vote(resolution, premises, resident):
    Ownership.objects.filter(user=resident).update(
        valid_to=timezone.localdate() - datetime.timedelta(days=1)
    )
    with pytest.raises(ValidationError):
        vote_cast(user=resident, resolution=resolution, premises=premises, choice="for")
