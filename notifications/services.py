"""The one way the portal sends e-mail and SMS: through the outbox.

A message is a row written in the caller's transaction; after commit a task sends it. A failure
is recorded and retried with back-off (``retry_due_messages``); after
``NOTIFICATIONS_MAX_ATTEMPTS`` attempts the message is marked failed and shows up in admin.
"""

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lib.sms import SmsSize, sms_size, sms_truncate, transliterate_polish
from premises.models import Community
from premises.selectors import company_current

from .models import Message, ReminderSent
from .sms import get_sms_backend

logger = logging.getLogger(__name__)

# Delay before the next attempt after the n-th failed one.
BACKOFF = [
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
    datetime.timedelta(hours=12),
]
# The cap of an SMS is in parts that really go out: 3 parts are 459 characters of plain
# letters but only 201 with Polish ones (UCS-2, 67 a part); see lib/sms.py.
SMS_MAX_PARTS = 3
SMS_MAX_LENGTH = 459  # the longest text three parts can ever hold (GSM 3 × 153)


def backoff_delay(attempts: int) -> datetime.timedelta:
    return BACKOFF[min(attempts, len(BACKOFF)) - 1]


def portal_url(path: str = "/") -> str:
    """An absolute link into the portal, always from ``PORTAL_URL`` (never a request's Host)."""
    return settings.PORTAL_URL.rstrip("/") + path


def sending_lease() -> datetime.timedelta:
    """How long a claimed message is left to its worker before another may take it over."""
    return datetime.timedelta(seconds=max(60.0, 4 * float(settings.EMAIL_TIMEOUT or 10)))


# Messages handed to one sending task when many are queued at once (a reminder run, a batch of
# letters): a task row per 50 messages instead of one per message, yet the work still spreads
# over the workers. Each message is claimed on its own just before it is sent.
SEND_BATCH = 50


def _enqueue_after_commit(message_id: int) -> None:
    from .tasks import send_message  # tasks import services; imported here to avoid a cycle

    transaction.on_commit(lambda: send_message.enqueue(message_id=message_id))


def _enqueue_many_after_commit(message_ids: list[int]) -> None:
    """Hand many stored messages to sending tasks after commit, ``SEND_BATCH`` per task."""
    if len(message_ids) == 1:
        _enqueue_after_commit(message_ids[0])
        return
    if not message_ids:
        return
    from .tasks import send_messages

    def enqueue():
        for start in range(0, len(message_ids), SEND_BATCH):
            send_messages.enqueue(message_ids=message_ids[start : start + SEND_BATCH])

    transaction.on_commit(enqueue)


def render_plain(template_name: str, context: dict) -> str:
    """A template rendered as plain text: no HTML escaping (subjects, text bodies, SMS)."""
    template = get_template(template_name).template
    return template.render(Context(context, autoescape=False))


def email_html_from_text(body: str, *, subject: str = "") -> str:
    """The HTML part of an e-mail that has only a text template: the same text, links clickable."""
    return render_to_string("notifications/email_base.html", {"body": body, "subject": subject})


def sms_prepare(body: str, *, community: Community | None = None) -> str:
    """The SMS text as it will go out: transliterated where the community chose it, and cut
    to what ``SMS_MAX_PARTS`` parts really hold in its encoding."""
    text = body.strip()
    if community is not None and community.sms_transliterate:
        text = transliterate_polish(text)
    return sms_truncate(text, SMS_MAX_PARTS)


def sms_size_for(
    text: str, *, community: Community | None = None, filled_length: int | None = None
) -> SmsSize:
    """The parts ``text`` really costs when sent to ``community``'s residents.

    ``filled_length``: the longest the text can get once placeholders are filled (amounts end
    in "zł", so a filled text is counted as UCS-2 unless the community transliterates).
    """
    prepared = text.strip()
    if community is not None and community.sms_transliterate:
        prepared = transliterate_polish(prepared)
    if filled_length is not None and filled_length > len(prepared):
        filler = "a" if community is not None and community.sms_transliterate else "ł"
        prepared += filler * (filled_length - len(prepared))
    return sms_size(prepared)


