"""Resolutions that hold up in court: ustawa o własności lokali art. 23 and 25, prawo
spółdzielcze art. 36 (issue 14). Shares are exact ``Fraction``s throughout."""

import datetime
import re
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from community.models import CoOwnersProxy, OutcomeNotice, Resolution, Vote, VotingRules
from community.selectors import (
    challenge_deadline,
    challenge_deadlines_for_user,
    community_share_sum,
    resolution_tally,
    voting_slots_for_user,
)
from community.services import (
    paper_vote_record,
    resolution_open_voting,
    vote_cast,
)
from correspondence.models import Letter
from notifications.models import Message
from premises.models import Community, Ownership
from tests.factories import (
    BuildingFactory,
    CommunityFactory,
    OwnershipFactory,
    PremisesFactory,
    ResolutionFactory,
    UserFactory,
)
from tests.pdf import pdf_text

from .helpers import close_at_end


def counts(tally) -> list[int]:
    return [tally[k].count for k in ("for", "against", "abstain", "none")]


def flats(community, shares, *, role=Ownership.Role.OWNER, numbers=None):
    """Premises with the given (numerator, denominator) shares, each with its own holder."""
    building = BuildingFactory(community=community, street="ul. Lipowa 5")
    people = []
    for i, (num, den) in enumerate(shares):
        premises = PremisesFactory(
            building=building,
            number=numbers[i] if numbers else str(i + 1),
            share_numerator=num,
            share_denominator=den,
        )
        person = UserFactory()
        OwnershipFactory(user=person, premises=premises, role=role)
        people.append((person, premises))
    return people


@pytest.fixture
def office(db):
    return UserFactory(is_staff=True, is_superuser=True, first_name="Ewa", last_name="Biurowa")


@pytest.fixture
def office_client(client, office):
    client.force_login(office)
    return client


# --- 1. Cooperative: one member, one vote (art. 36 § 1 prawa spółdzielczego) -----------------


@pytest.fixture
def cooperative(db):
    return CommunityFactory(
        name="Spółdzielnia Mieszkaniowa Słoneczna",
        kind=Community.Kind.COOPERATIVE,
        voting_enabled=True,
    )


def test_cooperative_counts_members_not_shares(cooperative):
    members = flats(cooperative, [(6, 10), (2, 10), (2, 10)], role=Ownership.Role.MEMBER)
    resolution = ResolutionFactory(community=cooperative)
    assert resolution.counting == "per_member"
    for (member, premises), choice in zip(members, ["for", "against", "against"], strict=True):
        vote_cast(user=member, resolution=resolution, premises=premises, choice=choice)

    tally = resolution_tally(resolution)

    assert tally.by_member
    assert counts(tally) == [1, 2, 0, 0]
    assert tally.for_.share == Fraction(1, 3)
    closed = close_at_end(resolution=resolution)
    assert closed.status == "rejected"  # 6/10 of the shares "for" decides nothing


def test_cooperative_member_of_two_flats_has_one_vote(cooperative):
    members = flats(cooperative, [(1, 3), (1, 3), (1, 3)], role=Ownership.Role.MEMBER)
    anna, first = members[0]
    second = members[1][1]
    Ownership.objects.filter(premises=second).delete()
    OwnershipFactory(user=anna, premises=second, role=Ownership.Role.MEMBER)
    resolution = ResolutionFactory(community=cooperative)
    vote_cast(user=anna, resolution=resolution, premises=first, choice="for")
    with pytest.raises(ValidationError) as refused:  # her one vote is cast already
        vote_cast(user=anna, resolution=resolution, premises=second, choice="for")
    assert "członek spółdzielni ma jeden głos" in " ".join(refused.value.messages)

    tally = resolution_tally(resolution)

    assert counts(tally) == [1, 0, 0, 1]  # two members: Anna (for) and the third one
    assert tally.total_count == 2


