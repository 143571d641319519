"""Announcement and vote SMS go only to people who consented to SMS (issue 18): a profile
phone alone gets e-mail only, as on every other SMS path of the portal."""

import datetime

from django.utils import timezone

from community.services import announcement_notify, resolution_open_voting
from notifications.models import Message
from tests.correspondence.helpers import make_consent
from tests.factories import (
    AnnouncementFactory,
    OwnershipFactory,
    PremisesFactory,
    ResolutionFactory,
    UserFactory,
)


def _sms_community(community):
    community.sms_enabled = True
    community.voting_enabled = True
    community.save()
    return community


def _people(building):
    """Two owners with a profile phone; only the first consented to SMS (on another number)."""
    consenting = UserFactory(first_name="Ewa", phone="+48601200300")
    premises = PremisesFactory(
        building=building, number="1", share_numerator=1, share_denominator=2
    )
    OwnershipFactory(user=consenting, premises=premises)
    make_consent(user=consenting, premises=premises, channel="sms", address="+48 602 300 400")
    silent = UserFactory(first_name="Jan", phone="+48605500600")
    other = PremisesFactory(building=building, number="2", share_numerator=1, share_denominator=2)
    OwnershipFactory(user=silent, premises=other)
    return consenting, silent


def _channels(user, related):
    return sorted(
        (m.channel, m.to_address)
        for m in Message.objects.for_object(related).filter(recipient=user)
    )


def test_announcement_sms_only_to_residents_with_an_sms_consent(community, building):
    _sms_community(community)
    consenting, silent = _people(building)
    announcement = AnnouncementFactory(community=community, title="Przegląd kominów")

    assert announcement_notify(announcement=announcement) == 2

    assert _channels(consenting, announcement) == [
        ("email", consenting.email),
        ("sms", "+48 602 300 400"),
    ]
    assert _channels(silent, announcement) == [("email", silent.email)]


def test_vote_opened_sms_only_to_owners_with_an_sms_consent(community, building):
    _sms_community(community)
    consenting, silent = _people(building)
    draft = ResolutionFactory(
        community=community,
        status="draft",
        voting_opens_at=None,
        voting_closes_at=timezone.now() + datetime.timedelta(days=14),
    )

    resolution_open_voting(resolution=draft, opened_by=None)

    assert _channels(consenting, draft) == [
        ("email", consenting.email),
        ("sms", "+48 602 300 400"),
    ]
    assert _channels(silent, draft) == [("email", silent.email)]
    sms = Message.objects.get(recipient=consenting, channel="sms")
    assert "głosowanie" in sms.body.lower()


def test_no_sms_at_all_while_the_community_has_sms_off(community, building):
    community.sms_enabled = False
    community.save()
    consenting, _silent = _people(building)
    announcement = AnnouncementFactory(community=community)

    announcement_notify(announcement=announcement)

    assert _channels(consenting, announcement) == [("email", consenting.email)]


def _announcement_queries(community, building, people: int, start: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for number in range(start, start + people):
        premises = PremisesFactory(building=building, number=str(number))
        OwnershipFactory(user=UserFactory(), premises=premises)
    announcement = AnnouncementFactory(community=community, title=f"Ogłoszenie {start}")
    with CaptureQueriesContext(connection) as queries:
        announcement_notify(announcement=announcement)
    return len(queries)


def test_announcement_to_many_residents_runs_a_fixed_number_of_queries(community, building):
    """A cooperative's announcement to thousands of members is stored in bulk, in the request."""
    _sms_community(community)
    few = _announcement_queries(community, building, 2, start=100)
    many = _announcement_queries(community, building, 12, start=200)
    assert many == few
