"""The one way the portal sends e-mail and SMS: through the outbox.

A message is a row written in the caller's transaction; after commit a task sends it. A failure
is recorded and retried with back-off (``retry_due_messages``); after
``NOTIFICATIONS_MAX_ATTEMPTS`` attempts the message is marked failed and shows up in admin.
"""

import datetime
import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone

from premises.models import Community

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
SMS_MAX_LENGTH = 459  # three concatenated parts with Polish characters (3 × 153 GSM / UCS-2)


def backoff_delay(attempts: int) -> datetime.timedelta:
    return BACKOFF[min(attempts, len(BACKOFF)) - 1]


def _enqueue_after_commit(message_id: int) -> None:
    from .tasks import send_message  # tasks import services; imported here to avoid a cycle

    transaction.on_commit(lambda: send_message.enqueue(message_id=message_id))


def _render_optional(template_name: str, context: dict) -> str:
    try:
        return render_to_string(template_name, context)
    except TemplateDoesNotExist:
        return ""


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
) -> Message:
    """Store one outgoing message and hand it to the sending task after commit."""
    if community is None and isinstance(getattr(related, "community", None), Community):
        community = related.community
    message = Message.objects.create(
        recipient=recipient,
        community=community,
        channel=channel,
        to_address=to_address.strip(),
        subject=subject[:255],
        body=body[:SMS_MAX_LENGTH] if channel == Message.Channel.SMS else body,
        body_html=body_html,
        content_type=ContentType.objects.get_for_model(related) if related is not None else None,
        object_id=related.pk if related is not None else None,
        next_attempt_at=timezone.now(),
    )
    _enqueue_after_commit(message.pk)
    return message


def notify_user(
    *,
    user,
    template: str,
    context: dict,
    related=None,
    channels: Iterable[str] = (Message.Channel.EMAIL,),
    community=None,
) -> list[Message]:
    """Queue ``user`` the message rendered from ``<template>_subject.txt`` / ``_body.txt``.

    An optional ``<template>_body.html`` becomes the HTML part; SMS uses ``<template>_sms.txt``.
    A channel the user has no address for is skipped.
    """
    context = {**context, "user": user}
    messages = []
    for channel in channels:
        if channel == Message.Channel.EMAIL and user.email:
            messages.append(
                message_queue(
                    channel=channel,
                    to_address=user.email,
                    subject=render_to_string(f"{template}_subject.txt", context).strip(),
                    body=render_to_string(f"{template}_body.txt", context),
                    body_html=_render_optional(f"{template}_body.html", context),
                    recipient=user,
                    related=related,
                    community=community,
                )
            )
        elif channel == Message.Channel.SMS and user.phone:
            messages.append(
                message_queue(
                    channel=channel,
                    to_address=user.phone,
                    body=render_to_string(f"{template}_sms.txt", context).strip(),
                    recipient=user,
                    related=related,
                    community=community,
                )
            )
    return messages


def notify_sms(
    *, user, to_address: str, template: str, context: dict, related=None, community=None
) -> Message:
    """Queue ``user`` an SMS from ``<template>_sms.txt`` to a number they consented with."""
    return message_queue(
        channel=Message.Channel.SMS,
        to_address=to_address,
        body=render_to_string(f"{template}_sms.txt", {**context, "user": user}).strip(),
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


def _send_now(message: Message) -> str:
    if message.channel == Message.Channel.SMS:
        return get_sms_backend().send(to=message.to_address, text=message.body)
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_address],
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    email.send(fail_silently=False)
    return ""


@transaction.atomic
def message_send(*, message_id: int) -> Message | None:
    """Make one attempt to send a queued message and record the outcome. Never raises."""
    message = Message.objects.select_for_update().filter(pk=message_id).first()
    if message is None or message.status != Message.Status.QUEUED:
        return message  # already sent, failed for good, or deleted: nothing to do
    now = timezone.now()
    message.attempts += 1
    try:
        message.provider_id = _send_now(message)[:100]
    except Exception as exc:  # any backend error: keep the message and retry it later
        logger.warning("Sending message %s failed: %s", message.pk, exc)
        message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if message.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
            message.status = Message.Status.FAILED
            message.next_attempt_at = None
        else:
            message.next_attempt_at = now + backoff_delay(message.attempts)
    else:
        message.status = Message.Status.SENT
        message.sent_at = now
        message.next_attempt_at = None
        message.last_error = ""
    message.save()
    return message


def messages_retry_due(*, now: datetime.datetime | None = None) -> int:
    """Send again every queued message whose next attempt is due; returns how many."""
    ids = list(Message.objects.due(now).values_list("pk", flat=True)[:1000])
    for message_id in ids:
        message_send(message_id=message_id)
    return len(ids)


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
        )
    message.status = Message.Status.QUEUED
    message.attempts = 0
    message.next_attempt_at = timezone.now()
    message.save(update_fields=["status", "attempts", "next_attempt_at"])
    _enqueue_after_commit(message.pk)
    return message
