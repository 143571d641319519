"""Demo correspondence: letters of every kind for the Nowaks, a thread with a reply, consents."""

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from portal.pdf import render_pdf

from .models import DeliveryConsent, Letter, LetterAttachment, LetterOpening, Thread, ThreadMessage
from .services import consent_text, delivery_decide

LETTERS = [
    # (premises key, kind, subject, body, days ago, opened)
    (
        "lipowa_12",
        Letter.Kind.SETTLEMENT,
        "Rozliczenie zużycia wody za 2024 rok",
        "Uprzejmie informujemy, że rozliczenie zużycia zimnej i ciepłej wody za okres "
        "01.01.2024–31.12.2024 wykazało nadpłatę w kwocie 84,20 zł, którą zaliczono na poczet "
        "przyszłych opłat.",
        400,
        True,
    ),
    (
        "lipowa_12",
        Letter.Kind.PAYMENT_DEMAND,
        "Wezwanie do zapłaty zaległości za {prev_month} {prev_year}",
        "Na koncie lokalu widnieje zaległość w kwocie 612,40 zł. Prosimy o uregulowanie "
        "należności w terminie 7 dni od otrzymania wezwania.",
        75,
        True,
    ),
    (
        "lipowa_12",
        Letter.Kind.FEE_NOTICE,
        "Zawiadomienie o wysokości opłat od 1 {next_month_of} {next_year}",
        "Na podstawie uchwały nr 7/2025 Wspólnoty Mieszkaniowej Lipowa 5 od 1 {next_month_of} "
        "{next_year} zaliczka na koszty zarządu wynosi 4,20 zł/m², a fundusz remontowy 2,50 zł/m². "
        "Szczegółowe zestawienie opłat w załączniku.",
        12,
        False,
    ),
    (
        "lipowa_12",
        Letter.Kind.INFORMATION,
        "Przegląd przewodów kominowych i instalacji gazowej",
        "Informujemy, że w dniach 12–13 maja odbędzie się coroczny przegląd przewodów "
        "kominowych i instalacji gazowej. Prosimy o udostępnienie lokalu w godzinach 8:00–16:00.",
        5,
        False,
    ),
    (
        "lipowa_g3",
        Letter.Kind.OTHER,
        "Malowanie hali garażowej",
        "W dniach 3–5 czerwca hala garażowa będzie malowana. Prosimy o przestawienie pojazdów "
        "na parking przed budynkiem.",
        2,
        False,
    ),
    (
        "lipowa_7",
        Letter.Kind.INFORMATION,
        "Przegląd przewodów kominowych i instalacji gazowej",
        "Informujemy, że w dniach 12–13 maja odbędzie się coroczny przegląd przewodów "
        "kominowych i instalacji gazowej.",
        5,
        False,
    ),
]


MONTHS = [
    "styczeń",
    "luty",
    "marzec",
    "kwiecień",
    "maj",
    "czerwiec",
    "lipiec",
    "sierpień",
    "wrzesień",
    "październik",
    "listopad",
    "grudzień",
]
MONTHS_OF = [
    "stycznia",
    "lutego",
    "marca",
    "kwietnia",
    "maja",
    "czerwca",
    "lipca",
    "sierpnia",
    "września",
    "października",
    "listopada",
    "grudnia",
]


def _dated(text: str, when: datetime.datetime) -> str:
    """Fill month names relative to the letter's date, so the demo reads right any day."""
    prev = (when.replace(day=1) - datetime.timedelta(days=1)).date()
    nxt = (when.replace(day=28) + datetime.timedelta(days=4)).date()
    return text.format(
        prev_month=MONTHS[prev.month - 1],
        prev_year=prev.year,
        next_month_of=MONTHS_OF[nxt.month - 1],
        next_year=nxt.year,
    )


def _consent(user, premises, channel, address, days_ago):
    consent = DeliveryConsent.objects.active().filter(user=user, premises=premises, channel=channel)
    if consent.exists():
        return consent.get()
    return DeliveryConsent.objects.create(
        user=user,
        premises=premises,
        channel=channel,
        address=address,
        consent_text=consent_text(channel=channel, premises=premises, address=address),
        given_at=timezone.now() - datetime.timedelta(days=days_ago),
    )


def seed(ctx):
    anna, staff = ctx.users["anna"], ctx.users["staff"]
    now = timezone.now()
    email_consent = _consent(anna, ctx.premises["lipowa_12"], "email", anna.email, 30)
    _consent(anna, ctx.premises["lipowa_12"], "sms", anna.phone or "+48601100200", 30)
    lipowa = ctx.communities["lipowa"]
    if not lipowa.sms_enabled:
        lipowa.sms_enabled = True
        lipowa.save(update_fields=["sms_enabled"])

    for key, kind, subject, body, days_ago, opened in LETTERS:
        premises = ctx.premises[key]
        when = now - datetime.timedelta(days=days_ago)
        subject, body = _dated(subject, when), _dated(body, when)
        if Letter.objects.filter(premises=premises, kind=kind, subject=subject).exists():
            continue
        recipient = anna if key.startswith("lipowa_") and key != "lipowa_7" else ctx.users["marek"]
        letter = Letter.objects.create(
            community=premises.building.community,
            premises=premises,
            recipient=recipient,
            kind=kind,
            subject=subject,
            body=body,
            created_by=staff,
            created_at=when,
            published_at=when,
        )
        consent = email_consent if recipient == anna and key == "lipowa_12" else None
        letter.delivery_channel, letter.delivery_reason = delivery_decide(
            kind=kind,
            created_on=timezone.localdate(when),
            community=letter.community,
            consent_given_on=timezone.localdate(consent.given_at) if consent else None,
            today=timezone.localdate(when),
        )
        if letter.delivery_channel == Letter.Channel.EMAIL:
            letter.delivery_address = consent.address
        else:
            letter.printed_at = when
        if opened:
            letter.first_opened_at = when + datetime.timedelta(days=2)
            LetterOpening.objects.create(
                letter=letter, user=recipient, opened_at=letter.first_opened_at
            )
        letter.save()
        pdf = render_pdf("correspondence/pdf/letter.html", {"letter": letter, "date": when})
        name = f"pismo-{when:%Y-%m-%d}.pdf"
        LetterAttachment.objects.create(
            letter=letter, file=ContentFile(pdf, name=name), name=name, size=len(pdf)
        )

    subject = "Wymiana wodomierza w łazience"
    if not Thread.objects.filter(author=anna, subject=subject).exists():
        premises = ctx.premises["lipowa_12"]
        asked = now - datetime.timedelta(days=9)
        answered = now - datetime.timedelta(days=8)
        thread = Thread.objects.create(
            community=premises.building.community,
            premises=premises,
            author=anna,
            subject=subject,
            status=Thread.Status.ANSWERED,
            created_at=asked,
            last_message_at=answered,
        )
        ThreadMessage.objects.create(
            thread=thread,
            author=anna,
            body="Dzień dobry, wodomierz ciepłej wody w łazience przecieka przy złączce. "
            "Czy wymianę wykonuje wspólnota? Proszę o informację o terminie.",
            created_at=asked,
        )
        ThreadMessage.objects.create(
            thread=thread,
            author=staff,
            from_office=True,
            body="Dzień dobry, wodomierze są własnością wspólnoty i ich wymiana jest bezpłatna. "
            "Hydraulik skontaktuje się telefonicznie i umówi wizytę w tym tygodniu. "
            "Pozdrawiamy, biuro administracji.",
            created_at=answered,
        )