@transaction.atomic
def message_queue(
    *,
    channel: str,
    to_address: str,
    body: str,
    subject: str = "",
    body_html: str = "",
    recipient=None,
    related=None,
    community=None,
    unsubscribe_url: str = "",
) -> Message:
    """Store one outgoing message and hand it to the sending task after commit.

    An e-mail always goes with an HTML part (built from the text when it is sent, if none is
    given); an SMS is cut to the parts it may cost.
    """
    message = _message_build(
        channel=channel,
        to_address=to_address,
        body=body,
        subject=subject,
        body_html=body_html,
        recipient=recipient,
        related=related,
        community=community,
        unsubscribe_url=unsubscribe_url,
    )
    message.save()
    _enqueue_after_commit(message.pk)
    return message


def messages_queue_many(items: list[dict]) -> list[Message]:
    """``message_queue`` for many messages (keyword dicts of its arguments): inserted in bulk,
    each handed to the sending task after commit."""
    messages = Message.objects.bulk_create([_message_build(**item) for item in items], 500)
    _enqueue_many_after_commit([message.pk for message in messages])
    return messages


def _message_build(
    *,
    channel: str,
    to_address: str,
    body: str,
    subject: str = "",
    body_html: str = "",
    recipient=None,
    related=None,
    community=None,
    unsubscribe_url: str = "",
) -> Message:
    if community is None and isinstance(getattr(related, "community", None), Community):
        community = related.community
    subject = " ".join(subject.split())[:255]
    if channel == Message.Channel.SMS:
        body = sms_prepare(body, community=community)
    return Message(
        recipient=recipient,
        community=community,
        channel=channel,
        to_address=to_address.strip(),
        subject=subject,
        body=body,
        body_html=body_html,
        content_type=ContentType.objects.get_for_model(related) if related is not None else None,
        object_id=related.pk if related is not None else None,
        next_attempt_at=timezone.now(),
        unsubscribe_url=unsubscribe_url,
    )


@dataclass
class Notice:
    """One thing to tell one person: the arguments of ``notify`` (see there)."""

    user: Any
    template: str
    context: dict
    community: Community | None = None
    building: Any = None
    premises: Any = None  # one premises, or a list of them
    related: Any = None
    sms: bool = False
    unsubscribable: bool = True
    on: datetime.date | None = None


def notify_user(
    *,
    user,
    template: str,
    context: dict,
    related=None,
    community=None,
    unsubscribable: bool = True,
) -> list[Message]:
    """Queue ``user`` the e-mail rendered from ``<template>_subject.txt`` / ``_body.txt``
    (senders call ``notify``, which adds the SMS where a consent allows it).

    An optional ``<template>_body.html`` becomes the HTML part; no e-mail without an address.
    Templates get ``portal_url`` (the portal's address). A notification the person can switch
    off on /profil/ carries a List-Unsubscribe link there (``unsubscribable=False`` for mails
    they cannot refuse).
    """
    return notify(
        user=user,
        template=template,
        context=context,
        related=related,
        community=community,
        unsubscribable=unsubscribable,
    )


def sms_address(*, user, community, building=None, premises=None, on=None) -> str:
    """Where ``user`` may get an SMS about ``community``: the number of their valid SMS
    consent (for ``premises`` or, without it, any premises they own in ``building`` or the
    community), and only while the community has SMS switched on; "" otherwise.

    The one SMS rule of the portal: a profile phone alone never receives an SMS.
    """
    [phone] = sms_addresses(
        [
            Notice(
                user=user,
                template="",
                context={},
                community=community,
                building=building,
                premises=premises,
                sms=True,
                on=on,
            )
        ]
    )
    return phone


def _pk(obj):
    return getattr(obj, "pk", obj)


def sms_addresses(notices: list[Notice]) -> list[str]:
    """``sms_address`` of each notice asking for an SMS ("" for the others), in one query per
    distinct ``on`` day (usually one), however many notices."""
    from correspondence.selectors import sms_consents_of_users  # consents live there

    wanted = [n for n in notices if n.sms and n.community is not None and n.community.sms_enabled]
    consents: dict[datetime.date | None, dict[int, list]] = {}
    for on in {n.on for n in wanted}:
        consents[on] = sms_consents_of_users({n.user.pk for n in wanted if n.on == on}, on=on)
    phones = []
    for notice in notices:
        phone = ""
        if notice.sms and notice.community is not None and notice.community.sms_enabled:
            for consent in consents[notice.on].get(notice.user.pk, []):
                if _consent_fits(consent, notice):
                    phone = consent.address
                    break
        phones.append(phone)
    return phones