def test_cooperative_resolution_cannot_be_opened_counted_by_shares(cooperative):
    flats(cooperative, [(1, 1)], role=Ownership.Role.MEMBER)
    draft = ResolutionFactory(
        community=cooperative, status="draft", voting_opens_at=None, counting="share"
    )
    with pytest.raises(ValidationError) as error:
        resolution_open_voting(resolution=draft, opened_by=None)
    assert "art. 36 § 1 prawa spółdzielczego" in " ".join(error.value.messages)
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_cooperative_pages_and_protocol_speak_of_members(cooperative, client):
    members = flats(cooperative, [(6, 10), (2, 10), (2, 10)], role=Ownership.Role.MEMBER)
    resolution = ResolutionFactory(community=cooperative)
    member, premises = members[0]
    vote_cast(user=member, resolution=resolution, premises=premises, choice="for")
    client.force_login(member)

    index = client.get("/wspolnota/").content.decode()
    page = client.get(f"/wspolnota/uchwaly/{resolution.pk}/").content.decode()

    assert "<h1>Spółdzielnia</h1>" in index
    assert "<h1>Wspólnota</h1>" not in index
    assert "<dt>Spółdzielnia</dt>" in page and "<dt>Wspólnota</dt>" not in page
    assert "jeden członek – jeden głos" in page
    assert "Wszyscy członkowie" in page
    assert 'data-owners="for">1<' in page and 'data-owners="total">3<' in page
    assert "Udziały" not in page
    assert "Oddaj głos za lokal 1, ul. Lipowa 5" in page or "Zmień głos za lokal 1" in page

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    pdf = client.get(f"/admin/community/resolution/{resolution.pk}/protokol/")
    text = " ".join(pdf_text(pdf.content).split())
    assert "jeden członek – jeden głos" in text
    assert "art. 36 § 1 prawa spółdzielczego" in text
    assert "Członkowie" in text


def test_cooperative_member_start_page_and_list_say_spoldzielnia(cooperative, client):
    member, _premises = flats(cooperative, [(1, 1)], role=Ownership.Role.MEMBER)[0]
    ResolutionFactory(community=cooperative, title="W sprawie planu remontów")
    client.force_login(member)

    home = client.get("/").content.decode()
    listing = client.get("/wspolnota/uchwaly/").content.decode()

    assert '<h2 id="home-community">Spółdzielnia</h2>' in home
    assert "«</span> Spółdzielnia" in listing and "Wspólnota</a>" not in listing


# --- 2. Counting mode per resolution, frozen when the vote opens -----------------------------


def test_counting_mode_of_one_resolution_does_not_change_another(voting_community):
    people = flats(voting_community, [(1, 10), (1, 10), (8, 10)])
    a = ResolutionFactory(community=voting_community, counting="share")
    b = ResolutionFactory(community=voting_community, counting="per_owner")
    for resolution in (a, b):
        for owner, premises in people[:2]:
            vote_cast(user=owner, resolution=resolution, premises=premises, choice="for")
        vote_cast(user=people[2][0], resolution=resolution, premises=people[2][1], choice="against")
    assert resolution_tally(a).for_.share == Fraction(2, 10)
    assert not resolution_tally(a).by_owner
    assert close_at_end(resolution=a).status == "rejected"
    assert close_at_end(resolution=b).status == "adopted"


def _draft(community, **fields):
    return ResolutionFactory(
        community=community,
        status="draft",
        voting_opens_at=None,
        voting_closes_at=timezone.now() + datetime.timedelta(days=14),
        **fields,
    )


def test_per_owner_vote_needs_the_demand_of_a_fifth_of_shares(voting_community):
    people = flats(voting_community, [(1, 10), (1, 10), (8, 10)])
    draft = _draft(voting_community, counting="per_owner")

    with pytest.raises(ValidationError) as error:
        resolution_open_voting(resolution=draft, opened_by=None)
    assert "co najmniej 1/5 udziałów" in " ".join(error.value.messages)

    # 1/10 + 1/10 = 1/5 exactly: enough.
    draft.per_owner_demand_premises.set([people[0][1], people[1][1]])
    draft.per_owner_demand_on = timezone.localdate()
    draft.save()
    opened = resolution_open_voting(resolution=draft, opened_by=None)
    assert opened.status == "voting" and opened.counting == "per_owner"


def test_per_owner_demand_below_a_fifth_is_refused(voting_community):
    people = flats(voting_community, [(19, 100), (81, 100)])
    draft = _draft(voting_community, counting="per_owner", per_owner_demand_on=timezone.localdate())
    draft.per_owner_demand_premises.set([people[0][1]])
    with pytest.raises(ValidationError) as error:
        resolution_open_voting(resolution=draft, opened_by=None)
    assert "19,00% udziałów" in " ".join(error.value.messages)


