"""Voting audit, sixth round: who owns a premises on the voting day.

A sold flat whose buyer is not on record yet has a real owner the office does not know: it is
not the original owner's (the developer's unsold flats, never owned by anybody on record). It
counts as an owner who did not vote, "właściciel nieustalony", the same on the page, in the
tally, the protocol, the outcome letter and the API."""

import datetime
import re

from django.utils import timezone

from community.models import Resolution
from community.selectors import resolution_tally
from community.services import vote_cast
from correspondence.models import Letter
from tests.factories import OwnershipFactory, PremisesFactory, ResolutionFactory, UserFactory

from .helpers import close_at_end
from .test_admin import office, office_client  # noqa: F401 (fixtures)
from .test_audit_voting4 import page, text
from .test_per_owner import counts

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