def _consent_fits(consent, notice: Notice) -> bool:
    """Whether a valid SMS consent of the notice's person is for the premises it is about: the
    premises given, else any premises of theirs in the building given, else in the community."""
    premises = notice.premises
    if premises is not None and not isinstance(premises, (list, tuple, set)):
        return consent.premises_id == _pk(premises)
    if consent.community_id != notice.community.pk:
        return False
    if notice.building is not None and consent.building_id != _pk(notice.building):
        return False
    return premises is None or consent.premises_id in {_pk(p) for p in premises}


def notify(
    *,
    user,
    template: str,
    context: dict,
    community=None,
    building=None,
    premises=None,
    related=None,
    sms: bool = False,
    unsubscribable: bool = True,
    on=None,
) -> list[Message]:
    """The one entry point for telling a person something: decides the channels.

    An e-mail goes to the person's e-mail address (see ``notify_user``). With ``sms=True``
    (the notice has a ``<template>_sms.txt``) an SMS goes as well, but only to the number
    of a valid SMS consent, and only if the community has SMS on (``sms_address``).
    """
    [messages] = notify_many(
        [
            Notice(
                user=user,
                template=template,
                context=context,
                community=community,
                building=building,
                premises=premises,
                related=related,
                sms=sms,
                unsubscribable=unsubscribable,
                on=on,
            )
        ]
    )
    return messages


def notify_channels(notices: list[Notice]) -> list[list[tuple[str, str]]]:
    """The channel decision of ``notify`` for many notices at once: per notice, the
    ``(channel, address)`` pairs it goes to (empty: nobody to tell). A fixed number of queries."""
    channels = []
    for notice, phone in zip(notices, sms_addresses(notices), strict=True):
        to = []
        # A notification the person switched off on /profil/ goes by no e-mail; letters,
        # answers and their own reports' news (``unsubscribable=False``) always do.
        wanted = not notice.unsubscribable or notice.user.email_notifications
        if notice.user.email and wanted:
            to.append((Message.Channel.EMAIL, notice.user.email))
        if phone:
            to.append((Message.Channel.SMS, phone))
        channels.append(to)
    return channels


@transaction.atomic
def notify_many(
    notices: Iterable[Notice], *, channels: list[list[tuple[str, str]]] | None = None
) -> list[list[Message]]:
    """``notify`` for many notices: the messages of each, stored in bulk and handed to the
    sending tasks after commit (a task per ``SEND_BATCH`` messages). The queries do not grow
    with the number of notices. ``channels``: ``notify_channels(notices)`` if already known.
    """
    notices = list(notices)
    if channels is None:
        channels = notify_channels(notices)
    templates: dict[str, Any] = {}

    def template_of(name: str):
        if name not in templates:
            try:
                templates[name] = get_template(name)
            except TemplateDoesNotExist:
                templates[name] = None
        return templates[name]

    def plain(name: str, context: dict) -> str:
        return template_of(name).template.render(Context(context, autoescape=False))

    unsubscribe_url = ""
    builds: list[tuple[int, Message]] = []
    for index, (notice, to) in enumerate(zip(notices, channels, strict=True)):
        if not to:
            continue
        context = {**notice.context, "user": notice.user, "portal_url": portal_url("")}
        for channel, address in to:
            if channel == Message.Channel.EMAIL:
                html = template_of(f"{notice.template}_body.html")
                if notice.unsubscribable and not unsubscribe_url:
                    unsubscribe_url = portal_url(reverse("accounts:profile") + "#profile-contact")
                message = _message_build(
                    channel=channel,
                    to_address=address,
                    subject=plain(f"{notice.template}_subject.txt", context),
                    body=plain(f"{notice.template}_body.txt", context),
                    body_html=html.render(context) if html is not None else "",
                    recipient=notice.user,
                    related=notice.related,
                    community=notice.community,
                    unsubscribe_url=unsubscribe_url if notice.unsubscribable else "",
                )
            else:
                message = _message_build(
                    channel=channel,
                    to_address=address,
                    body=plain(f"{notice.template}_sms.txt", context),
                    recipient=notice.user,
                    related=notice.related,
                    community=notice.community,
                )
            builds.append((index, message))
    stored = Message.objects.bulk_create([message for _index, message in builds], 500)
    _enqueue_many_after_commit([message.pk for message in stored])
    result: list[list[Message]] = [[] for _notice in notices]
    for (index, _message), message in zip(builds, stored, strict=True):
        result[index].append(message)
    return result