# --- 3. A sale during the vote: the owner on the closing day decides ---------------------------


def _sell(premises, seller, buyer, on):
    Ownership.objects.filter(user=seller, premises=premises).update(
        valid_to=on - datetime.timedelta(days=1)
    )
    OwnershipFactory(user=buyer, premises=premises, valid_from=on)


def test_buyer_votes_after_a_sale_and_the_sellers_vote_lapses(voting_community):
    (seller, sold), (other, _rest) = flats(voting_community, [(6, 10), (4, 10)])
    resolution = ResolutionFactory(community=voting_community)
    vote_cast(
        user=seller,
        resolution=resolution,
        premises=sold,
        choice="for",
        now=timezone.now() - datetime.timedelta(days=1),
    )
    buyer = UserFactory(first_name="Kupiec")
    _sell(sold, seller, buyer, timezone.localdate())

    vote_cast(user=buyer, resolution=resolution, premises=sold, choice="against")

    tally = resolution_tally(resolution)
    assert tally.against.share == Fraction(6, 10) and tally.for_.share == 0
    assert close_at_end(resolution=resolution).status == "rejected"
    # The seller can no longer vote for the flat.
    with pytest.raises(ValidationError):
        vote_cast(user=seller, resolution=resolution, premises=sold, choice="for")


def test_sellers_vote_lapses_even_if_the_buyer_does_not_vote(voting_community):
    (seller, sold), _rest = flats(voting_community, [(6, 10), (4, 10)])
    resolution = ResolutionFactory(community=voting_community)
    vote_cast(user=seller, resolution=resolution, premises=sold, choice="for")
    assert resolution_tally(resolution).for_.share == Fraction(6, 10)
    # Sold before the vote ends: on the closing day the buyer owns it.
    closing_day = timezone.localdate(resolution.voting_closes_at)
    _sell(sold, seller, UserFactory(), closing_day - datetime.timedelta(days=2))

    closed = close_at_end(resolution=resolution)

    assert closed.status == "rejected"
    assert resolution_tally(closed).for_.share == 0
    assert resolution_tally(closed).not_voted.share == 1


def test_per_owner_sellers_vote_does_not_replace_the_buyers(voting_community):
    (seller, sold), (_x, _y), (_z, _w) = flats(voting_community, [(1, 3), (1, 3), (1, 3)])
    kept = PremisesFactory(building=sold.building, number="K", share_numerator=0)
    OwnershipFactory(user=seller, premises=kept)
    resolution = ResolutionFactory(community=voting_community, counting="per_owner")
    buyer = UserFactory()
    _sell(sold, seller, buyer, timezone.localdate())
    vote_cast(user=buyer, resolution=resolution, premises=sold, choice="for")
    vote_cast(user=seller, resolution=resolution, premises=kept, choice="against")

    tally = resolution_tally(resolution)

    # Four owners: the buyer (for), the seller with the kept flat (against), two not voted.
    assert counts(tally) == [1, 1, 0, 2]


# --- 4. Shares must sum to exactly 1; majority of all shares ----------------------------------


def test_voting_cannot_open_when_shares_do_not_sum_to_one(voting_community):
    people = flats(voting_community, [(3, 10), (2, 10), (0, 10)], numbers=["1", "2", "10"])
    draft = _draft(voting_community)

    with pytest.raises(ValidationError) as error:
        resolution_open_voting(resolution=draft, opened_by=None)

    text = " ".join(error.value.messages)
    assert "Suma udziałów we wspólnocie wynosi 50,00% (1/2)" in text
    assert "Lokale bez udziału: ul. Lipowa 5 / 10." in text
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert community_share_sum(voting_community.pk)[0] == Fraction(1, 2)

    people[2][1].share_numerator = 5
    people[2][1].save()
    assert resolution_open_voting(resolution=draft, opened_by=None).status == "voting"


def test_three_tenths_for_is_not_adopted(voting_community):
    people = flats(voting_community, [(3, 10), (2, 10), (5, 10)])
    resolution = ResolutionFactory(community=voting_community)
    vote_cast(user=people[0][0], resolution=resolution, premises=people[0][1], choice="for")
    assert close_at_end(resolution=resolution).status == "rejected"


