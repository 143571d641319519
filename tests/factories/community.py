import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from community.models import Announcement, Resolution

from .register import CommunityFactory


class AnnouncementFactory(DjangoModelFactory):
    class Meta:
        model = Announcement

    community = factory.SubFactory(CommunityFactory)
    title = factory.Sequence(lambda n: f"Ogłoszenie {n}")
    body = "Treść ogłoszenia."
    publish_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))


class ResolutionFactory(DjangoModelFactory):
    class Meta:
        model = Resolution

    community = factory.SubFactory(CommunityFactory)
    number = factory.Sequence(lambda n: f"{n + 1}/2026")
    title = factory.Sequence(lambda n: f"W sprawie remontu nr {n}")
    text = "Właściciele lokali wyrażają zgodę na remont dachu."
    status = Resolution.Status.VOTING
    counting = factory.LazyAttribute(
        lambda o: "per_member" if o.community.kind == "spoldzielnia" else "share"
    )
    voting_opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=2))
    voting_closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=12))
