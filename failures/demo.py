"""Demo failure reports in Lipowa 5 (and one in Słoneczna), with status history and a photo."""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from lib.phones import normalize_phone
from portal.images import process_uploaded_image

from .models import FailureReport
from .services import failure_change_status, failure_comment_add, failure_create

S = FailureReport.Status


def _demo_photo() -> SimpleUploadedFile:
    """A plausible photo: a stained ceiling corner with a dripping pipe."""
    img = Image.new("RGB", (1200, 900), (214, 210, 200))
    draw = ImageDraw.Draw(img)
    draw.polygon([(0, 0), (1200, 0), (1200, 260), (0, 340)], fill=(236, 233, 226))
    draw.ellipse((380, 120, 860, 420), fill=(176, 150, 104))
    draw.ellipse((450, 170, 780, 370), fill=(150, 122, 80))
    draw.rectangle((0, 560, 1200, 610), fill=(120, 120, 125))
    for x in (600, 640, 690):
        draw.ellipse((x, 620, x + 18, 650), fill=(90, 120, 160))
    buffer = io.BytesIO()
    img.save(buffer, format="JPEG", quality=80)
    return SimpleUploadedFile("zaciek.jpg", buffer.getvalue(), content_type="image/jpeg")


def _days_ago(days: int, hour: int = 10) -> datetime.datetime:
    moment = timezone.localtime() - datetime.timedelta(days=days)
    return moment.replace(hour=hour, minute=15, second=0, microsecond=0)


def _report(
    ctx, *, reporter, premises=None, building, description, days_ago, steps=(), photo=False
):
    if FailureReport.objects.filter(building=building, description=description).exists():
        return
    photos = [process_uploaded_image(_demo_photo())] if photo else []
    report = failure_create(
        reporter=ctx.users[reporter],
        building=building,
        premises=premises,
        description=description,
        contact_phone=normalize_phone(ctx.users[reporter].phone),
        photos=photos,
        at=_days_ago(days_ago, 9),
    )
    for to_status, after_days, comment in steps:
        failure_change_status(
            report=report,
            to_status=to_status,
            comment=comment,
            changed_by=ctx.users["staff"],
            at=_days_ago(days_ago - after_days, 14),
            notify=False,
        )


def _comments(ctx, *, description, comments):
    report = FailureReport.objects.filter(description=description).first()
    if report is None or report.comments.exists():
        return
    for body, public in comments:
        failure_comment_add(
            report=report, author=ctx.users["staff"], body=body, visible_to_residents=public
        )


def seed(ctx):
    """Add this tab's demo data. ``ctx`` holds the demo register (see portal.demo)."""
    lipowa = ctx.buildings["lipowa"]
    _report(
        ctx,
        reporter="anna",
        premises=ctx.premises["lipowa_12"],
        building=lipowa,
        description=(
            "Zaciek na suficie w łazience, woda kapie przy pionie kanalizacyjnym. "
            "Prawdopodobnie przeciek z lokalu powyżej."
        ),
        days_ago=160,
        steps=[
            (
                S.ACCEPTED,
                1,
                "Zgłoszenie przekazane hydraulikowi, kontakt telefoniczny w ciągu 24 h.",
            ),
            (S.IN_PROGRESS, 2, "Hydraulik stwierdził nieszczelność pionu, wymiana odcinka rury."),
            (S.DONE, 6, "Wymieniono odcinek pionu kanalizacyjnego. Zaciek należy osuszyć."),
        ],
    )
    _report(
        ctx,
        reporter="piotr",
        building=lipowa,
        description="Napisy sprayem na elewacji od strony podwórka, przy wejściu do piwnicy.",
        days_ago=95,
        steps=[
            (
                S.REJECTED,
                3,
                "Elewacja jest na gwarancji wykonawcy termomodernizacji – zgłoszenie "
                "przekazaliśmy wykonawcy, który usunie napisy w ramach gwarancji.",
            ),
        ],
    )
    _report(
        ctx,
        reporter="anna",
        building=lipowa,
        description=(
            "Domofon przy głównym wejściu nie otwiera drzwi – słychać rozmówcę, "
            "ale zamek nie reaguje."
        ),
        days_ago=21,
        steps=[
            (S.ACCEPTED, 1, "Serwis domofonów umówiony na przyszły tydzień."),
            (S.IN_PROGRESS, 5, "Zamówiono nowy elektrozaczep, czekamy na dostawę."),
        ],
    )
    _report(
        ctx,
        reporter="marek",
        building=lipowa,
        description="Nie działa oświetlenie na klatce schodowej między 2. a 3. piętrem.",
        days_ago=6,
        steps=[(S.ACCEPTED, 1, "Elektryk wymieni oprawę przy najbliższym przeglądzie.")],
    )
    _report(
        ctx,
        reporter="marek",
        premises=ctx.premises["lipowa_7"],
        building=lipowa,
        description="Cieknie zawór grzejnika w pokoju, pod grzejnikiem zbiera się woda.",
        days_ago=2,
        photo=True,
    )
    _report(
        ctx,
        reporter="anna",
        premises=ctx.premises["lipowa_g3"],
        building=lipowa,
        description="Brama garażowa zacina się w połowie otwierania, pilot działa z opóźnieniem.",
        days_ago=1,
    )
    _report(
        ctx,
        reporter="zofia",
        building=ctx.buildings["sloneczna"],
        description="Winda zatrzymuje się między piętrami, drzwi otwierają się z opóźnieniem.",
        days_ago=9,
        steps=[(S.ACCEPTED, 0, "Konserwator dźwigu przyjedzie jutro do godz. 12.")],
    )
    _comments(
        ctx,
        description=(
            "Domofon przy głównym wejściu nie otwiera drzwi – słychać rozmówcę, "
            "ale zamek nie reaguje."
        ),
        comments=[
            ("Wycena serwisu: 480 zł brutto, zarząd zaakceptował telefonicznie.", False),
            (
                "Dostawa elektrozaczepu opóźniona u producenta. Do czasu naprawy prosimy "
                "otwierać drzwi wejściowe kluczem do klatki.",
                True,
            ),
        ],
    )