def test_office_sees_premises_without_shares_on_the_draft(office_client, voting_community):
    flats(voting_community, [(3, 10), (2, 10), (0, 1)], numbers=["1", "2", "3"])
    draft = _draft(voting_community)
    content = office_client.get(f"/admin/community/resolution/{draft.pk}/change/").content.decode()
    assert "suma udziałów: 50,00% (1/2)" in content
    assert "lokale bez udziału: ul. Lipowa 5 / 3" in content


# --- 5. Frozen once open; confirmation; minimum period --------------------------------------


def test_forged_admin_post_cannot_change_an_open_resolution(
    office_client, resolution, premises, resident
):
    vote_cast(user=resident, resolution=resolution, premises=premises, choice="for")
    before = Resolution.objects.get(pk=resolution.pk)
    later = timezone.localtime(before.voting_closes_at) + datetime.timedelta(days=30)

    office_client.post(
        f"/admin/community/resolution/{resolution.pk}/change/",
        {
            "community": resolution.community_id,
            "number": resolution.number,
            "title": "Nowy tytuł",
            "text": "Zupełnie inna treść.",
            "status": "draft",
            "counting": "per_owner",
            "voting_closes_at_0": later.strftime("%d.%m.%Y"),
            "voting_closes_at_1": later.strftime("%H:%M:%S"),
            "votes-TOTAL_FORMS": "0",
            "votes-INITIAL_FORMS": "1",
            "votes-MIN_NUM_FORMS": "0",
            "votes-MAX_NUM_FORMS": "1000",
        },
    )

    after = Resolution.objects.get(pk=resolution.pk)
    fields = ("title", "text", "status", "counting", "voting_closes_at")
    assert [getattr(after, f) for f in fields] == [getattr(before, f) for f in fields]


def test_open_resolution_change_page_shows_frozen_fields_read_only(office_client, resolution):
    content = office_client.get(
        f"/admin/community/resolution/{resolution.pk}/change/"
    ).content.decode()
    assert 'name="text"' not in content
    assert 'name="voting_closes_at_0"' not in content
    assert 'name="counting"' not in content


def test_draft_status_cannot_be_set_to_voting_in_the_form(office_client, voting_community):
    draft = _draft(voting_community)
    office_client.post(
        f"/admin/community/resolution/{draft.pk}/change/",
        {
            "community": voting_community.pk,
            "number": draft.number,
            "title": draft.title,
            "text": draft.text,
            "status": "voting",
            "counting": "share",
            "published": "on",
        },
    )
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_voting_must_last_the_communitys_minimum_period(voting_community):
    flats(voting_community, [(1, 1)])
    draft = _draft(voting_community)
    draft.voting_closes_at = timezone.now() + datetime.timedelta(days=3)
    draft.save()

    with pytest.raises(ValidationError) as error:
        resolution_open_voting(resolution=draft, opened_by=None)
    assert "co najmniej 7 dni" in " ".join(error.value.messages)

    VotingRules.objects.create(community=voting_community, min_voting_days=2)
    assert resolution_open_voting(resolution=draft, opened_by=None).status == "voting"


def test_vote_cannot_close_before_its_end(resolution):
    with pytest.raises(ValidationError) as error:
        from community.services import resolution_close

        resolution_close(resolution=resolution, closed_by=None)
    assert error.value.code == "too_early"
    resolution.refresh_from_db()
    assert resolution.status == "voting"


def test_open_resolution_is_withdrawn_after_confirmation_and_owners_are_told(
    office_client, resolution, premises, resident, django_capture_on_commit_callbacks
):
    vote_cast(user=resident, resolution=resolution, premises=premises, choice="for")
    action = {"action": "withdraw", "_selected_action": [resolution.pk]}
    confirm = office_client.post("/admin/community/resolution/", action)
    assert "Potwierdź wycofanie uchwały" in confirm.content.decode()
    resolution.refresh_from_db()
    assert resolution.status == "voting"

    with django_capture_on_commit_callbacks(execute=True):
        office_client.post("/admin/community/resolution/", {**action, "confirm": "yes"})

    resolution.refresh_from_db()
    assert resolution.status == "withdrawn"
    assert Message.objects.filter(recipient=resident, subject__contains="wycofana").exists()
    with pytest.raises(ValidationError) as error:
        vote_cast(user=resident, resolution=resolution, premises=premises, choice="against")
    assert error.value.code == "not_open"


