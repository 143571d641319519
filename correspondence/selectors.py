"""Reads of correspondence. Every resident query builds on ``premises_for_user``."""

import datetime
from collections import defaultdict

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from premises.models import Ownership, Premises
from premises.selectors import premises_for_user

from .models import DeliveryConsent, Letter, LetterOpening, Thread, ThreadMessage


def owned_premises_for_user(user) -> QuerySet[Premises]:
    """The user's premises in which they are an owner, co-owner or cooperative member."""
    return premises_for_user(user).filter(
        Exists(
            Ownership.objects.current().filter(
                premises=OuterRef("pk"), user=user, role__in=Ownership.OWNER_ROLES
            )
        )
    )


def letters_for_user(user) -> QuerySet[Letter]:
    """Published letters addressed to the user, or to a premises the user owns (co-owners too).

    A tenant sees only letters addressed to them by name; an owner sees the premises' letters
    published while they owned it. ``is_unread`` is annotated per user.
    """
    if not user.is_authenticated:
        return Letter.objects.none()
    # A premises' letters from before the user held it (e.g. to the seller) stay private.
    held_when_published = Ownership.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=OuterRef("published_on")),
        user=user,
        premises=OuterRef("premises"),
        role__in=Ownership.OWNER_ROLES,
        valid_from__lte=OuterRef("published_on"),
    )
    # Candidates first, each branch on its own index (recipient; premises the user ever owned):
    # an OR of the two over a subquery made PostgreSQL read every letter of every community.
    ever_owned = Ownership.objects.filter(user=user, role__in=Ownership.OWNER_ROLES).values(
        "premises_id"
    )
    candidates = (
        Letter.objects.filter(recipient=user)
        .order_by()
        .values("pk")
        .union(Letter.objects.filter(premises__in=ever_owned).order_by().values("pk"))
    )
    return (
        Letter.objects.published()
        .filter(pk__in=candidates)
        .annotate(published_on=TruncDate("published_at"))
        .filter(
            Q(recipient=user)
            | (Q(premises__in=owned_premises_for_user(user)) & Q(Exists(held_when_published)))
        )
        .annotate(is_unread=~Exists(LetterOpening.objects.filter(letter=OuterRef("pk"), user=user)))
        .select_related("premises__building")
        .order_by("-published_at", "-pk")
    )


def letter_detail_for_user(user) -> QuerySet[Letter]:
    return letters_for_user(user).prefetch_related("attachments")


def threads_for_user(user) -> QuerySet[Thread]:
    """The user's own messages to the office (co-owners do not read each other's)."""
    if not user.is_authenticated:
        return Thread.objects.none()
    return Thread.objects.filter(author=user).select_related("premises__building")


def thread_detail_for_user(user) -> QuerySet[Thread]:
    messages = ThreadMessage.objects.select_related("author").prefetch_related("attachments")
    return threads_for_user(user).prefetch_related(Prefetch("messages", queryset=messages))


# --- Recipients and consents ------------------------------------------------------------------


def premises_recipients(premises_ids, on: datetime.date | None = None) -> dict[int, object]:
    """The person who receives each premises' letters: the designated co-owner, else an owner.

    Tenants never receive the premises' letters. Premises without an owner are left out.
    """
    holders = (
        Ownership.objects.current(on)
        .filter(premises_id__in=list(premises_ids), role__in=Ownership.OWNER_ROLES)
        .select_related("user")
        .order_by("premises_id", "-is_correspondence_recipient", "valid_from", "pk")
    )
    recipients: dict[int, object] = {}
    for ownership in holders:
        recipients.setdefault(ownership.premises_id, ownership.user)
    return recipients


def valid_consent(*, user, premises, channel: str, on: datetime.date | None = None):
    """The user's active consent for the premises and channel, if the user still owns it."""
    return valid_consents([(user.pk, premises.pk)], channel=channel, on=on).get(
        (user.pk, premises.pk)
    )


