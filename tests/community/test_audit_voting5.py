"""Voting audit, fifth round: one owner – one vote (art. 23 ust. 2a ustawy o własności lokali)
and one member – one vote (art. 36 § 1 prawa spółdzielczego) on every path.

A ballot for a premises whose owner already voted through another premises is refused (the
vote is changed where it was cast), online, on paper and in the service alike; the premises
nobody is on record for (lokale niewyodrębnione, the original owner's) are one owner."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from community.models import CoOwnersProxy, Resolution, Vote
from community.selectors import resolution_tally
from community.services import paper_vote_record, vote_cast
from correspondence.models import Letter
from premises.models import Community, Ownership
from tests.factories import (
    CommunityFactory,
    OwnershipFactory,
    PremisesFactory,
    ResolutionFactory,
    UserFactory,
)

from .helpers import close_at_end
from .test_admin import office, office_client  # noqa: F401 (fixtures)
from .test_audit_voting4 import ONE_DAY, page, text
from .test_per_owner import at, counts

COVERED = "liczy się także za ten lokal"
REFUSED = "i liczy się on także za ten lokal"
ORIGINAL_OWNER = (
    "Lokale, które nigdy nie miały właściciela w rejestrze (niewyodrębnione, właściciela "
    "pierwotnego), liczą się razem jako jeden właściciel."
)


@pytest.fixture
def second(building, resident):
    """The resident's second flat, owned alone like the first (premises 12)."""
    flat = PremisesFactory(building=building, number="14")
    OwnershipFactory(user=resident, premises=flat)
    return flat


@pytest.fixture
def per_owner(voting_community):
    return ResolutionFactory(community=voting_community, counting="per_owner")


def post_vote(client, user, resolution, premises, choice):
    client.force_login(user)
    return client.post(
        f"/wspolnota/uchwaly/{resolution.pk}/", {"premises": premises.pk, "choice": choice}
    )


# --- 1. A second ballot of the same owner through another premises is refused ---------------


def test_per_owner_ballot_posted_for_the_second_flat_is_refused_and_changes_nothing(
    client, resident, premises, second, per_owner
):
    vote_cast(user=resident, resolution=per_owner, premises=premises, choice="against")

    response = post_vote(client, resident, per_owner, second, "for")

    html = text(response.content.decode())
    assert f"Anna Nowak oddał(a) już głos za lokal {premises} {REFUSED}" in html, html
    assert "Głos można zmienić tylko przy lokalu" in html
    assert list(Vote.objects.values_list("premises__number", "choice")) == [("12", "against")]
    assert counts(resolution_tally(per_owner))[:2] == [0, 1]


def test_per_owner_the_vote_is_still_changed_where_it_was_cast(
    client, resident, premises, second, per_owner
):
    vote_cast(user=resident, resolution=per_owner, premises=premises, choice="against")

    response = post_vote(client, resident, per_owner, premises, "for")

    assert response.status_code == 302
    assert list(Vote.objects.values_list("premises__number", "choice")) == [("12", "for")]
    html = text(page(client, resident, per_owner))
    assert f"Twój głos oddany za lokal 12 {COVERED}: za" in html


def test_per_owner_paper_ballot_for_the_second_flat_is_refused_in_admin(
    office_client,  # noqa: F811 (fixture)
    resident,
    premises,
    second,
    per_owner,
):
    vote_cast(user=resident, resolution=per_owner, premises=premises, choice="against", now=at(-60))

    response = office_client.post(
        "/admin/community/vote/add/",
        {
            "resolution": per_owner.pk,
            "premises": second.pk,
            "voter": resident.pk,
            "choice": "for",
            "cast_at_0": timezone.localdate().strftime("%d.%m.%Y"),
            "cast_at_1": timezone.localtime(at(-1)).strftime("%H:%M:%S"),
        },
    )

    assert response.status_code == 200
    assert f"głos za lokal {premises} {REFUSED}" in text(response.content.decode())
    assert list(Vote.objects.values_list("premises__number", "source")) == [("12", "online")]


def test_per_owner_paper_ballot_for_the_same_flat_still_changes_the_vote(
    resident, premises, second, per_owner
):
    vote_cast(user=resident, resolution=per_owner, premises=premises, choice="against", now=at(-60))

    paper_vote_record(
        resolution=per_owner,
        premises=premises,
        voter=resident,
        choice="for",
        recorded_by=None,
        cast_at=at(-1),
    )

    assert counts(resolution_tally(per_owner))[:2] == [1, 0]