# --- 6. Paper ballots: entered, corrected, the later by date wins ---------------------------


def test_paper_ballot_after_an_online_vote_wins_by_date(resolution, premises, resident):
    vote_cast(
        user=resident,
        resolution=resolution,
        premises=premises,
        choice="for",
        now=timezone.now() - datetime.timedelta(days=1),
    )
    paper_vote_record(
        resolution=resolution,
        premises=premises,
        voter=resident,
        choice="against",
        recorded_by=None,
        cast_at=timezone.now() - datetime.timedelta(hours=1),
    )
    tally = resolution_tally(resolution)
    assert (tally.for_.count, tally.against.count) == (0, 1)
    assert Vote.objects.count() == 2  # both ballots are kept for the protocol


def test_earlier_paper_ballot_does_not_override_a_later_online_vote(resolution, premises, resident):
    vote_cast(user=resident, resolution=resolution, premises=premises, choice="for")
    paper_vote_record(
        resolution=resolution,
        premises=premises,
        voter=resident,
        choice="against",
        recorded_by=None,
        cast_at=timezone.now() - datetime.timedelta(days=1),
    )
    assert resolution_tally(resolution).for_.count == 1


def _paper_post(client, resolution, premises, voter, choice, when):
    local = timezone.localtime(when)
    return client.post(
        "/admin/community/vote/add/",
        {
            "resolution": resolution.pk,
            "premises": premises.pk,
            "voter": voter.pk,
            "choice": choice,
            "cast_at_0": local.strftime("%d.%m.%Y"),
            "cast_at_1": local.strftime("%H:%M:%S"),
        },
        follow=True,
    )


def test_admin_enters_a_paper_ballot_for_premises_that_voted_online(
    office_client, resolution, premises, resident
):
    vote_cast(
        user=resident,
        resolution=resolution,
        premises=premises,
        choice="for",
        now=timezone.now() - datetime.timedelta(days=1),
    )

    response = _paper_post(office_client, resolution, premises, resident, "against", timezone.now())

    content = response.content.decode()
    assert "Istnieje już" not in content
    assert Vote.objects.filter(source="paper", choice="against").count() == 1
    assert resolution_tally(resolution).against.count == 1

    # The same ballot entered again is a correction: one paper ballot, history kept.
    _paper_post(office_client, resolution, premises, resident, "abstain", timezone.now())
    paper = Vote.objects.get(source="paper")
    assert paper.choice == "abstain"
    assert [h.choice for h in paper.history.order_by("history_date")] == ["against", "abstain"]


