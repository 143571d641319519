"""Voting audit, sixth round: who owns a premises on the voting day.

A sold flat whose buyer is not on record yet has a real owner the office does not know: it is
not the original owner's (the developer's unsold flats, never owned by anybody on record). It
counts as an owner who did not vote, "właściciel nieustalony", the same on the page, in the
tally, the protocol, the outcome letter and the API."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from community.models import CoOwnersProxy, Resolution, Vote
from community.selectors import resolution_tally
from community.services import paper_vote_record, vote_cast
from correspondence.models import Letter
from tests.factories import OwnershipFactory, PremisesFactory, ResolutionFactory, UserFactory

from .helpers import close_at_end
from .test_admin import office, office_client  # noqa: F401 (fixtures)
from .test_audit_voting4 import page, text
from .test_per_owner import at, counts

ONE_DAY = datetime.timedelta(days=1)
UNKNOWN = "właściciel nieustalony"


def sold_without_buyer(building, number="30"):
    """A flat whose seller's ownership ended yesterday; the buyer is not entered yet."""
    flat = PremisesFactory(building=building, number=number)
    OwnershipFactory(
        user=UserFactory(first_name="Zbigniew", last_name="Zbywca"),
        premises=flat,
        valid_from=timezone.localdate() - 400 * ONE_DAY,
        valid_to=timezone.localdate() - ONE_DAY,
    )
    return flat


# --- 2. A sold flat with no buyer on record is an owner we do not know ----------------------


def test_per_owner_a_sold_flat_without_buyer_is_an_unknown_owner_not_the_developers(
    client, resident, premises, building, voting_community
):
    ewa = UserFactory(first_name="Ewa", last_name="Zielińska")
    ewas = PremisesFactory(building=building, number="20")
    OwnershipFactory(user=ewa, premises=ewas)
    PremisesFactory(building=building, number="U1")  # the developer's, never sold
    sold_without_buyer(building)
    resolution = ResolutionFactory(community=voting_community, counting="per_owner")
    vote_cast(user=resident, resolution=resolution, premises=premises, choice="for")
    vote_cast(user=ewa, resolution=resolution, premises=ewas, choice="for")

    tally = resolution_tally(resolution)
    html = page(client, resident, resolution)

    # Anna, Ewa, the original owner and the flat 30's unknown owner: 2 of 4 is no majority.
    assert (tally.total_count, counts(tally)) == (4, [2, 0, 0, 2])
    assert tally.unknown.count == 1
    assert re.search(r'data-owners="total">\s*4<', html), html
    assert UNKNOWN in text(html)
    closed = close_at_end(resolution=resolution)
    assert closed.status == Resolution.Status.REJECTED
    assert resolution_tally(closed).unknown.count == 1  # stored with the result
    letter = Letter.objects.filter(recipient=ewa).get()
    assert "Wszystkich właścicieli: 4." in letter.body
    assert UNKNOWN in " ".join(letter.body.split())


def test_by_shares_the_unknown_owners_share_is_shown_to_the_office_as_not_voted(
    office_client,  # noqa: F811 (fixture)
    resident,
    premises,
    building,
    voting_community,
):
    sold_without_buyer(building)
    rest = PremisesFactory(building=building, number="rest", share_numerator=90000)
    OwnershipFactory(premises=rest)
    resolution = ResolutionFactory(community=voting_community)
    vote_cast(user=resident, resolution=resolution, premises=premises, choice="for")

    tally = resolution_tally(resolution)
    admin_page = text(
        office_client.get(f"/admin/community/resolution/{resolution.pk}/change/").content.decode()
    )

    assert (tally.unknown.count, tally.unknown.percent) == (1, tally.not_voted.percent - 90)
    assert f"{UNKNOWN}: 1 (5.00% udziałów), liczony jako niegłosujący" in admin_page, admin_page
    protocol = office_client.get(f"/admin/community/resolution/{resolution.pk}/protokol/")
    assert protocol.status_code == 200


# --- 1. The original owner votes through the proxy the office records -----------------------


def developer_and_unsold(building, *numbers_and_shares):
    """The developer's representative (a person on record, owning nothing in the register) and
    the developer's unsold flats (no owner ever on record)."""
    rep = UserFactory(first_name="Dariusz", last_name="Deweloper")
    flats = [
        PremisesFactory(building=building, number=number, share_numerator=numerator)
        for number, numerator in numbers_and_shares
    ]
    return rep, flats


def appoint_for(flat, rep):
    return CoOwnersProxy.objects.create(
        premises=flat, proxy=rep, granted_on=timezone.localdate() - 5 * ONE_DAY
    )


def paper_post(office_client, resolution, premises, voter, choice):  # noqa: F811
    return office_client.post(
        "/admin/community/vote/add/",
        {
            "resolution": resolution.pk,
            "premises": premises.pk,
            "voter": voter.pk,
            "choice": choice,
            "cast_at_0": timezone.localdate().strftime("%d.%m.%Y"),
            "cast_at_1": timezone.localtime(at(-5)).strftime("%H:%M:%S"),
        },
    )


