"""Demo data: the rest of Lipowa 5's owners (so shares add up to 1), its board, announcements,
resolutions in every status with votes, and a cooperative without online voting."""

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import User
from portal.pdf import render_pdf
from premises.models import CommunityRole, Ownership, Premises

from .models import Announcement, AnnouncementAttachment, Counting, Resolution, Source, Vote
from .services import paper_vote_record, resolution_close, vote_cast

# Flats of Lipowa 5 not in the shared register: (number, area, owner). 10 × 8 695 / 100 000
# plus the register's 12, G3 and 7 make exactly 1.
OTHER_FLATS = [
    ("1", "48.10", "Halina", "Zielińska"),
    ("2", "48.10", "Krzysztof", "Lewandowski"),
    ("3", "52.70", "Barbara", "Wójcik"),
    ("4", "52.70", "Tadeusz", "Kowalczyk"),
    ("5", "47.90", "Joanna", "Mazur"),
    ("6", "47.90", "Grzegorz", "Krawczyk"),
    ("8", "50.00", "Magdalena", "Piotrowska"),
    ("9", "50.00", "Andrzej", "Grabowski"),
    ("10", "49.30", "Elżbieta", "Pawłowska"),
    ("11", "49.30", "Stanisław", "Michalski"),
]
OTHER_SHARE = 8_695


def _aware(year, month, day, hour=12):
    return timezone.make_aware(datetime.datetime(year, month, day, hour))


def _other_owners(ctx) -> list[tuple[User, Premises]]:
    building = ctx.buildings["lipowa"]
    people = []
    for i, (number, area, first, last) in enumerate(OTHER_FLATS):
        premises, _c = Premises.objects.get_or_create(
            building=building,
            number=number,
            defaults={
                "area": Decimal(area),
                "persons": 1 + i % 3,
                "share_numerator": OTHER_SHARE,
                "share_denominator": 100_000,
            },
        )
        owner, created = User.objects.get_or_create(
            username=f"1000{1100 + i}",
            defaults={"first_name": first, "last_name": last, "is_active": False},
        )
        if created:
            owner.set_unusable_password()
            owner.save()
        Ownership.objects.get_or_create(
            user=owner,
            premises=premises,
            defaults={"role": Ownership.Role.OWNER, "valid_from": datetime.date(2012, 4, 1)},
        )
        people.append((owner, premises))
    return people


def _announcement(ctx, *, community, title, body, publish_at, attachment=None, **extra):
    announcement, created = Announcement.objects.get_or_create(
        community=community,
        title=title,
        defaults={
            "body": body,
            "publish_at": publish_at,
            "created_by": ctx.users["staff"],
            # Demo rows are not announced to anybody: they are history already.
            "notified_at": publish_at,
            **extra,
        },
    )
    if created and attachment:
        name, rows = attachment
        pdf = render_pdf(
            "community/pdf/demo_attachment.html",
            {"community": community, "title": name, "rows": rows},
        )
        item = AnnouncementAttachment(announcement=announcement, name=name)
        item.file.save("zalacznik.pdf", ContentFile(pdf))


def _resolution(community, number, **fields):
    resolution, created = Resolution.objects.get_or_create(
        community=community, number=number, defaults=fields
    )
    return resolution, created


def _voted(resolution, ballots, *, at):
    """``ballots``: (user, premises, choice, paper?)."""
    for user, premises, choice, paper in ballots:
        if Vote.objects.filter(resolution=resolution, premises=premises).exists():
            continue
        if paper:
            paper_vote_record(
                resolution=resolution,
                premises=premises,
                voter=user,
                choice=choice,
                recorded_by=None,
                cast_at=at,
            )
        else:
            vote_cast(user=user, resolution=resolution, premises=premises, choice=choice, now=at)


