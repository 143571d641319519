"""Voting audit, second round: the register changing under an open vote, proxies, the paper
ballot warning, one owner – one vote, and every owner's own notice of the outcome (rule 8)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from community.models import OutcomeNotice, Resolution
from community.services import resolution_closing_problems, resolutions_close_due, vote_cast
from premises import imports
from tests.factories import PremisesFactory, ResolutionFactory, UserFactory

from .helpers import close_at_end
from .test_law import flats


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
