"""Personal data of one person in every tab, for the export tests."""

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from community.models import Vote
from correspondence.models import DeliveryConsent, Letter, Thread, ThreadMessage
from failures.models import FailureReport, FailureStatusChange
from finance.models import Charge, Payment
from meters.models import Reading
from tests.factories import MeterFactory, ResolutionFactory

_numbers = itertools.count(1)


def fill_personal_data(user, premises, *, tag: str, count: int = 1) -> None:
    """``count`` rows of everything tied to ``user``; every text carries ``tag``."""
    community = premises.building.community
    for i in range(count):
        n = next(_numbers)
        Charge.objects.create(
            premises=premises,
            category=Charge.Category.MANAGEMENT,
            title=f"Zaliczka {tag}",
            period=datetime.date(2025, 1 + i % 12, 1),
            due_date=datetime.date(2025, 1 + i % 12, 10),
            amount=Decimal("412.35"),
        )
        Payment.objects.create(
            premises=premises,
            booked_on=datetime.date(2025, 1 + i % 12, 8),
            amount=Decimal("400.00"),
            title=f"Wpłata {tag}",
            payer_name=f"Płatnik {tag}",
            payer_account="PL61109010140000071219812874",
        )
        meter = MeterFactory(premises=premises)
        Reading.objects.create(
            meter=meter,
            read_on=datetime.date(2025, 4, 25),
            value=Decimal("12.345"),
            source=Reading.Source.RESIDENT,
            submitted_by=user,
        )
        report = FailureReport.objects.create(
            number=f"AW/{n}/2025",
            building=premises.building,
            premises=premises,
            reporter=user,
            description=f"Cieknie kran {tag}",
            contact_phone="600100200",
        )
        FailureStatusChange.objects.create(
            report=report,
            from_status=FailureReport.Status.REPORTED,
            to_status=FailureReport.Status.ACCEPTED,
            comment=f"Hydraulik jutro {tag}",
        )
        Letter.objects.create(
            community=community,
            premises=premises,
            recipient=user,
            kind=Letter.Kind.INFORMATION,
            subject=f"Pismo {tag}",
            body="Treść.",
            published_at=timezone.now(),
            delivery_address=user.email,
        )
        thread = Thread.objects.create(
            community=community, premises=premises, author=user, subject=f"Pytanie {tag}"
        )
        ThreadMessage.objects.create(thread=thread, author=user, body=f"Wiadomość {tag}")
        DeliveryConsent.objects.create(
            user=user,
            premises=premises,
            channel="email",
            address=user.email,
            consent_text=f"Zgoda {tag}",
            withdrawn_at=timezone.now() if i else None,
        )
        resolution = ResolutionFactory(community=community, title=f"Uchwała {tag}")
        Vote.objects.create(
            resolution=resolution,
            premises=premises,
            voter=user,
            choice=Vote.Choice.FOR,
            receipt_code=f"R-{n:08d}",
        )
