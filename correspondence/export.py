"""The correspondence sections of the personal data export (``data_export`` in the AppConfig).

Only rows tied to the person; a fixed number of queries (see ``accounts/export.py``).
"""

from django.db.models import Prefetch

from lib.export import iso_datetime
from premises.export import premises_ref

from .models import DeliveryConsent, Letter, ThreadMessage
from .selectors import threads_for_user


def letters_section(user) -> list[dict]:
    """Published letters addressed to the person by name (2 queries)."""
    letters = (
        Letter.objects.published()
        .filter(recipient=user)
        .select_related("community", "premises__building")
        .prefetch_related("attachments")
        .order_by("published_at", "pk")
    )
    return [
        {
            "community": letter.community.name,
            "premises": premises_ref(letter.premises),
            "kind": letter.get_kind_display(),
            "subject": letter.subject,
            "body": letter.body,
            "published_at": iso_datetime(letter.published_at),
            "first_opened_at": iso_datetime(letter.first_opened_at),
            "delivery_channel": letter.get_delivery_channel_display(),
            "delivery_address": letter.delivery_address,
            "attachments": [a.name for a in letter.attachments.all()],
        }
        for letter in letters
    ]


def messages_section(user) -> list[dict]:
    """The person's messages to the office and the replies; no staff names (2 queries)."""
    messages = ThreadMessage.objects.prefetch_related("attachments").order_by("created_at", "pk")
    threads = (
        threads_for_user(user)
        .prefetch_related(Prefetch("messages", queryset=messages))
        .order_by("created_at", "pk")
    )
    return [
        {
            "subject": t.subject,
            "premises": premises_ref(t.premises),
            "status": t.get_status_display(),
            "created_at": iso_datetime(t.created_at),
            "messages": [
                {
                    "from_office": m.from_office,
                    "body": m.body,
                    "sent_at": iso_datetime(m.created_at),
                    "attachments": [a.name for a in m.attachments.all()],
                }
                for m in t.messages.all()
            ],
        }
        for t in threads
    ]


def consents_section(user) -> list[dict]:
    """Every e-delivery / SMS consent the person gave, withdrawn ones too (1 query)."""
    consents = (
        DeliveryConsent.objects.filter(user=user)
        .select_related("premises__building")
        .order_by("given_at", "pk")
    )
    return [
        {
            "premises": premises_ref(c.premises),
            "channel": c.get_channel_display(),
            "address": c.address,
            "consent_text": c.consent_text,
            "given_at": iso_datetime(c.given_at),
            "withdrawn_at": iso_datetime(c.withdrawn_at),
        }
        for c in consents
    ]