def notify_sms(
    *, user, to_address: str, template: str, context: dict, related=None, community=None
) -> Message:
    """Queue ``user`` an SMS from ``<template>_sms.txt`` to a number they consented with."""
    return message_queue(
        channel=Message.Channel.SMS,
        to_address=to_address,
        body=render_plain(
            f"{template}_sms.txt", {**context, "user": user, "portal_url": portal_url("")}
        ),
        recipient=user,
        related=related,
        community=community,
    )


def reminder_record(
    *, kind: str, period: datetime.date, user=None, premises=None, community=None
) -> ReminderSent | None:
    """Record that a reminder goes out; None when it was already recorded (do not send again).

    The unique constraints decide, so two overlapping runs of a job cannot both send.
    """
    try:
        with transaction.atomic():
            return ReminderSent.objects.create(
                kind=kind, period=period, user=user, premises=premises, community=community
            )
    except IntegrityError:
        return None


def reminders_record(records: list[ReminderSent]) -> list[ReminderSent | None]:
    """``reminder_record`` for many unsaved reminders at once: each saved one, or None where it
    was already recorded (do not send again). Call it in the transaction that queues the
    messages, so a crash leaves both or neither.

    One query finds the recorded ones and one inserts the rest; should an overlapping run
    insert one of them meanwhile, the constraints refuse the insert and each is recorded on
    its own (``reminder_record``), so still nothing goes out twice.
    """
    if not records:
        return []

    def key(record: ReminderSent) -> tuple:
        if record.premises_id is not None:
            return (record.kind, record.period, "premises", record.premises_id)
        return (record.kind, record.period, "user", record.user_id)

    wanted = Q(pk__in=[])
    for kind, period in {(r.kind, r.period) for r in records}:
        same = [r for r in records if (r.kind, r.period) == (kind, period)]
        wanted |= Q(
            kind=kind,
            period=period,
            premises_id__in=[r.premises_id for r in same if r.premises_id is not None],
        ) | Q(
            kind=kind,
            period=period,
            premises__isnull=True,
            user_id__in=[r.user_id for r in same if r.premises_id is None],
        )
    taken = {
        key(r)
        for r in ReminderSent.objects.filter(wanted).only("kind", "period", "premises", "user")
    }
    new = []
    for record in records:
        if key(record) not in taken:
            taken.add(key(record))
            new.append(record)
    saved: dict[int, ReminderSent | None] = {}
    try:
        with transaction.atomic():
            ReminderSent.objects.bulk_create(new, 1000)
        saved = {id(record): record for record in new}
    except IntegrityError:  # an overlapping run recorded some of them meanwhile
        for record in new:
            saved[id(record)] = reminder_record(
                kind=record.kind,
                period=record.period,
                user=record.user,
                premises=record.premises,
                community=record.community,
            )
    return [saved.get(id(record)) for record in records]


def sms_idx(message: Message) -> str:
    """The gateway's idempotency key: a retry of the same message is never sent twice."""
    return f"{settings.SMS_IDX_PREFIX}{message.pk}"


def _send_now(message: Message) -> str:
    """The network I/O of one attempt; runs outside any transaction and holds no lock."""
    if message.channel == Message.Channel.SMS:
        return get_sms_backend().send(
            to=message.to_address, text=message.body, idx=sms_idx(message)
        )
    headers = {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"}
    if message.unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
    company = company_current()
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_address],
        reply_to=[company.email] if company is not None and company.email else None,
        headers=headers,
    )
    # A message stored with text only gets its HTML part now, in the worker: a reminder run
    # storing 20 000 messages does not render 20 000 HTML copies of their text (issue 17).
    email.attach_alternative(
        message.body_html or email_html_from_text(message.body, subject=message.subject),
        "text/html",
    )
    email.send(fail_silently=False)
    return ""


def message_claim(*, message_id: int, now: datetime.datetime | None = None) -> Message | None:
    """Take one message for sending, or None when it is not to be sent (done, or another
    worker has it). A short transaction: the row is locked only while it is marked "sending"
    (rows locked by others are skipped, never waited for); the claim expires after
    ``sending_lease()`` so a crashed worker's message is retried."""
    now = now or timezone.now()
    claimable = Q(status=Message.Status.QUEUED) | Q(
        status=Message.Status.SENDING, next_attempt_at__lte=now
    )
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(skip_locked=True)
            .filter(claimable, pk=message_id)
            .first()
        )
        if message is None:
            return None
        if (
            message.status == Message.Status.SENDING
            and message.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS
        ):
            # Its last attempt's worker never finished (each attempt took the worker down):
            # failed for good rather than claimed again forever; the office sees it in admin.
            Message.objects.filter(pk=message.pk, status=message.status).update(
                status=Message.Status.FAILED,
                next_attempt_at=None,
                last_error=_(
                    "Wysyłka nie zakończyła się przy żadnej z %(attempts)s prób "
                    "(proces wysyłający przerwał pracę)."
                )
                % {"attempts": message.attempts},
            )
            return None
        # Compare-and-set as well, for databases without row locks (SQLite).
        claimed = Message.objects.filter(
            pk=message.pk, status=message.status, attempts=message.attempts
        ).update(
            status=Message.Status.SENDING,
            attempts=message.attempts + 1,
            next_attempt_at=now + sending_lease(),
        )
        if not claimed:
            return None
    message.refresh_from_db()
    return message


