"""Voting audit: what a resolution under vote must never let through (spec rule 8)."""

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils import timezone

from community.models import OutcomeNotice, Resolution
from community.selectors import challenge_deadline, protocol_rows, resolution_tally
from community.services import resolution_open_voting, vote_cast
from community.tally import Tally
from correspondence.models import DeliveryConsent
from correspondence.services import consent_withdraw, letter_send_again
from premises.models import Ownership
from tests.factories import OwnershipFactory, ResolutionFactory, UserFactory

from .helpers import close_at_end, stored_ballot
from .test_law import flats


@pytest.fixture
def office_client(db, client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _line_percents(tally) -> list[Decimal]:
    return [tally[k].percent for k in ("for", "against", "abstain", "none")]


# --- Percentages add up to the total shown under them -----------------------------------------


def test_share_percents_add_up_to_the_total_of_all_shares(client, voting_community):
    people = flats(voting_community, [(1, 3), (1, 3), (1, 3)])
    resolution = ResolutionFactory(community=voting_community)
    for (owner, premises), choice in zip(people, ["for", "against", "abstain"], strict=True):
        vote_cast(user=owner, resolution=resolution, premises=premises, choice=choice)

    tally = resolution_tally(resolution)

    assert tally.total_share_percent == Decimal("100.00")
    assert sum(_line_percents(tally)) == Decimal("100.00")
    client.force_login(people[0][0])
    content = client.get(f"/wspolnota/uchwaly/{resolution.pk}/").content.decode()
    shown = [
        content.split(f'data-tally="{key}">')[1].split("%")[0]
        for key in ("for", "against", "abstain", "none")
    ]
    assert sum(Decimal(v.replace(",", ".")) for v in shown) == Decimal("100.00")


def test_owner_percents_add_up_to_one_hundred():
    tally = Tally._count(
        {1: None, 2: None, 3: None},
        [(1, "for", 1, 1), (2, "against", 2, 2), (3, "abstain", 3, 3)],
        counting="per_owner",
        unit="owners",
    )
    assert sum(_line_percents(tally)) == Decimal("100.00")
    # The exact fractions are untouched; only the display is apportioned.
    assert tally.for_.share == Fraction(1, 3)


def test_stored_result_percents_add_up_too():
    tally = Tally.from_rows([("for", 3, 1, 1), ("against", 3, 1, 1), ("abstain", 3, 1, 1)])
    restored = Tally.from_json(tally.to_json())
    assert sum(_line_percents(restored)) == Decimal("100.00")


# --- Frozen once open: the admin's history "revert" is an edit too ----------------------------


def _revert_data(resolution: Resolution) -> dict:
    local = timezone.localtime(resolution.voting_closes_at)
    return {
        "community": resolution.community_id,
        "number": resolution.number,
        "title": resolution.title,
        "text": resolution.text,
        "status": resolution.status,
        "published": "on",
        "counting": resolution.counting,
        "voting_closes_at_0": local.strftime("%d.%m.%Y"),
        "voting_closes_at_1": local.strftime("%H:%M:%S"),
        "votes-TOTAL_FORMS": "0",
        "votes-INITIAL_FORMS": "0",
        "votes-MIN_NUM_FORMS": "0",
        "votes-MAX_NUM_FORMS": "1000",
    }


def test_reverting_an_open_resolution_to_its_draft_in_admin_history_is_refused(
    office_client, voting_community
):
    flats(voting_community, [(1, 1)])
    draft = ResolutionFactory(
        community=voting_community,
        status="draft",
        text="Pierwsza wersja.",
        voting_opens_at=None,
        voting_closes_at=timezone.now() + datetime.timedelta(days=10),
    )
    first = draft.history.earliest()
    draft.text = "Treść, nad którą głosują właściciele."
    draft.save()
    opened = resolution_open_voting(resolution=draft, opened_by=None)

    url = f"/admin/community/resolution/{opened.pk}/history/{first.history_id}/"
    response = office_client.post(url, _revert_data(first.instance))

    opened.refresh_from_db()
    assert opened.status == "voting"
    assert opened.text == "Treść, nad którą głosują właściciele."
    assert "są niezmienne" in response.content.decode()


def test_reverting_a_closed_resolution_to_its_open_version_in_admin_history_is_refused(
    office_client, voting_community
):
    (anna, premises), _rest = flats(voting_community, [(3, 5), (2, 5)])
    resolution = ResolutionFactory(community=voting_community)
    vote_cast(user=anna, resolution=resolution, premises=premises, choice="for")
    closed = close_at_end(resolution=resolution, notify=False)
    while_open = closed.history.earliest()

    url = f"/admin/community/resolution/{closed.pk}/history/{while_open.history_id}/"
    office_client.post(url, {"votes-TOTAL_FORMS": "0", "votes-INITIAL_FORMS": "0"})

    closed.refresh_from_db()
    assert (closed.status, closed.closed_at is not None) == ("adopted", True)


# --- Frozen once open: nor can it be deleted ---------------------------------------------------


def test_open_resolution_cannot_be_deleted_in_admin(office_client, resolution):
    response = office_client.post(
        f"/admin/community/resolution/{resolution.pk}/delete/", {"post": "yes"}
    )
    assert Resolution.objects.filter(pk=resolution.pk).exists()
    assert "wycofaj" in response.content.decode().lower()


def test_open_resolution_cannot_be_deleted_by_the_bulk_action(office_client, resolution):
    draft = ResolutionFactory(community=resolution.community, status="draft")
    response = office_client.post(
        "/admin/community/resolution/",
        {
            "action": "delete_selected",
            "_selected_action": [resolution.pk, draft.pk],
            "post": "yes",
        },
    )
    assert Resolution.objects.filter(pk=resolution.pk).exists()
    assert "wycofaj" in response.content.decode().lower()


def test_draft_may_still_be_deleted_in_admin(office_client, voting_community):
    draft = ResolutionFactory(community=voting_community, status="draft")
    office_client.post(f"/admin/community/resolution/{draft.pk}/delete/", {"post": "yes"})
    assert not Resolution.objects.filter(pk=draft.pk).exists()


# --- A resolution adopted at a meeting has no tally of a vote held here ------------------------


def test_admin_shows_no_tally_for_a_resolution_adopted_at_a_meeting(
    office_client, voting_community
):
    flats(voting_community, [(1, 2), (1, 2)])
    meeting = ResolutionFactory(
        community=voting_community,
        status="adopted",
        decided_on=datetime.date(2026, 10, 1),
        voting_opens_at=None,
        voting_closes_at=None,
    )

    content = office_client.get(
        f"/admin/community/resolution/{meeting.pk}/change/"
    ).content.decode()

    assert "Podjęta" in content or "podjęta" in content
    assert "za 0,00%" not in content
    assert "Protokół głosowania (PDF)" not in content


# --- The six weeks to challenge run from the notice, fixed when it is given -------------------


def test_challenge_deadline_of_an_e_delivered_notice_stays_after_the_letter_is_sent_again(
    client, voting_community
):
    voting_community.e_delivery_start = datetime.date(2026, 1, 1)
    voting_community.save()
    (anna, premises), _rest = flats(voting_community, [(3, 5), (2, 5)])
    consent = DeliveryConsent.objects.create(
        user=anna,
        premises=premises,
        channel="email",
        address="anna@example.com",
        consent_text="Zgoda.",
        given_at=timezone.now() - datetime.timedelta(days=60),
    )
    resolution = ResolutionFactory(
        community=voting_community,
        voting_opens_at=timezone.now() - datetime.timedelta(days=10),
        voting_closes_at=timezone.now() - datetime.timedelta(minutes=5),
    )
    vote_cast(
        user=anna,
        resolution=resolution,
        premises=premises,
        choice="for",
        now=timezone.now() - datetime.timedelta(hours=1),
    )
    close_at_end(resolution=resolution)
    notice = OutcomeNotice.objects.get(recipient=anna)
    assert notice.letter.delivery_channel == "email"
    today = timezone.localdate()
    expected = f"doręczono Ci {today:%d.%m.%Y}; uchwałę można zaskarżyć do sądu do " + (
        f"{challenge_deadline(today):%d.%m.%Y}"
    )
    client.force_login(anna)
    assert expected in client.get(f"/wspolnota/uchwaly/{resolution.pk}/").content.decode()

    # Anna withdraws her consent; the office sends the letter again, now by post.
    consent_withdraw(consent=consent)
    letter_send_again(letter=notice.letter)
    notice.letter.refresh_from_db()
    assert notice.letter.delivery_channel == "post"

    # She was notified by e-mail that day: her deadline does not change nor disappear.
    assert expected in client.get(f"/wspolnota/uchwaly/{resolution.pk}/").content.decode()


def test_postal_delivery_date_before_the_letter_was_sent_is_refused(
    office_client, voting_community
):
    (anna, _premises), _rest = flats(voting_community, [(3, 5), (2, 5)])
    resolution = ResolutionFactory(community=voting_community)
    close_at_end(resolution=resolution)
    notice = OutcomeNotice.objects.get(recipient=anna)
    sent = timezone.localdate(notice.letter.published_at)
    typo = sent.replace(year=sent.year - 1)  # a mistyped year: six weeks long gone

    response = office_client.post(
        f"/admin/community/outcomenotice/{notice.pk}/change/",
        {"delivered_on": typo.strftime("%d.%m.%Y")},
    )

    assert "nie może być wcześniejsza niż wysłanie pisma" in response.content.decode()
    notice.refresh_from_db()
    assert notice.delivered_on is None


# --- The protocol and the API mark as counted exactly the ballots the tally counts ------------


def test_protocol_counts_one_ballot_of_a_member_of_two_flats(voting_community):
    voting_community.kind = voting_community.Kind.COOPERATIVE
    voting_community.save()
    (anna, first), (_jan, second) = flats(voting_community, [(1, 2), (1, 2)], role="member")
    Ownership.objects.filter(premises=second).delete()
    OwnershipFactory(user=anna, premises=second, role="member")
    resolution = ResolutionFactory(community=voting_community, counting="per_member")
    earlier = timezone.now() - datetime.timedelta(hours=1)
    vote_cast(user=anna, resolution=resolution, premises=first, choice="for", now=earlier)
    stored_ballot(resolution=resolution, premises=second, voter=anna, choice="against")

    tally = resolution_tally(resolution)
    rows = {row.vote.premises: row for row in protocol_rows(resolution)}

    assert (tally.for_.count, tally.against.count) == (0, 1)  # Anna: one vote, her latest
    assert (rows[first].counted, rows[first].reason) == (False, "superseded")
    assert rows[second].counted


def test_protocol_counts_one_ballot_of_an_owner_of_two_flats_per_owner(voting_community):
    (anna, first), (_jan, second), _ewa = flats(voting_community, [(1, 3), (1, 3), (1, 3)])
    Ownership.objects.filter(premises=second).delete()
    OwnershipFactory(user=anna, premises=second)
    resolution = ResolutionFactory(community=voting_community, counting="per_owner")
    earlier = timezone.now() - datetime.timedelta(hours=1)
    vote_cast(user=anna, resolution=resolution, premises=first, choice="for", now=earlier)
    stored_ballot(resolution=resolution, premises=second, voter=anna, choice="against")

    tally = resolution_tally(resolution)
    counted = [row.vote.premises for row in protocol_rows(resolution) if row.counted]

    assert (tally.for_.count, tally.against.count) == (0, 1)
    assert counted == [second]


# --- A vote ending at midnight: its last day is the day before --------------------------------


def test_vote_closing_at_midnight_is_decided_by_the_owner_of_the_last_day(voting_community):
    (seller, sold), _rest = flats(voting_community, [(3, 5), (2, 5)])
    midnight = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(), datetime.time(0, 0))
    )
    resolution = ResolutionFactory(
        community=voting_community,
        voting_opens_at=midnight - datetime.timedelta(days=10),
        voting_closes_at=midnight,  # "do północy": the last day to vote was yesterday
    )
    vote_cast(
        user=seller,
        resolution=resolution,
        premises=sold,
        choice="for",
        now=midnight - datetime.timedelta(hours=2),
    )
    # Sold from today, after the vote ended: the buyer could not vote any more.
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Ownership.objects.filter(user=seller, premises=sold).update(valid_to=yesterday)
    OwnershipFactory(user=UserFactory(), premises=sold, valid_from=timezone.localdate())

    closed = close_at_end(resolution=resolution, notify=False)

    assert resolution_tally(closed).for_.share == Fraction(3, 5)
    assert closed.status == "adopted"