def seed(ctx):
    """Add this tab's demo data. ``ctx`` holds the demo register (see portal.demo)."""
    lipowa, sloneczna = ctx.communities["lipowa"], ctx.communities["sloneczna"]
    now = timezone.now()
    others = _other_owners(ctx)
    anna, marek = ctx.users["anna"], ctx.users["marek"]
    flat_12, flat_7 = ctx.premises["lipowa_12"], ctx.premises["lipowa_7"]

    CommunityRole.objects.get_or_create(
        user=marek,
        community=lipowa,
        role=CommunityRole.Role.BOARD,
        defaults={"function": "prezes zarządu"},
    )
    CommunityRole.objects.get_or_create(
        user=others[2][0],
        community=lipowa,
        role=CommunityRole.Role.BOARD,
        defaults={"function": "członek zarządu"},
    )

    # --- Announcements --------------------------------------------------------------------
    _announcement(
        ctx,
        community=lipowa,
        title="Dyżury zarządu wspólnoty",
        body="Zarząd wspólnoty pełni dyżur w każdy wtorek w godz. 16:00–18:00 w pomieszczeniu "
        "administracyjnym na parterze. W sprawach pilnych prosimy o kontakt z Call Center.",
        publish_at=now - datetime.timedelta(days=120),
        pinned=True,
        source=Source.BOARD,
    )
    _announcement(
        ctx,
        community=lipowa,
        building=ctx.buildings["lipowa"],
        title="Okresowy przegląd instalacji gazowej",
        body="Informujemy, że w najbliższych dniach odbędzie się okresowy przegląd szczelności "
        "instalacji gazowej. Prosimy o udostępnienie lokali zgodnie z harmonogramem. W razie "
        "nieobecności prosimy o kontakt z biurem w celu ustalenia innego terminu.",
        publish_at=now - datetime.timedelta(days=3),
        expires_at=now + datetime.timedelta(days=9),
        attachment=(
            "Harmonogram przeglądu",
            [
                ("poniedziałek", "8:00–12:00", "klatka A, lokale 1–6"),
                ("wtorek", "15:00–19:00", "klatka A, lokale 7–12"),
                ("środa", "8:00–12:00", "garaże G1–G5"),
            ],
        ),
    )
    _announcement(
        ctx,
        community=lipowa,
        building=ctx.buildings["lipowa"],
        title="Przerwa w dostawie ciepłej wody",
        body="Z powodu prac konserwacyjnych w węźle cieplnym nastąpi przerwa w dostawie ciepłej "
        "wody w godzinach 8:00–14:00. Przepraszamy za utrudnienia.",
        publish_at=now - datetime.timedelta(hours=6),
        expires_at=now + datetime.timedelta(days=2),
    )
    _announcement(
        ctx,
        community=lipowa,
        title="Nowa firma sprzątająca",
        body="Od 1 dnia miesiąca klatki schodowe sprząta nowa firma.",
        publish_at=now - datetime.timedelta(days=200),
        expires_at=now - datetime.timedelta(days=150),
    )
    _announcement(
        ctx,
        community=sloneczna,
        title="Walne zgromadzenie członków spółdzielni",
        body="Zarząd zaprasza członków spółdzielni na walne zgromadzenie. Porządek obrad "
        "i projekty uchwał są wyłożone do wglądu w siedzibie spółdzielni.",
        publish_at=now - datetime.timedelta(days=10),
        expires_at=now + datetime.timedelta(days=20),
        pinned=True,
        source=Source.BOARD,
    )

    # --- Resolutions ----------------------------------------------------------------------
    voters = [(anna, flat_12), (marek, flat_7), *others]
    closed = [
        (
            "1/2025",
            "W sprawie zatwierdzenia sprawozdania finansowego za rok 2024",
            datetime.date(2025, 3, 3),
            ["for"] * 9 + ["against", "abstain", "for"],
        ),
        (
            "2/2025",
            "W sprawie wymiany domofonów na wideodomofony",
            datetime.date(2025, 6, 2),
            ["against", "for", "against", "against", "for", "abstain"]
            + ["against", "against", "for", "against", "abstain", "against"],
        ),
        (
            "1/2026",
            "W sprawie planu gospodarczego na rok 2026",
            datetime.date(2026, 1, 12),
            ["for", "for", "for", "for", "against", "for", "abstain", "for", "for"]
            + ["against", "for", "for"],
        ),
    ]
    for number, title, opened, choices in closed:
        opens_at = timezone.make_aware(datetime.datetime.combine(opened, datetime.time(8)))
        closes_at = opens_at + datetime.timedelta(days=14)
        resolution, created = _resolution(
            lipowa,
            number,
            title=title,
            text=f"Właściciele lokali Wspólnoty Mieszkaniowej Lipowa 5 podejmują uchwałę "
            f"{title[0].lower()}{title[1:]}.",
            status=Resolution.Status.VOTING,
            voting_opens_at=opens_at,
            voting_closes_at=closes_at,
            created_at=opens_at - datetime.timedelta(days=7),
        )
        if created:
            ballots = [
                (user, premises, choice, i % 3 == 2)
                for i, ((user, premises), choice) in enumerate(zip(voters, choices, strict=True))
            ]
            _voted(resolution, ballots, at=opens_at + datetime.timedelta(days=2))
            resolution_close(
                resolution=resolution, closed_by=ctx.users["staff"], now=closes_at, notify=False
            )

    opens_at = now - datetime.timedelta(days=5)
    open_vote, created = _resolution(
        lipowa,
        "2/2026",
        title="W sprawie remontu dachu i zaciągnięcia kredytu na jego sfinansowanie",
        text="§ 1. Właściciele lokali wyrażają zgodę na wykonanie remontu pokrycia dachu "
        "budynku przy ul. Lipowej 5.\n§ 2. Na sfinansowanie remontu wspólnota zaciągnie kredyt "
        "w kwocie do 240 000 zł na okres 5 lat.\n§ 3. Uchwała wchodzi w życie z dniem podjęcia.",
        status=Resolution.Status.VOTING,
        voting_opens_at=opens_at,
        voting_closes_at=now + datetime.timedelta(days=10),
        created_at=opens_at - datetime.timedelta(days=3),
    )
    if created:
        ballots = [(marek, flat_7, "for", False)] + [
            (user, premises, choice, i % 2 == 0)
            for i, ((user, premises), choice) in enumerate(
                zip(others[:6], ["for", "against", "for", "abstain", "for", "against"], strict=True)
            )
        ]
        _voted(open_vote, ballots, at=opens_at + datetime.timedelta(days=1))
    _resolution(
        lipowa,
        "3/2026",
        title="W sprawie montażu stojaków rowerowych przed budynkiem",
        text="Projekt uchwały do konsultacji z właścicielami. Koszt ok. 4 800 zł z funduszu "
        "remontowego.",
        status=Resolution.Status.DRAFT,
        created_at=now - datetime.timedelta(days=1),
    )
    _resolution(
        sloneczna,
        "12/2025",
        title="W sprawie zatwierdzenia sprawozdania finansowego spółdzielni za rok 2024",
        text="Walne zgromadzenie zatwierdza sprawozdanie finansowe za rok 2024.",
        status=Resolution.Status.ADOPTED,
        counting=Counting.PER_MEMBER,
        decided_on=datetime.date(2025, 6, 14),
        created_at=_aware(2025, 5, 20),
    )