def _record_outcome(message: Message, **fields) -> Message:
    # Only if our claim still stands (the lease may have passed to another worker).
    Message.objects.filter(
        pk=message.pk, status=Message.Status.SENDING, attempts=message.attempts
    ).update(**fields)
    message.refresh_from_db()
    return message


def message_send(*, message_id: int, now: datetime.datetime | None = None) -> Message | None:
    """Make one attempt to send a message and record the outcome. Never raises.

    Claim (short transaction), send (no transaction, no lock: a relay that hangs holds up only
    this message, and only until ``EMAIL_TIMEOUT``), record the outcome (short update).
    """
    message = message_claim(message_id=message_id, now=now)
    if message is None:
        return Message.objects.filter(pk=message_id).first()
    return _attempt(message)


def messages_send(*, message_ids: list[int]) -> int:
    """``message_send`` for each of ``message_ids``, one after another; returns how many were
    tried (a message already sent, or held by another worker, is skipped)."""
    tried = 0
    for message_id in message_ids:
        message = message_claim(message_id=message_id)
        if message is not None:
            _attempt(message)
            tried += 1
    return tried


def _attempt(message: Message) -> Message:
    try:
        provider_id = _send_now(message)[:100]
    except Exception as exc:  # any backend error: keep the message and retry it later
        logger.warning("Sending message %s failed: %s", message.pk, exc)
        failed_for_good = message.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS
        return _record_outcome(
            message,
            status=Message.Status.FAILED if failed_for_good else Message.Status.QUEUED,
            next_attempt_at=None
            if failed_for_good
            else timezone.now() + backoff_delay(message.attempts),
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
        )
    return _record_outcome(
        message,
        status=Message.Status.SENT,
        sent_at=timezone.now(),
        next_attempt_at=None,
        last_error="",
        provider_id=provider_id,
    )


def messages_retry_due(*, now: datetime.datetime | None = None) -> int:
    """Send again every message whose next attempt is due; returns how many were tried.

    Messages another worker is sending right now are skipped, never waited for."""
    now = now or timezone.now()
    ids = list(Message.objects.due(now).values_list("pk", flat=True)[:1000])
    tried = 0
    for message_id in ids:
        message = message_claim(message_id=message_id, now=now)
        if message is not None:
            _attempt(message)
            tried += 1
    return tried


@transaction.atomic
def messages_mark_bounced(*, messages: Iterable[Message]) -> int:
    """The office got a sent e-mail back (unknown address, full mailbox): it is failed, so a
    letter it delivered goes back on the list to print and post. SMS and unsent messages are
    left as they are. Returns how many were marked."""
    bounced = Message.objects.filter(
        pk__in=[message.pk for message in messages],
        channel=Message.Channel.EMAIL,
        status=Message.Status.SENT,
    )
    return bounced.update(
        status=Message.Status.FAILED,
        next_attempt_at=None,
        last_error=_("Wiadomość zwrócona przez serwer adresata (oznaczona w biurze)."),
    )


@transaction.atomic
def message_resend(*, message: Message) -> Message:
    """Office's "send again": a failed or waiting message is re-queued, a sent one is copied."""
    if message.status == Message.Status.SENT:
        return message_queue(
            channel=message.channel,
            to_address=message.to_address,
            subject=message.subject,
            body=message.body,
            body_html=message.body_html,
            recipient=message.recipient,
            related=message.related,
            community=message.community,
            unsubscribe_url=message.unsubscribe_url,
        )
    if message.status == Message.Status.SENDING:
        return message  # a worker is sending it right now
    message.status = Message.Status.QUEUED
    message.attempts = 0
    message.next_attempt_at = timezone.now()
    message.save(update_fields=["status", "attempts", "next_attempt_at"])
    _enqueue_after_commit(message.pk)
    return message