def test_per_owner_couple_proxies_of_two_flats_give_one_vote_the_first_binds(
    building, voting_community
):
    anna, piotr = UserFactory(), UserFactory(first_name="Piotr", last_name="Nowak")
    flats = []
    for number, proxy in (("1", anna), ("2", piotr)):
        flat = PremisesFactory(building=building, number=number)
        for person in (anna, piotr):
            OwnershipFactory(user=person, premises=flat, role=Ownership.Role.CO_OWNER)
        CoOwnersProxy.objects.create(
            premises=flat, proxy=proxy, granted_on=timezone.localdate() - ONE_DAY
        )
        flats.append(flat)
    resolution = ResolutionFactory(community=voting_community, counting="per_owner")
    vote_cast(user=anna, resolution=resolution, premises=flats[0], choice="for", now=at(1))

    with pytest.raises(ValidationError) as refused:
        vote_cast(user=piotr, resolution=resolution, premises=flats[1], choice="against")

    assert REFUSED in refused.value.messages[0]
    assert list(Vote.objects.values_list("voter", "choice")) == [(anna.pk, "for")]


def test_per_member_ballot_for_a_second_flat_is_refused(building):
    cooperative = CommunityFactory(kind=Community.Kind.COOPERATIVE, voting_enabled=True)
    building.community = cooperative
    building.save()
    member = UserFactory()
    flats = [PremisesFactory(building=building, number=n) for n in ("1", "2")]
    for flat in flats:
        OwnershipFactory(user=member, premises=flat, role=Ownership.Role.MEMBER)
    resolution = ResolutionFactory(community=cooperative, counting="per_member")
    vote_cast(user=member, resolution=resolution, premises=flats[0], choice="for")

    with pytest.raises(ValidationError) as refused:
        vote_cast(user=member, resolution=resolution, premises=flats[1], choice="against")

    assert "członek spółdzielni ma jeden głos" in refused.value.messages[0]
    assert list(Vote.objects.values_list("premises__number", "choice")) == [("1", "for")]


# --- 2. Premises with no owner on record are one owner (the original owner) -----------------


def test_per_owner_premises_without_owner_count_as_one_owner_in_tally_page_and_notice(
    client, resident, premises, building, voting_community
):
    jan = resident
    ewa = UserFactory(first_name="Ewa", last_name="Zielińska")
    ewas = PremisesFactory(building=building, number="20")
    OwnershipFactory(user=ewa, premises=ewas)
    for number in ("U1", "U2", "U3"):  # the developer's unsold flats
        PremisesFactory(building=building, number=number)
    resolution = ResolutionFactory(community=voting_community, counting="per_owner")
    vote_cast(user=jan, resolution=resolution, premises=premises, choice="for")
    vote_cast(user=ewa, resolution=resolution, premises=ewas, choice="for")

    tally = resolution_tally(resolution)
    html = page(client, jan, resolution)

    assert (tally.total_count, counts(tally)) == (3, [2, 0, 0, 1])
    assert re.search(r'data-owners="total">\s*3<', html), html
    assert ORIGINAL_OWNER in text(html)
    closed = close_at_end(resolution=resolution)
    assert closed.status == Resolution.Status.ADOPTED  # 2 of 3 owners
    letter = Letter.objects.filter(recipient=ewa).get()
    assert "Wszystkich właścicieli: 3." in letter.body
    assert ORIGINAL_OWNER in " ".join(letter.body.split())


# --- 3. A double click records the vote once -------------------------------------------------


def test_double_click_on_a_vote_keeps_one_version_and_one_receipt_code(
    client, resident, premises, resolution
):
    first = post_vote(client, resident, resolution, premises, "for")
    second = post_vote(client, resident, resolution, premises, "for")

    assert (first.status_code, second.status_code) == (302, 302)
    vote = Vote.objects.get()
    assert vote.history.count() == 1
    html = text(client.get(f"/wspolnota/uchwaly/{resolution.pk}/").content.decode())
    codes = set(re.findall(r"Kod potwierdzenia: (\w{5}-\w{5})", html))
    assert codes == {vote.receipt_code}, html


def test_the_same_choice_again_online_still_overrides_a_later_paper_ballot(
    resident, premises, resolution
):
    vote_cast(user=resident, resolution=resolution, premises=premises, choice="for", now=at(-90))
    paper_vote_record(
        resolution=resolution,
        premises=premises,
        voter=resident,
        choice="against",
        recorded_by=None,
        cast_at=at(-60),
    )

    vote_cast(user=resident, resolution=resolution, premises=premises, choice="for", now=at(-1))

    assert counts(resolution_tally(resolution))[:2] == [1, 0]


# --- 4. A proxy of nobody ---------------------------------------------------------------------


def test_proxy_of_a_premises_with_no_owner_left_is_refused_instead_of_a_ballot_that_never_counts(
    resident, co_owner, premises, resolution
):
    CoOwnersProxy.objects.create(
        premises=premises, proxy=co_owner, granted_on=timezone.localdate() - 10 * ONE_DAY
    )
    # The co-owners' roles ended yesterday and no new owner is on record yet.
    Ownership.objects.filter(premises=premises).update(
        valid_from=timezone.localdate() - 20 * ONE_DAY, valid_to=timezone.localdate() - ONE_DAY
    )

    with pytest.raises(ValidationError) as refused:
        vote_cast(user=co_owner, resolution=resolution, premises=premises, choice="for")

    assert "Głosować może tylko właściciel" in refused.value.messages[0]
    assert not Vote.objects.exists()
