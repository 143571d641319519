import datetime

from django.utils import timezone

from correspondence.models import DeliveryConsent, Letter, LetterAttachment
from correspondence.services import consent_text

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def make_letter(*, premises, recipient, kind=Letter.Kind.INFORMATION, subject="Informacja", **kw):
    from django.core.files.base import ContentFile

    attachment = kw.pop("attachment", None)
    letter = Letter.objects.create(
        community=premises.building.community,
        premises=premises,
        recipient=recipient,
        kind=kind,
        subject=subject,
        body=kw.pop("body", "Treść pisma."),
        published_at=kw.pop("published_at", timezone.now()),
        **kw,
    )
    if attachment:
        name, content = attachment
        LetterAttachment.objects.create(
            letter=letter, file=ContentFile(content, name=name), name=name, size=len(content)
        )
    return letter


def make_consent(*, user, premises, channel="email", days_ago=30, address=None):
    address = address or (user.email if channel == "email" else "601200300")
    return DeliveryConsent.objects.create(
        user=user,
        premises=premises,
        channel=channel,
        address=address,
        consent_text=consent_text(channel=channel, premises=premises, address=address),
        given_at=timezone.now() - datetime.timedelta(days=days_ago),
    )
