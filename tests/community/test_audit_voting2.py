"""Voting audit, second round: the register changing under an open vote, proxies, the paper
ballot warning, one owner – one vote, and every owner's own notice of the outcome (rule 8)."""

import datetime
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from community.models import CoOwnersProxy, OutcomeNotice, Resolution
from community.selectors import (
    challenge_deadlines_for_user,
    home_items_for_user,
    protocol_rows,
    resolution_tally,
    resolutions_for_user,
)
from community.services import (
    resolution_closing_problems,
    resolution_notify_outcome,
    resolutions_close_due,
    vote_cast,
)
from correspondence.models import Letter
from premises import imports
from premises.models import Ownership
from tests.correspondence.helpers import make_consent
from tests.factories import (
    BuildingFactory,
    OwnershipFactory,
    PremisesFactory,
    ResolutionFactory,
    UserFactory,
)

from .helpers import close_at_end
from .test_law import _paper_post, flats

ONE_DAY = datetime.timedelta(days=1)


@pytest.fixture
def office_client(db, client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


# --- A share n/0 is refused everywhere ---------------------------------------------------------


def test_share_with_zero_denominator_is_refused_by_the_database(building):
    # 0/0 passed "numerator <= denominator" and then divided by zero in every tally and
    # share sum: the Wspólnota tab and the office's opening screen answered 500.
    with pytest.raises(IntegrityError), transaction.atomic():
        PremisesFactory(building=building, number="99", share_numerator=0, share_denominator=0)


def test_share_with_zero_denominator_is_refused_by_the_form_and_the_import(office_client, building):
    response = office_client.post(
        "/admin/premises/premises/add/",
        {
            "building": building.pk,
            "number": "99",
            "kind": "flat",
            "area": "50",
            "persons": "1",
            "share_numerator": "0",
            "share_denominator": "0",
            "ownerships-TOTAL_FORMS": "0",
            "ownerships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    assert not building.premises.filter(number="99").exists()
    for value in ("0/0", "1/0"):
        with pytest.raises(ValidationError):
            imports.share(value)


# --- Shares edited during an open vote are checked again at closing ----------------------------


def _shares_edited_under_an_open_vote(voting_community):
    (anna, annas), (jan, jans) = flats(voting_community, [(11, 20), (9, 20)])
    resolution = ResolutionFactory(community=voting_community)
    vote_cast(user=anna, resolution=resolution, premises=annas, choice="for")
    # The office corrects Jan's share while the vote is open: the shares now sum to 6/5, and
    # Anna's 11/20 is no longer more than half of them.
    jans.share_numerator = 13
    jans.save()
    return resolution


def test_vote_does_not_close_when_shares_no_longer_sum_to_one(voting_community):
    resolution = _shares_edited_under_an_open_vote(voting_community)

    with pytest.raises(ValidationError, match="Suma udziałów we wspólnocie wynosi 120,00%"):
        close_at_end(resolution=resolution)

    resolution.refresh_from_db()
    assert resolution.status == Resolution.Status.VOTING
    assert not OutcomeNotice.objects.exists()


def test_due_closing_leaves_such_a_vote_open_and_closes_the_others(voting_community):
    resolution = _shares_edited_under_an_open_vote(voting_community)
    later = resolution.voting_closes_at + datetime.timedelta(minutes=1)

    assert resolutions_close_due(now=later) == 0
    resolution.refresh_from_db()
    assert resolution.status == Resolution.Status.VOTING
    assert resolution_closing_problems(resolution, now=later) == [
        "Suma udziałów we wspólnocie wynosi 120,00% (6/5), a musi wynosić dokładnie 1. "
        "Uzupełnij udziały w rejestrze lokali."
    ]


# --- A proxy's ballot cast while the appointment was valid stays valid -------------------------


def _proxy_voted_yesterday(voting_community):
    """Co-owners Anna and Piotr (3/5) vote through their proxy Ewa, who voted yesterday."""
    (_anna, flat), _jans = flats(voting_community, [(3, 5), (2, 5)])
    Ownership.objects.filter(premises=flat).update(role=Ownership.Role.CO_OWNER)
    OwnershipFactory(user=UserFactory(), premises=flat, role=Ownership.Role.CO_OWNER)
    ewa = UserFactory(first_name="Ewa", last_name="Pełnomocna")
    today = timezone.localdate()
    proxy = CoOwnersProxy.objects.create(
        premises=flat, proxy=ewa, granted_on=today - ONE_DAY * 10, valid_from=today - ONE_DAY * 10
    )
    resolution = ResolutionFactory(community=voting_community)
    vote_cast(
        user=ewa,
        resolution=resolution,
        premises=flat,
        choice="for",
        now=timezone.now() - ONE_DAY,
    )
    return resolution, flat, proxy


def test_proxy_ballot_stays_valid_after_the_appointment_ends(voting_community):
    resolution, _flat, proxy = _proxy_voted_yesterday(voting_community)
    # The co-owners revoke the appointment today (art. 95 § 2 k.c.: from now on).
    proxy.valid_to = timezone.localdate() - ONE_DAY
    proxy.save()

    tally = resolution_tally(resolution)

    assert (tally.for_.share, tally.for_.count) == (Fraction(3, 5), 1)
    assert [row.counted for row in protocol_rows(resolution)] == [True]


def test_proxy_ballot_lapses_when_the_co_owners_sell(voting_community):
    resolution, flat, _proxy = _proxy_voted_yesterday(voting_community)
    Ownership.objects.filter(premises=flat).update(valid_to=timezone.localdate() - ONE_DAY)
    OwnershipFactory(user=UserFactory(), premises=flat, valid_from=timezone.localdate())

    assert resolution_tally(resolution).for_.count == 0


def test_admin_keeps_an_appointment_under_which_the_proxy_voted(office_client, voting_community):
    resolution, _flat, proxy = _proxy_voted_yesterday(voting_community)
    url = f"/admin/community/coownersproxy/{proxy.pk}/delete/"

    page = office_client.get(url).content.decode()
    office_client.post(url, {"post": "yes"})

    assert f"Głos pełnomocnika: uchwała {resolution.number}" in page
    assert "ustaw „ważne do”" in page
    assert CoOwnersProxy.objects.filter(pk=proxy.pk).exists()
    assert resolution_tally(resolution).for_.count == 1


# --- The paper ballot warning follows the tally's rule -----------------------------------------


def _owner_of_two(community, role=Ownership.Role.OWNER):
    building = BuildingFactory(community=community)
    anna = UserFactory(first_name="Anna", last_name="Dwulokalowa")
    flat_a = PremisesFactory(building=building, number="1", share_numerator=1)
    flat_b = PremisesFactory(building=building, number="2", share_numerator=1)
    for premises in (flat_a, flat_b):
        OwnershipFactory(user=anna, premises=premises, role=role)
    return anna, flat_a, flat_b


@pytest.mark.parametrize("cooperative", [False, True], ids=["per owner", "per member"])
def test_paper_ballot_for_another_flat_of_an_owner_who_voted_is_refused(
    office_client, voting_community, cooperative
):
    if cooperative:
        voting_community.kind = voting_community.Kind.COOPERATIVE
        voting_community.save()
    counting = "per_member" if cooperative else "per_owner"
    role = Ownership.Role.MEMBER if cooperative else Ownership.Role.OWNER
    anna, flat_a, flat_b = _owner_of_two(voting_community, role)
    resolution = ResolutionFactory(community=voting_community, counting=counting)
    vote_cast(
        user=anna,
        resolution=resolution,
        premises=flat_b,
        choice="against",
        now=timezone.now() - datetime.timedelta(hours=1),
    )

    # Anna's earlier paper card for her other flat: she is one owner (member) with one vote,
    # already cast online; it is changed for the flat it was cast for.
    response = _paper_post(
        office_client,
        resolution,
        flat_a,
        anna,
        "for",
        timezone.now() - datetime.timedelta(hours=2),
    )

    html = response.content.decode()
    assert "Karta zapisana" not in html
    assert f"Anna Dwulokalowa oddał(a) już głos za lokal {flat_b} i liczy się on także" in html
    assert resolution.votes.count() == 1
    tally = resolution_tally(resolution)
    assert (tally.for_.count, tally.against.count) == (0, 1)


def test_paper_ballot_that_counts_is_not_flagged(office_client, voting_community):
    anna, flat_a, _flat_b = _owner_of_two(voting_community)
    resolution = ResolutionFactory(community=voting_community, counting="per_owner")
    vote_cast(
        user=anna,
        resolution=resolution,
        premises=flat_a,
        choice="against",
        now=timezone.now() - datetime.timedelta(hours=2),
    )

    response = _paper_post(
        office_client,
        resolution,
        flat_a,
        anna,
        "for",
        timezone.now() - datetime.timedelta(hours=1),
    )

    assert "Karta zapisana, ale" not in response.content.decode()
    assert resolution_tally(resolution).for_.count == 1


# --- Every owner is notified of the outcome, each with their own notice date -------------------


def _closed_with_co_owners(voting_community):
    """Anna (e-delivery consent) and Piotr co-own 3/5, Jan owns 2/5; the vote is closed."""
    voting_community.e_delivery_start = datetime.date(2020, 1, 1)
    voting_community.save()
    (anna, flat), (jan, jans) = flats(voting_community, [(3, 5), (2, 5)])
    Ownership.objects.filter(premises=flat).update(
        role=Ownership.Role.CO_OWNER, is_correspondence_recipient=True
    )
    piotr = UserFactory(first_name="Piotr")
    OwnershipFactory(user=piotr, premises=flat, role=Ownership.Role.CO_OWNER)
    OwnershipFactory(user=UserFactory(), premises=jans, role=Ownership.Role.TENANT)
    make_consent(user=anna, premises=flat, days_ago=30)
    resolution = ResolutionFactory(community=voting_community)
    vote_cast(user=anna, resolution=resolution, premises=flat, choice="for")
    return close_at_end(resolution=resolution), (anna, piotr, jan), flat


def test_every_owner_and_co_owner_gets_their_own_notice(voting_community):
    resolution, (anna, piotr, jan), flat = _closed_with_co_owners(voting_community)

    notices = {n.recipient: n for n in OutcomeNotice.objects.select_related("letter")}

    assert set(notices) == {anna, piotr, jan}  # not the tenant
    # Anna's by e-mail, fixed today; Piotr's and Jan's by post, dated from the receipt.
    assert notices[anna].letter.delivery_channel == Letter.Channel.EMAIL
    assert notices[anna].delivered_on == timezone.localdate()
    assert notices[piotr].letter.delivery_channel == Letter.Channel.POST
    assert notices[piotr].delivered_on is None
    assert notices[piotr].premises == flat
    assert resolution.text in notices[piotr].letter.body
    # One PDF stored for every letter.
    assert len({n.letter.attachments.get().file.name for n in notices.values()}) == 1
    # Piotr's own deadline runs from his own notice, not from Anna's e-mail.
    assert challenge_deadlines_for_user(piotr, resolution)[0].notice_date is None
    assert challenge_deadlines_for_user(anna, resolution)[0].notice_date == timezone.localdate()


def test_each_co_owner_reads_only_their_own_outcome_letter(voting_community):
    from correspondence.selectors import letters_for_user

    resolution, (anna, piotr, _jan), _flat = _closed_with_co_owners(voting_community)

    for person in (anna, piotr):
        (letter,) = letters_for_user(person)  # not the co-owner's copy too
        assert letter.recipient == person
        assert letter.kind == Letter.Kind.RESOLUTION_NOTICE


def test_notifying_again_makes_no_copies(voting_community):
    resolution, (_anna, _piotr, jan), _flat = _closed_with_co_owners(voting_community)
    # Jan's co-owner joins after the notices went out: only she is notified on the second run.
    joined = UserFactory()
    OwnershipFactory(user=joined, premises=jan.ownerships.get().premises, role="co_owner")

    added = resolution_notify_outcome(resolution=resolution, notified_by=None)
    again = resolution_notify_outcome(resolution=resolution, notified_by=None)

    assert [n.recipient for n in added] == [joined]
    assert again == []
    assert OutcomeNotice.objects.count() == Letter.objects.count() == 4


def test_outcome_notices_take_a_fixed_number_of_queries(voting_community):
    def notify_owners_of(count):
        resolution = ResolutionFactory(community=voting_community, status="adopted")
        resolution.result = {"lines": {"for": {"share": "1/1", "count": 1}}}
        resolution.save()
        building = BuildingFactory(community=voting_community)
        for number in range(count):
            OwnershipFactory(premises=PremisesFactory(building=building, number=str(number)))
        with CaptureQueriesContext(connection) as queries:
            resolution_notify_outcome(resolution=resolution, notified_by=None)
        return len(queries.captured_queries)

    # (One owner: the stored PDF needs no second insert for the other letters.)
    assert notify_owners_of(2) == notify_owners_of(7)


# --- In a cooperative, an "owner" (odrębna własność) is a member with one vote -----------------


def test_owner_in_a_cooperative_votes_and_counts_as_a_member(resident, premises, community):
    # Art. 3 ustawy o spółdzielniach mieszkaniowych: the owner of a separate flat is a member;
    # art. 36 § 1 prawa spółdzielczego: one member, one vote. The code treats owner, co-owner
    # and member alike (Ownership.OWNER_ROLES) in the tally, the vote and the waiting list.
    community.kind = community.Kind.COOPERATIVE
    community.voting_enabled = True
    community.save()
    assert Ownership.objects.get(user=resident).role == Ownership.Role.OWNER
    resolution = ResolutionFactory(community=community, counting="per_member")
    assert [r.pk for r in resolutions_for_user(resident) if r.awaiting_vote] == [resolution.pk]

    vote_cast(user=resident, resolution=resolution, premises=premises, choice="for")

    tally = resolution_tally(resolution)
    assert (tally.by_member, tally.for_.count, tally.total_count) == (True, 1, 1)
    assert not [r.pk for r in resolutions_for_user(resident) if r.awaiting_vote]


# --- One owner – one vote waits once per owner, not once per flat ---------------------------------


def test_per_owner_owner_of_two_flats_waits_for_one_vote(voting_community):
    anna, flat_a, _flat_b = _owner_of_two(voting_community)
    resolution = ResolutionFactory(community=voting_community, counting="per_owner")
    vote_cast(user=anna, resolution=resolution, premises=flat_a, choice="for")

    assert not [r.pk for r in resolutions_for_user(anna) if r.awaiting_vote]
    assert home_items_for_user(anna, announcements=3)[1] == []