def valid_consents(
    pairs, *, channel: str, on: datetime.date | None = None
) -> dict[tuple[int, int], DeliveryConsent]:
    """``valid_consent`` for many ``(user id, premises id)`` pairs at once (one query): the
    earliest active consent of each pair whose user owns the premises on ``on``."""
    pairs = set(pairs)
    if not pairs:
        return {}
    owner_then = Ownership.objects.current(on).filter(
        premises=OuterRef("premises"), user=OuterRef("user"), role__in=Ownership.OWNER_ROLES
    )
    consents = (
        DeliveryConsent.objects.active()
        .filter(
            channel=channel,
            user__in={user_id for user_id, _premises_id in pairs},
            premises__in={premises_id for _user_id, premises_id in pairs},
        )
        .filter(Exists(owner_then))
        .order_by("given_at", "pk")
    )
    found: dict[tuple[int, int], DeliveryConsent] = {}
    for consent in consents:
        key = (consent.user_id, consent.premises_id)
        if key in pairs:
            found.setdefault(key, consent)
    return found


def consents_for_user(user) -> QuerySet[DeliveryConsent]:
    return DeliveryConsent.objects.filter(
        user=user, premises__in=premises_for_user(user)
    ).select_related("premises__building")


def email_consents_for_user(user, *, contact_email: str) -> list[DeliveryConsent]:
    """The user's active e-delivery consents, each with ``differs``: not their contact e-mail."""
    consents = list(
        consents_for_user(user)
        .filter(channel=DeliveryConsent.Channel.EMAIL, withdrawn_at__isnull=True)
        .order_by("premises__building__street", "premises__number")
    )
    for consent in consents:
        consent.differs = consent.address.lower() != (contact_email or "").lower()
    return consents


def consent_overview_for_user(user) -> list[dict]:
    """Per premises the user holds: may they consent, who receives, and active consents."""
    premises_list = list(premises_for_user(user).order_by("building__street", "number"))
    ids = [p.pk for p in premises_list]
    recipients = premises_recipients(ids)
    my_roles = {
        o.premises_id: o.role
        for o in Ownership.objects.current().filter(user=user, premises_id__in=ids)
    }
    active = {
        (c.premises_id, c.channel): c
        for c in DeliveryConsent.objects.active().filter(user=user, premises_id__in=ids)
    }
    rows = []
    for premises in premises_list:
        recipient = recipients.get(premises.pk)
        is_owner = my_roles.get(premises.pk) in Ownership.OWNER_ROLES
        rows.append(
            {
                "premises": premises,
                "is_owner": is_owner,
                "recipient": recipient,
                "is_recipient": recipient is not None and recipient.pk == user.pk,
                "email": active.get((premises.pk, "email")),
                "sms": active.get((premises.pk, "sms")),
            }
        )
    return rows


def sms_consents_of_users(
    user_ids, *, on: datetime.date | None = None
) -> dict[int, list[DeliveryConsent]]:
    """The valid SMS consents of many people (one query): per user id, their active SMS
    consents for premises they own on ``on``, earliest first, each with ``building_id`` and
    ``community_id`` of its premises. ``notifications.services.sms_addresses`` picks from them
    the one a message may go to."""
    user_ids = set(user_ids)
    if not user_ids:
        return {}
    owner_then = Ownership.objects.current(on).filter(
        premises=OuterRef("premises"), user=OuterRef("user"), role__in=Ownership.OWNER_ROLES
    )
    consents = (
        DeliveryConsent.objects.active()
        .filter(channel="sms", user__in=user_ids)
        .filter(Exists(owner_then))
        .annotate(
            building_id=F("premises__building_id"),
            community_id=F("premises__building__community_id"),
        )
        .only("pk", "user", "premises", "address")
        .order_by("given_at", "pk")
    )
    found: dict[int, list[DeliveryConsent]] = defaultdict(list)
    for consent in consents:
        found[consent.user_id].append(consent)
    return dict(found)


def sms_recipients(*, community, building=None, premises_ids=None) -> list[DeliveryConsent]:
    """Active SMS consents of current owners in a community or building (one per phone)."""
    today = timezone.localdate()
    consents = (
        DeliveryConsent.objects.active()
        .filter(channel="sms", premises__building__community=community)
        .filter(
            Exists(
                Ownership.objects.current(today).filter(
                    premises=OuterRef("premises"),
                    user=OuterRef("user"),
                    role__in=Ownership.OWNER_ROLES,
                )
            )
        )
        .select_related("user", "premises")
        .order_by("given_at", "pk")
    )
    if building is not None:
        consents = consents.filter(premises__building=building)
    if premises_ids is not None:
        consents = consents.filter(premises_id__in=list(premises_ids))
    seen, unique = set(), []
    for consent in consents:
        phone = "".join(ch for ch in consent.address if ch.isdigit())
        if phone not in seen:
            seen.add(phone)
            unique.append(consent)
    return unique