def test_admin_corrects_a_paper_ballot_on_its_change_page(
    office_client, resolution, premises, resident, office
):
    vote = paper_vote_record(
        resolution=resolution,
        premises=premises,
        voter=resident,
        choice="for",
        recorded_by=None,
        cast_at=timezone.now() - datetime.timedelta(hours=2),
    )
    local = timezone.localtime(vote.cast_at)
    response = office_client.post(
        f"/admin/community/vote/{vote.pk}/change/",
        {
            "choice": "against",
            "cast_at_0": local.strftime("%d.%m.%Y"),
            "cast_at_1": local.strftime("%H:%M:%S"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    vote.refresh_from_db()
    assert (vote.choice, vote.recorded_by) == ("against", office)
    assert vote.history.count() == 2


def test_online_votes_cannot_be_edited_by_the_office(office_client, resolution, premises, resident):
    vote = vote_cast(user=resident, resolution=resolution, premises=premises, choice="for")
    office_client.post(f"/admin/community/vote/{vote.pk}/change/", {"choice": "against"})
    vote.refresh_from_db()
    assert vote.choice == "for"


# --- 7. Outcome letter and the challenge deadline from the owner's own notice ------------------


def test_challenge_deadline_moves_off_a_saturday():
    # Notified Saturday 28.11.2026: six weeks end Saturday 09.01.2027 → Monday 11.01.2027.
    assert challenge_deadline(datetime.date(2026, 11, 28)) == datetime.date(2027, 1, 11)


def test_challenge_deadline_moves_off_a_holiday():
    # Notified 25.11.2026: six weeks end Wednesday 06.01.2027 (Trzech Króli) → 07.01.2027.
    assert challenge_deadline(datetime.date(2026, 11, 25)) == datetime.date(2027, 1, 7)


def test_e_delivered_notice_counts_from_the_day_of_e_delivery(voting_community):
    (anna, premises), _rest = flats(voting_community, [(1, 2), (1, 2)])
    resolution = ResolutionFactory(community=voting_community, status="adopted")
    saturday = timezone.make_aware(datetime.datetime(2026, 11, 28, 18, 0))
    letter = Letter.objects.create(
        community=voting_community,
        premises=premises,
        recipient=anna,
        kind=Letter.Kind.INFORMATION,
        subject="Wynik",
        published_at=saturday,
        delivery_channel=Letter.Channel.EMAIL,
    )
    # The e-delivery day is recorded on the notice when it is sent (``resolution_close``).
    OutcomeNotice.objects.create(
        resolution=resolution,
        premises=premises,
        recipient=anna,
        letter=letter,
        delivered_on=timezone.localdate(saturday),
    )

    (item,) = challenge_deadlines_for_user(anna, resolution)

    assert item.notice_date == datetime.date(2026, 11, 28)
    assert item.deadline == datetime.date(2027, 1, 11)


def test_an_e_mailed_notice_that_never_arrived_starts_no_six_weeks(client, voting_community):
    from notifications.models import Message

    (anna, premises), _rest = flats(voting_community, [(1, 2), (1, 2)])
    resolution = ResolutionFactory(community=voting_community, status="adopted")
    sent = timezone.make_aware(datetime.datetime(2026, 11, 26, 18, 0))
    letter = Letter.objects.create(
        community=voting_community,
        premises=premises,
        recipient=anna,
        kind=Letter.Kind.RESOLUTION_NOTICE,
        subject="Wynik",
        published_at=sent,
        delivery_channel=Letter.Channel.EMAIL,
    )
    notice = OutcomeNotice.objects.create(
        resolution=resolution,
        premises=premises,
        recipient=anna,
        letter=letter,
        delivered_on=timezone.localdate(sent),
    )
    Message.objects.create(
        recipient=anna,
        channel="email",
        to_address="pelna.skrzynka@example.com",
        body="…",
        related=letter,
        status=Message.Status.FAILED,
        attempts=5,
        last_error="SMTPRecipientsRefused: 552 mailbox full",
    )

    # The e-mail failed for good: nobody was notified, the letter goes by post (art. 25 ust. 1a).
    (item,) = challenge_deadlines_for_user(anna, resolution)
    assert (item.notice_date, item.deadline) == (None, None)
    client.force_login(anna)
    page = client.get(f"/wspolnota/uchwaly/{resolution.pk}/").content.decode()
    assert "6 tygodni od dnia doręczenia pisma" in page
    assert "doręczono Ci 26.11.2026" not in page

    # The office enters the day the posted letter was received: the six weeks run from it.
    notice.delivered_on = datetime.date(2026, 12, 2)
    notice.save()
    (item,) = challenge_deadlines_for_user(anna, resolution)
    assert item.notice_date == datetime.date(2026, 12, 2)


def test_resident_sees_the_deadline_from_their_own_notice(client, voting_community):
    (anna, annas), (jan, jans) = flats(voting_community, [(6, 10), (4, 10)])
    resolution = ResolutionFactory(community=voting_community)
    vote_cast(user=anna, resolution=resolution, premises=annas, choice="for")
    close_at_end(resolution=resolution)
    notices = {n.recipient: n for n in OutcomeNotice.objects.all()}
    assert set(notices) == {anna, jan}  # every owner is notified
    for notice in notices.values():
        assert notice.letter.delivery_channel == Letter.Channel.POST
    notices[anna].delivered_on = datetime.date(2026, 11, 28)
    notices[anna].save()

    client.force_login(anna)
    annas_page = client.get(f"/wspolnota/uchwaly/{resolution.pk}/").content.decode()
    client.force_login(jan)
    jans_page = client.get(f"/wspolnota/uchwaly/{resolution.pk}/").content.decode()

    assert "doręczono Ci 28.11.2026" in annas_page
    assert "do 11.01.2027" in annas_page
    # Jan's letter went by post and its delivery is not known yet: the rule, no false date.
    assert "6 tygodni od dnia doręczenia pisma" in jans_page
    assert "11.01.2027" not in jans_page


# --- 8. Co-owners vote through one of them or a recorded proxy (art. 23 ust. 2b) ------------


def test_per_owner_co_owners_need_a_recorded_proxy(voting_community):
    building = BuildingFactory(community=voting_community)
    premises = PremisesFactory(building=building, share_numerator=1, share_denominator=1)
    anna, piotr = UserFactory(first_name="Anna"), UserFactory(first_name="Piotr")
    for person in (anna, piotr):
        OwnershipFactory(user=person, premises=premises, role=Ownership.Role.CO_OWNER)
    resolution = ResolutionFactory(community=voting_community, counting="per_owner")

    with pytest.raises(ValidationError) as error:
        vote_cast(user=anna, resolution=resolution, premises=premises, choice="for")
    assert error.value.code == "proxy_required"

    CoOwnersProxy.objects.create(
        premises=premises, proxy=piotr, granted_on=timezone.localdate() - datetime.timedelta(1)
    )
    with pytest.raises(ValidationError) as error:
        vote_cast(user=anna, resolution=resolution, premises=premises, choice="for")
    assert error.value.code == "proxy_votes"
    assert "Piotr" in error.value.messages[0]

    vote_cast(user=piotr, resolution=resolution, premises=premises, choice="for")
    assert counts(resolution_tally(resolution)) == [1, 0, 0, 0]


def test_proxy_who_is_not_a_co_owner_votes_on_a_paper_ballot(voting_community):
    building = BuildingFactory(community=voting_community)
    premises = PremisesFactory(building=building, share_numerator=1, share_denominator=1)
    for _ in range(2):
        OwnershipFactory(user=UserFactory(), premises=premises, role=Ownership.Role.CO_OWNER)
    lawyer = UserFactory(first_name="Pełnomocnik")
    CoOwnersProxy.objects.create(premises=premises, proxy=lawyer, granted_on=timezone.localdate())
    resolution = ResolutionFactory(community=voting_community)

    paper_vote_record(
        resolution=resolution, premises=premises, voter=lawyer, choice="for", recorded_by=None
    )

    assert resolution_tally(resolution).for_.share == 1


# --- 9. What residents and the office see -----------------------------------------------------


def test_resident_sees_own_vote_per_premises_named(client, voting_community):
    building = BuildingFactory(community=voting_community, street="ul. Lipowa 5")
    anna = UserFactory()
    for number in ("10", "2"):
        OwnershipFactory(
            user=anna,
            premises=PremisesFactory(building=building, number=number, share_numerator=50_000),
        )
    resolution = ResolutionFactory(community=voting_community)
    ten = building.premises.get(number="10")
    vote_cast(user=anna, resolution=resolution, premises=ten, choice="against")
    client.force_login(anna)

    content = client.get(f"/wspolnota/uchwaly/{resolution.pk}/").content.decode()

    assert "Twój głos za lokal 10: <strong>przeciw</strong>" in content
    assert "Oddaj głos za lokal 2, ul. Lipowa 5" in content
    assert "Zmień głos za lokal 10, ul. Lipowa 5" in content
    # Natural order: flat 2 before flat 10.
    assert content.index("Oddaj głos za lokal 2") < content.index("Zmień głos za lokal 10")
    assert [s.premises.number for s in voting_slots_for_user(anna, resolution)] == ["2", "10"]


def test_tally_is_in_percent_of_all_shares_without_odd_fractions(client, voting_community):
    people = flats(voting_community, [(6441, 20000), (1141, 5000), (9, 20)])
    resolution = ResolutionFactory(community=voting_community)
    vote_cast(user=people[0][0], resolution=resolution, premises=people[0][1], choice="for")
    vote_cast(user=people[1][0], resolution=resolution, premises=people[1][1], choice="against")
    client.force_login(people[0][0])

    content = client.get(f"/wspolnota/uchwaly/{resolution.pk}/").content.decode()

    assert resolution_tally(resolution).for_.share == Fraction(6441, 20000)
    assert 'data-tally="for">32,21%' in content
    assert 'data-tally="against">22,82%' in content
    assert "6441/20000" not in content and "1141/5000" not in content


def test_protocol_lists_premises_in_natural_order(office_client, voting_community):
    people = flats(voting_community, [(1, 3), (1, 3), (1, 3)], numbers=["10", "2", "1"])
    resolution = ResolutionFactory(community=voting_community)
    for owner, premises in people:
        vote_cast(user=owner, resolution=resolution, premises=premises, choice="for")

    response = office_client.get(f"/admin/community/resolution/{resolution.pk}/protokol/")

    votes = pdf_text(response.content).split("Oddane głosy")[1]
    assert re.findall(r"^ ?(\d+) ", votes, re.M) == ["1", "2", "10"]


def test_office_enters_the_postal_delivery_date_and_a_future_date_is_refused(
    office_client, voting_community
):
    (anna, premises), _rest = flats(voting_community, [(1, 2), (1, 2)])
    resolution = ResolutionFactory(community=voting_community)
    close_at_end(resolution=resolution)
    notice = OutcomeNotice.objects.get(recipient=anna)
    url = f"/admin/community/outcomenotice/{notice.pk}/change/"

    future = timezone.localdate() + datetime.timedelta(days=3)
    response = office_client.post(url, {"delivered_on": future.strftime("%d.%m.%Y")})
    assert "Data doręczenia nie może być w przyszłości." in response.content.decode()
    notice.refresh_from_db()
    assert notice.delivered_on is None

    today = timezone.localdate()  # the letter went out today
    office_client.post(url, {"delivered_on": today.strftime("%d.%m.%Y")})
    notice.refresh_from_db()
    assert notice.delivered_on == today


# --- Art. 23 ust. 2 and 2a: where one owner – one vote may be demanded -----------------------


def test_a_fifth_may_not_demand_one_owner_one_vote_where_shares_sum_to_1_and_none_has_most(
    voting_community,
):
    people = flats(voting_community, [(3, 10), (3, 10), (4, 10)])
    draft = _draft(voting_community, counting="per_owner", per_owner_demand_on=timezone.localdate())
    draft.per_owner_demand_premises.set([people[0][1], people[1][1]])  # 3/5 of the shares

    with pytest.raises(ValidationError) as error:
        resolution_open_voting(resolution=draft, opened_by=None)
    message = " ".join(error.value.messages)
    assert "przysługuje tylko we wspólnocie, w której suma udziałów nie jest równa 1" in message
    assert "największy właściciel ma 40,00% udziałów" in message
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_a_fifth_may_demand_it_where_one_owner_holds_most_shares_over_several_flats(
    voting_community,
):
    people = flats(voting_community, [(3, 10), (3, 10), (4, 10)])
    developer = people[2][0]
    OwnershipFactory(user=developer, premises=people[1][1])  # 3/10 + 4/10 held by one
    people[1][1].ownerships.exclude(user=developer).delete()
    draft = _draft(voting_community, counting="per_owner", per_owner_demand_on=timezone.localdate())
    draft.per_owner_demand_premises.set([people[0][1]])  # 3/10 ≥ 1/5
    assert resolution_open_voting(resolution=draft, opened_by=None).status == "voting"


def test_unsold_flats_of_the_original_owner_holding_most_shares_allow_the_demand(
    voting_community,
):
    people = flats(voting_community, [(2, 10), (4, 10), (4, 10)])
    for _person, unsold in people[1:]:
        unsold.ownerships.all().delete()  # no owner on record: the developer's, 8/10
    draft = _draft(voting_community, counting="per_owner", per_owner_demand_on=timezone.localdate())
    draft.per_owner_demand_premises.set([people[0][1]])
    assert resolution_open_voting(resolution=draft, opened_by=None).status == "voting"


def test_one_owner_one_vote_from_the_owners_resolution_needs_no_demand(voting_community, client):
    people = flats(voting_community, [(3, 10), (3, 10), (4, 10)])
    draft = _draft(
        voting_community, counting="per_owner", per_owner_basis="uchwała nr 3/2024 z 12.03.2024"
    )
    opened = resolution_open_voting(resolution=draft, opened_by=None)
    assert opened.status == "voting"
    client.force_login(people[0][0])
    page = client.get(f"/wspolnota/uchwaly/{opened.pk}/")
    assert (
        "jeden właściciel – jeden głos (art. 23 ust. 2 ustawy o własności lokali), na podstawie: "
        "uchwała nr 3/2024 z 12.03.2024." in page.content.decode()
    )
