"""One owner – one vote (art. 23 ust. 2 ustawy o własności lokali).

The voting unit is the set of current owners of a premises: one person with several flats has
one vote, co-owners of a flat have one vote together, a couple co-owning two flats has one vote.
Votes are still cast per premises: the first ballot of a unit binds it and is changed where it
was cast (a ballot for another premises of the unit is refused); of ballots stored for several
premises of a unit the latest counts.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from community.models import CoOwnersProxy, Resolution
from community.selectors import resolution_tally
from community.services import vote_cast
from community.tally import Tally
from correspondence.models import Letter
from premises.models import Ownership
from tests.factories import (
    BuildingFactory,
    CommunityFactory,
    OwnershipFactory,
    PremisesFactory,
    ResolutionFactory,
    UserFactory,
)
from tests.pdf import pdf_text
from tests.utils import count_queries

from .helpers import close_at_end, stored_ballot

LATEST_RULE = (
    "Przy liczeniu „jeden właściciel – jeden głos” głos oddany za jeden z lokali właściciela "
    "liczy się za wszystkie jego lokale"
)


def at(minutes: int) -> datetime.datetime:
    """A moment inside the voting window of ``ResolutionFactory`` (opened two days ago)."""
    return timezone.now() + datetime.timedelta(minutes=minutes)


def counts(tally) -> list[int]:
    return [tally[k].count for k in ("for", "against", "abstain", "none")]


@pytest.fixture
def per_owner(db):
    return CommunityFactory(name="WM Jeden Głos", voting_enabled=True)


@pytest.fixture
def building(per_owner):
    return BuildingFactory(community=per_owner)


def flat(building, *owners, role=Ownership.Role.OWNER, share=5000, proxy=None):
    """A premises of ``owners``; co-owners vote through ``proxy`` (art. 23 ust. 2b)."""
    premises = PremisesFactory(building=building, share_numerator=share)
    for owner in owners:
        OwnershipFactory(user=owner, premises=premises, role=role)
    if proxy is not None:
        CoOwnersProxy.objects.create(
            premises=premises, proxy=proxy, granted_on=timezone.localdate() - ONE_DAY
        )
    return premises


ONE_DAY = datetime.timedelta(days=1)


def test_owner_of_three_flats_has_one_vote(per_owner, building):
    anna, jan = UserFactory(), UserFactory()
    annas = [flat(building, anna) for _ in range(3)]
    flat(building, jan)
    resolution = ResolutionFactory(community=per_owner, counting="per_owner")

    vote_cast(user=anna, resolution=resolution, premises=annas[0], choice="for")
    tally = resolution_tally(resolution)

    assert tally.by_owner
    assert counts(tally) == [1, 0, 0, 1]
    assert tally.total_count == 2
    # 1 of 2 owners is exactly half: not a majority.
    assert close_at_end(resolution=resolution, closed_by=None).status == "rejected"


def test_votes_on_all_flats_of_one_owner_do_not_outvote_two_owners(per_owner, building):
    anna, jan, ewa = UserFactory(), UserFactory(), UserFactory()
    annas = [flat(building, anna, share=20_000) for _ in range(3)]
    jans, ewas = flat(building, jan), flat(building, ewa)
    resolution = ResolutionFactory(community=per_owner, counting="per_owner")
    vote_cast(user=anna, resolution=resolution, premises=annas[0], choice="for")
    for premises in annas[1:]:
        with pytest.raises(ValidationError):  # her vote for the first covers them
            vote_cast(user=anna, resolution=resolution, premises=premises, choice="for")
    vote_cast(user=jan, resolution=resolution, premises=jans, choice="against")
    vote_cast(user=ewa, resolution=resolution, premises=ewas, choice="against")

    tally = resolution_tally(resolution)

    assert counts(tally) == [1, 2, 0, 0]  # three flats "for" are still one owner
    assert close_at_end(resolution=resolution, closed_by=None).status == "rejected"


def test_co_owners_of_one_flat_count_once(per_owner, building):
    anna, piotr, jan = UserFactory(), UserFactory(), UserFactory()
    shared = flat(building, anna, piotr, role=Ownership.Role.CO_OWNER, proxy=piotr)
    flat(building, jan)
    resolution = ResolutionFactory(community=per_owner, counting="per_owner")

    vote_cast(user=piotr, resolution=resolution, premises=shared, choice="against")

    assert counts(resolution_tally(resolution)) == [0, 1, 0, 1]


def test_couple_co_owning_two_flats_counts_once(per_owner, building):
    anna, piotr, jan = UserFactory(), UserFactory(), UserFactory()
    first = flat(building, anna, piotr, role=Ownership.Role.CO_OWNER, proxy=anna)
    second = flat(building, anna, piotr, role=Ownership.Role.CO_OWNER, proxy=piotr)
    jans = flat(building, jan)
    resolution = ResolutionFactory(community=per_owner, counting="per_owner")

    vote_cast(user=anna, resolution=resolution, premises=first, choice="for", now=at(1))
    with pytest.raises(ValidationError):  # the couple voted through the first flat
        vote_cast(user=piotr, resolution=resolution, premises=second, choice="for", now=at(2))
    vote_cast(user=jan, resolution=resolution, premises=jans, choice="against", now=at(3))

    tally = resolution_tally(resolution)

    assert counts(tally) == [1, 1, 0, 0]
    assert tally.total_count == 2
    assert str(tally.for_.percent) == "50.00"


def test_second_flat_of_one_owner_is_refused_the_first_changes(per_owner, building):
    anna = UserFactory()
    first, second = flat(building, anna), flat(building, anna)
    resolution = ResolutionFactory(community=per_owner, counting="per_owner")

    vote_cast(user=anna, resolution=resolution, premises=first, choice="for", now=at(1))
    with pytest.raises(ValidationError):
        vote_cast(user=anna, resolution=resolution, premises=second, choice="against", now=at(2))
    assert counts(resolution_tally(resolution)) == [1, 0, 0, 0]

    # The vote is changed where it was cast.
    vote_cast(user=anna, resolution=resolution, premises=first, choice="abstain", now=at(3))
    assert counts(resolution_tally(resolution)) == [0, 0, 1, 0]


def test_ballots_stored_for_two_flats_of_one_owner_latest_wins(per_owner, building):
    # Ballots stored before a second one was refused (or of two owner sets that became one):
    # the latest counts for the owner.
    anna, piotr = UserFactory(), UserFactory()
    first = flat(building, anna, piotr, role=Ownership.Role.CO_OWNER, proxy=anna)
    second = flat(building, anna, piotr, role=Ownership.Role.CO_OWNER, proxy=piotr)
    resolution = ResolutionFactory(community=per_owner, counting="per_owner")
    stored_ballot(resolution=resolution, premises=second, voter=piotr, choice="for", cast_at=at(1))
    stored_ballot(
        resolution=resolution, premises=first, voter=anna, choice="against", cast_at=at(5)
    )

    assert counts(resolution_tally(resolution)) == [0, 1, 0, 0]


def test_different_owner_sets_are_different_owners(per_owner, building):
    # Anna alone owns one flat and co-owns another with Piotr: two owner sets, two votes.
    anna, piotr = UserFactory(), UserFactory()
    own = flat(building, anna)
    flat(building, anna, piotr, role=Ownership.Role.CO_OWNER)
    resolution = ResolutionFactory(community=per_owner, counting="per_owner")
    vote_cast(user=anna, resolution=resolution, premises=own, choice="for")

    assert counts(resolution_tally(resolution)) == [1, 0, 0, 1]


def test_tenants_and_former_owners_are_not_owners(per_owner, building):
    anna, tenant, seller = UserFactory(), UserFactory(), UserFactory()
    first = flat(building, anna)
    OwnershipFactory(user=tenant, premises=first, role=Ownership.Role.TENANT)
    # Anna bought the second flat yesterday; the seller's ownership ended the day before.
    second = flat(building)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    OwnershipFactory(user=seller, premises=second, valid_to=yesterday - datetime.timedelta(days=1))
    OwnershipFactory(user=anna, premises=second, valid_from=yesterday)
    resolution = ResolutionFactory(community=per_owner, counting="per_owner")

    vote_cast(user=anna, resolution=resolution, premises=second, choice="for")

    tally = resolution_tally(resolution)
    assert counts(tally) == [1, 0, 0, 0]  # one owner, who voted
    assert close_at_end(resolution=resolution, closed_by=None).status == "adopted"


def test_owners_are_taken_on_the_day_voting_ended(per_owner, building):
    anna, jan = UserFactory(), UserFactory()
    annas = flat(building, anna)
    resolution = ResolutionFactory(community=per_owner, counting="per_owner")
    vote_cast(user=anna, resolution=resolution, premises=annas, choice="for")
    closes = timezone.now() + datetime.timedelta(days=12)
    # Jan becomes an owner only after the vote ends: not one of the owners who decide.
    flat_after = flat(building)
    OwnershipFactory(
        user=jan,
        premises=flat_after,
        valid_from=timezone.localdate(closes) + datetime.timedelta(days=1),
    )

    tally = resolution_tally(resolution, now=closes + datetime.timedelta(days=3))

    assert counts(tally) == [1, 0, 0, 1]  # the flat without an owner then: the original owner
    assert tally.total_count == 2


@pytest.mark.parametrize(
    ("votes", "adopted"),
    [
        # 4 owners: more than half of all four owners must vote "for" (art. 23 ust. 2a).
        (["for", "for"], False),
        (["for", "for", "against", "against"], False),
        (["for", "for", "for"], True),
        (["for", "for", "against"], False),
        (["for"], False),
    ],
)
def test_majority_of_all_owners(per_owner, building, votes, adopted):
    owners = [UserFactory() for _ in range(4)]
    # The first owner holds two flats (still one vote), the others one each.
    flats = [[flat(building, owners[0]), flat(building, owners[0])]] + [
        [flat(building, owner)] for owner in owners[1:]
    ]
    resolution = ResolutionFactory(community=per_owner, counting="per_owner")
    for owner, choice, premises in zip(owners, votes, flats, strict=False):
        vote_cast(user=owner, resolution=resolution, premises=premises[0], choice=choice)

    closed = close_at_end(resolution=resolution, closed_by=None)

    assert closed.status == ("adopted" if adopted else "rejected")
    assert resolution_tally(closed).total_count == 4


def test_closed_result_keeps_owner_counts(per_owner, building):
    anna, jan = UserFactory(), UserFactory()
    first, _second = flat(building, anna), flat(building, anna)
    flat(building, jan)
    resolution = ResolutionFactory(community=per_owner, counting="per_owner")
    vote_cast(user=anna, resolution=resolution, premises=first, choice="for")
    close_at_end(resolution=resolution, closed_by=None)
    # Later changes of ownership do not change the recorded result.
    OwnershipFactory(user=UserFactory(), premises=flat(building))
    resolution.refresh_from_db()

    tally = resolution_tally(resolution)

    assert resolution.result["unit"] == "owners"
    assert tally.by_owner and counts(tally) == [1, 0, 0, 1]


def test_results_stored_before_owner_units_still_read_as_premises():
    stored = {
        "threshold": "all_shares",
        "counting": "per_owner",
        "lines": {
            "for": {"share": "1/2", "count": 2},
            "against": {"share": "0/1", "count": 0},
            "abstain": {"share": "0/1", "count": 0},
            "none": {"share": "1/2", "count": 1},
        },
    }
    tally = Tally.from_json(stored)
    assert not tally.by_owner
    assert tally.for_.count == 2


def test_share_counting_is_unchanged(per_owner, building):
    anna, jan = UserFactory(), UserFactory()
    annas = [flat(building, anna, share=30_000) for _ in range(2)]
    flat(building, jan, share=40_000)
    resolution = ResolutionFactory(community=per_owner, counting="share")
    vote_cast(user=anna, resolution=resolution, premises=annas[0], choice="for")

    tally = resolution_tally(resolution)

    assert not tally.by_owner
    assert counts(tally) == [1, 0, 0, 2]  # premises
    assert str(tally.for_.percent) == "30.00"


# --- What residents and the office see -------------------------------------------------------


@pytest.fixture
def owner_client(client, building):
    anna = UserFactory(first_name="Anna", last_name="Nowak")
    flat(building, anna)
    flat(building, anna)
    client.force_login(anna)
    client.anna = anna
    return client


def test_resolution_page_shows_owner_counts_and_explains_the_rule(
    per_owner, building, owner_client
):
    anna = owner_client.anna
    jan = UserFactory()
    flat(building, jan)
    resolution = ResolutionFactory(community=per_owner, counting="per_owner")
    first = anna.ownerships.order_by("pk").first().premises
    vote_cast(user=anna, resolution=resolution, premises=first, choice="for")

    content = owner_client.get(f"/wspolnota/uchwaly/{resolution.pk}/").content.decode()

    assert "Właściciele" in content
    assert 'data-owners="for">1<' in content
    assert 'data-owners="none">1<' in content
    assert 'data-owners="total">2<' in content
    assert 'data-tally="for">50,00%<' in content
    assert LATEST_RULE in content
    assert "jeden właściciel – jeden głos" in content
    assert "więcej niż połowa wszystkich właścicieli" in content
    assert "Udziały" not in content
    # Anna has two flats: the voting section tells her they make one vote.
    assert "lokale tych samych właścicieli dają razem jeden głos" in content


def _populate(community, building, count):
    """``count`` owners, each with two flats and a vote; one open resolution."""
    resolution = ResolutionFactory(community=community, counting="per_owner")
    for _ in range(count):
        owner = UserFactory()
        premises = flat(building, owner)
        flat(building, owner)  # covered by the vote for the first
        vote_cast(user=owner, resolution=resolution, premises=premises, choice="for")
        couple = [UserFactory(), UserFactory()]
        premises = flat(building, *couple, role=Ownership.Role.CO_OWNER, proxy=couple[1])
        vote_cast(user=couple[1], resolution=resolution, premises=premises, choice="abstain")
    return resolution


def test_resolution_page_queries_do_not_grow_with_owners_and_votes(
    per_owner, building, owner_client
):
    few = _populate(per_owner, building, 1)
    owner_client.get(
        f"/wspolnota/uchwaly/{few.pk}/"
    )  # warms the cached company row, as every later request finds it
    queries_few = count_queries(owner_client, f"/wspolnota/uchwaly/{few.pk}/")
    many = _populate(per_owner, building, 8)
    queries_many = count_queries(owner_client, f"/wspolnota/uchwaly/{many.pk}/")

    assert queries_few == queries_many
    # the session with its user, resolution, user's holdings, their premises' ballots, owners,
    # ballots of the tally (the company row comes from the cache).
    assert queries_many == 6
    tally = resolution_tally(many)
    assert tally.total_count == 1 + 9 * 2  # Anna, and per round one owner and one couple


def test_outcome_letter_and_protocol_count_owners(
    per_owner, building, django_capture_on_commit_callbacks, client
):
    anna, jan, ewa = UserFactory(), UserFactory(), UserFactory()
    annas = [flat(building, anna) for _ in range(2)]
    flat(building, jan)
    flat(building, ewa)
    resolution = ResolutionFactory(community=per_owner, counting="per_owner")
    vote_cast(user=anna, resolution=resolution, premises=annas[0], choice="for")

    with django_capture_on_commit_callbacks(execute=True):
        close_at_end(resolution=resolution, closed_by=None)

    letter = Letter.objects.filter(recipient=jan).get()
    assert "jeden właściciel – jeden głos" in letter.body
    assert "za: 1 (33,33%)" in letter.body
    assert "Wszystkich właścicieli: 3." in letter.body

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(f"/admin/community/resolution/{resolution.pk}/protokol/")
    text = " ".join(pdf_text(response.content).split())
    assert "Właściciele" in text
    assert "więcej niż połowa wszystkich właścicieli" in text
    assert Resolution.objects.get().status == "rejected"
