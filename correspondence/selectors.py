"""Reads of correspondence. Every resident query builds on ``premises_for_user``."""

import datetime
from collections import defaultdict

from django.db.models import (
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from premises.models import Ownership, Premises
from premises.selectors import held_roles_for_user, premises_for_user

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


def _day_start(day: datetime.date) -> datetime.datetime:
    """Midnight of ``day`` in the current time zone: a letter's publication day (its local
    date) is on or after ``day`` exactly when it was published at or after this instant."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def owner_windows(rows, *, today: datetime.date) -> dict[int, list[tuple]]:
    """``{premises_id: [(from, until), ...]}``: the instants between which a premises' letters
    were published while the user owned it, for each premises the user owns today.

    ``rows`` are the user's owner roles (owner, co-owner, member) as ``(premises_id,
    valid_from, valid_to)``. A premises' letters from before the user held it (e.g. to the
    seller) stay private, and a seller sees none of them once the role has ended. ``until`` is
    None for an open role.
    """
    spans: dict[int, list[tuple]] = defaultdict(list)
    for premises_id, valid_from, valid_to in rows:
        spans[premises_id].append((valid_from, valid_to))
    windows = {}
    for premises_id, periods in spans.items():
        if not any(start <= today and (end is None or end >= today) for start, end in periods):
            continue
        windows[premises_id] = [
            (
                _day_start(start),
                None if end is None else _day_start(end + datetime.timedelta(days=1)),
            )
            for start, end in periods
        ]
    return windows


def _visible_letters(user) -> QuerySet[Letter]:
    """The published letters ``letters_for_user`` shows, unordered and not annotated."""
    rows = [
        (premises_id, valid_from, valid_to)
        for premises_id, role, valid_from, valid_to in held_roles_for_user(user)
        if role in Ownership.OWNER_ROLES
    ]
    windows = owner_windows(rows, today=timezone.localdate())
    # One term per period shared by several premises (a landlord's 40 usually share one).
    by_window: dict[tuple, list[int]] = defaultdict(list)
    for premises_id, premises_windows in windows.items():
        for window in premises_windows:
            by_window[window].append(premises_id)
    owned = Q(pk__in=[])
    for (start, until), premises_ids in by_window.items():
        term = Q(premises_id__in=sorted(premises_ids), published_at__gte=start)
        if until is not None:
            term &= Q(published_at__lt=until)
        owned |= term
    visible = Q(recipient=user)
    if by_window:
        # Another person's letter only when it went to an owner of the premises: never the
        # seller's after the sale (their settlement or payment demand), never the tenant's.
        visible |= owned & Exists(_recipient_owned_it_then()) & ~Q(kind__in=Letter.PERSONAL_KINDS)
    letters = Letter.objects.published()
    if by_window:
        letters = letters.alias(published_on=TruncDate("published_at"))
    return letters.filter(visible)


def _recipient_owned_it_then() -> QuerySet[Ownership]:
    """An owner role (owner, co-owner, member) of the outer letter's recipient on its premises
    on the day the letter was published (``published_on``)."""
    day = OuterRef("published_on")
    return Ownership.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        user=OuterRef("recipient"),
        premises=OuterRef("premises"),
        role__in=Ownership.OWNER_ROLES,
        valid_from__lte=day,
    )


# NULLS LAST (published letters have none): with the published_at index's order on offer,
# PostgreSQL read every letter backwards to find a page of a landlord's.
LETTER_ORDER = (F("published_at").desc(nulls_last=True), F("pk").desc())


def _for_list(letters: QuerySet[Letter], user) -> QuerySet[Letter]:
    return (
        letters.annotate(
            is_unread=~Exists(LetterOpening.objects.filter(letter=OuterRef("pk"), user=user))
        )
        .select_related("premises__building")
        .order_by(*LETTER_ORDER)
    )


def letters_for_user(user) -> QuerySet[Letter]:
    """Published letters addressed to the user, or to a premises the user owns (co-owners too).

    A tenant sees only letters addressed to them by name; an owner sees the premises' letters
    to its owners published while they owned it (not the seller's after the sale nor the
    tenant's). ``is_unread`` is annotated per user.

    The user's roles are read first (``held_roles_for_user``: one small query, shared with the
    holding starts within a request) and the letters are filtered on
    plain ids and instants: nesting the ownership subqueries (as an EXISTS per letter, a union
    of candidates and the scope's subquery) cost Django more to build than PostgreSQL to run
    (issue 17). Each term is served by the (recipient, published_at) or (premises,
    published_at) index.
    """
    if not user.is_authenticated:
        return Letter.objects.none()
    return _for_list(_visible_letters(user), user)


class LetterPages:
    """``letters_for_user`` as the letter list pages it: ``pages[start:stop]`` reads the
    user's roles, then the page with ``total_rows`` (the count of all the user's letters) on
    each letter in one query, instead of a COUNT and the page (issue 17)."""

    ordered = True  # by LETTER_ORDER

    def __init__(self, user):
        self.user = user

    def count(self) -> int:
        return letters_for_user(self.user).count()

    def __getitem__(self, item: slice) -> list[Letter]:
        if not self.user.is_authenticated:
            return []
        visible = _visible_letters(self.user)
        total = (
            visible.order_by()
            .annotate(total_rows=Func("pk", function="COUNT", output_field=IntegerField()))
            .values("total_rows")
        )
        # The page's ids are picked before its letters are joined to their premises: sorting
        # after the join made PostgreSQL hash every premises of every community first.
        page = visible.order_by(*LETTER_ORDER).values("pk")[item]
        letters = _for_list(Letter.objects.filter(pk__in=page), self.user)
        return list(letters.annotate(total_rows=Subquery(total)))


def letter_pages_for_user(user) -> LetterPages:
    return LetterPages(user)


def letter_detail_for_user(user) -> QuerySet[Letter]:
    return (
        letters_for_user(user)
        .select_related("community", "recipient")
        .prefetch_related("attachments")
    )


def threads_for_user(user) -> QuerySet[Thread]:
    """The user's own messages to the office (co-owners do not read each other's)."""
    if not user.is_authenticated:
        return Thread.objects.none()
    return Thread.objects.filter(author=user).select_related("premises__building")


def thread_detail_for_user(user) -> QuerySet[Thread]:
    messages = ThreadMessage.objects.select_related("author").prefetch_related("attachments")
    return threads_for_user(user).prefetch_related(Prefetch("messages", queryset=messages))


# --- Recipients and consents ------------------------------------------------------------------


def premises_owners(premises_ids, on: datetime.date | None = None) -> dict[int, list]:
    """Every owner, co-owner or member of each premises on ``on`` (1 query), the designated
    correspondence recipient first. Tenants are not owners; premises without one are left out.
    """
    holders = (
        Ownership.objects.current(on)
        .filter(premises_id__in=list(premises_ids), role__in=Ownership.OWNER_ROLES)
        .select_related("user")
        .order_by("premises_id", "-is_correspondence_recipient", "valid_from", "pk")
    )
    owners: dict[int, list] = {}
    for ownership in holders:
        people = owners.setdefault(ownership.premises_id, [])
        if ownership.user not in people:
            people.append(ownership.user)
    return owners


def premises_recipients(premises_ids, on: datetime.date | None = None) -> dict[int, object]:
    """The person who receives each premises' letters: the designated co-owner, else an owner.

    Tenants never receive the premises' letters. Premises without an owner are left out.
    """
    return {pk: people[0] for pk, people in premises_owners(premises_ids, on).items()}


def _of_recipients(consents, on: datetime.date | None = None) -> list[DeliveryConsent]:
    """Only the consents given by the person who receives their premises' correspondence.

    Seed 003: of several co-owners one designated person receives e-mails and/or SMS. A consent
    given while its author was the designee stays on file, but is not used once the office
    designates another co-owner.
    """
    consents = list(consents)
    recipients = premises_recipients({consent.premises_id for consent in consents}, on=on)
    return [
        consent
        for consent in consents
        if getattr(recipients.get(consent.premises_id), "pk", None) == consent.user_id
    ]


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
    for consent in _of_recipients(consents, on):
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
    for consent in _of_recipients(consents, on):
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
    for consent in _of_recipients(consents, today):
        phone = "".join(ch for ch in consent.address if ch.isdigit())
        if phone not in seen:
            seen.add(phone)
            unique.append(consent)
    return unique