def test_by_shares_the_original_owners_paper_ballot_counts_with_all_unsold_flats_shares(
    office_client,  # noqa: F811 (fixture)
    resident,
    premises,
    building,
    voting_community,
):
    rep, (u1, _u2) = developer_and_unsold(building, ("U1", 50000), ("U2", 45000))
    appoint_for(u1, rep)
    resolution = ResolutionFactory(community=voting_community)
    vote_cast(user=resident, resolution=resolution, premises=premises, choice="against")

    response = paper_post(office_client, resolution, u1, rep, "for")

    assert response.status_code == 302, text(response.content.decode())
    tally = resolution_tally(resolution)
    # U1 and U2 are one owner's: 95% of the shares "for", in two premises.
    assert (tally.for_.percent, tally.for_.count) == (95, 2)
    assert (tally.against.percent, tally.not_voted.count) == (5, 0)
    assert close_at_end(resolution=resolution).status == Resolution.Status.ADOPTED


def test_per_owner_the_original_owner_votes_once_for_all_unsold_flats(
    resident, premises, building, voting_community
):
    rep, (u1, u2) = developer_and_unsold(building, ("U1", 50000), ("U2", 45000))
    appoint_for(u1, rep)
    appoint_for(u2, rep)
    ewa = UserFactory(first_name="Ewa", last_name="Zielińska")
    OwnershipFactory(user=ewa, premises=PremisesFactory(building=building, number="20"))
    resolution = ResolutionFactory(community=voting_community, counting="per_owner")
    vote_cast(user=resident, resolution=resolution, premises=premises, choice="for")
    paper_vote_record(
        resolution=resolution,
        premises=u1,
        voter=rep,
        choice="for",
        recorded_by=None,
        cast_at=at(-5),
    )

    with pytest.raises(ValidationError) as refused:
        paper_vote_record(
            resolution=resolution,
            premises=u2,
            voter=rep,
            choice="against",
            recorded_by=None,
            cast_at=at(-4),
        )

    assert f"oddał(a) już głos za lokal {u1}" in refused.value.messages[0]
    tally = resolution_tally(resolution)
    assert (tally.total_count, counts(tally)) == (3, [2, 0, 0, 1])  # Anna, developer; Ewa not


def test_a_ballot_for_an_unsold_flat_without_a_proxy_says_what_the_office_must_record(
    resident, premises, building, voting_community
):
    rep, (u1,) = developer_and_unsold(building, ("U1", 50000))
    flat = sold_without_buyer(building)
    resolution = ResolutionFactory(community=voting_community)

    with pytest.raises(ValidationError) as unsold:
        paper_vote_record(
            resolution=resolution, premises=u1, voter=rep, choice="for", recorded_by=None
        )
    with pytest.raises(ValidationError) as unknown:
        paper_vote_record(
            resolution=resolution, premises=flat, voter=rep, choice="for", recorded_by=None
        )

    assert "pełnomocnik właściciela pierwotnego" in unsold.value.messages[0]
    assert "właściciel nieustalony" in unknown.value.messages[0]
    assert not Vote.objects.exists()


# --- 3. A single owner's written proxy ---------------------------------------------------------


def test_a_single_owners_proxy_is_named_as_the_owners_and_votes_once_for_the_flat(
    client, resident, premises, resolution
):
    jan = UserFactory(first_name="Jan", last_name="Pełnomocny")
    proxy = CoOwnersProxy.objects.create(
        premises=premises,
        proxy=jan,
        granted_on=timezone.localdate() - 5 * ONE_DAY,
        valid_from=timezone.localdate() - 5 * ONE_DAY,
    )

    with pytest.raises(ValidationError) as refused:
        vote_cast(user=resident, resolution=resolution, premises=premises, choice="for")
    html = text(page(client, resident, resolution))

    assert (
        "Za ten lokal głosuje pełnomocnik właściciela: Jan Pełnomocny" in refused.value.messages[0]
    )
    assert "Za ten lokal głosuje pełnomocnik właściciela: Jan Pełnomocny" in html, html
    assert "współwłaścicieli" not in refused.value.messages[0]

    paper_vote_record(
        resolution=resolution,
        premises=premises,
        voter=jan,
        choice="against",
        recorded_by=None,
        cast_at=timezone.now() - ONE_DAY,
    )
    proxy.valid_to = timezone.localdate() - ONE_DAY  # the owner revokes it afterwards
    proxy.save()

    with pytest.raises(ValidationError) as bound:
        vote_cast(user=resident, resolution=resolution, premises=premises, choice="for")

    assert "Za ten lokal głos oddał(a) już Jan Pełnomocny" in bound.value.messages[0]
    assert counts(resolution_tally(resolution))[:2] == [0, 1]
