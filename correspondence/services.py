"""Writes of correspondence: letters and their delivery, consents, messages to the office."""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lib.phones import format_phone, normalize_phone
from lib.resubmission import earlier_submission
from lib.workdays import add_days_not_counting_first
from notifications.models import Message
from notifications.services import (
    message_queue,
    messages_queue_many,
    notify,
    portal_url,
    render_plain,
)
from premises.models import Community, Premises

from .models import (
    DeliveryConsent,
    Letter,
    LetterAttachment,
    LetterOpening,
    SmsNotice,
    Thread,
    ThreadAttachment,
    ThreadMessage,
)
from .selectors import (
    owned_premises_for_user,
    premises_recipients,
    sms_recipients,
    valid_consent,
    valid_consents,
)

# Seed 003: "Po złożeniu wniosku jeszcze przez 14 dni otrzymywać możecie Państwo korespondencję
# drogą pocztową."
CONSENT_WAITING_DAYS = 14

CONSENT_TEXTS = {
    DeliveryConsent.Channel.EMAIL: (
        "Wyrażam zgodę na doręczanie mi korespondencji dotyczącej lokalu {premises} "
        "(zawiadomień o opłatach, rozliczeń, informacji i innych pism) drogą elektroniczną na "
        "adres e-mail {address} zamiast pocztą oraz na przetwarzanie tego adresu w tym celu. "
        "Przyjmuję do wiadomości, że przez 14 dni od wyrażenia zgody korespondencja jest "
        "jeszcze wysyłana pocztą, a wezwania do zapłaty mogą być nadal wysyłane pocztą. "
        "Zobowiązuję się niezwłocznie zgłaszać zmianę adresu e-mail. Zgodę mogę w każdej "
        "chwili wycofać."
    ),
    DeliveryConsent.Channel.SMS: (
        "Wyrażam zgodę na otrzymywanie wiadomości SMS dotyczących lokalu {premises} na numer "
        "{address}: przypomnień o płatnościach, informacji o awariach i przerwach w dostawie "
        "mediów oraz innych komunikatów dotyczących budynku, a także na przetwarzanie tego "
        "numeru w tym celu. Zobowiązuję się niezwłocznie zgłaszać zmianę numeru. Zgodę mogę w "
        "każdej chwili wycofać."
    ),
}


def consent_post_until(given_on: datetime.date) -> datetime.date:
    """The last day letters still go by post after an e-mail consent given on ``given_on``.

    Art. 111 §2 k.c.: the day of the consent is not counted, so a consent of 1.09 means post
    until 15.09 (14 full days) and e-mail from 16.09.
    """
    return add_days_not_counting_first(given_on, CONSENT_WAITING_DAYS)


def consent_text(*, channel: str, premises, address: str) -> str:
    label = f"{premises.building.address}, lokal {premises.number}"
    if channel == DeliveryConsent.Channel.SMS:
        address = format_phone(address)
    return CONSENT_TEXTS[channel].format(premises=label, address=address)


# --- Delivery decision ------------------------------------------------------------------------


def delivery_decide(
    *,
    kind: str,
    created_on: datetime.date,
    community: Community,
    consent_given_on: datetime.date | None,
    today: datetime.date,
) -> tuple[str, str]:
    """How a letter goes out and why: ``(Letter.Channel, Letter.Reason)``.

    Electronic only when e-delivery is on in the community, the letter was created on or after
    its start date, it is not a payment demand (unless the community allows those), and the
    14 full days have passed since the recipient's e-mail consent (``consent_post_until``).
    Everything else goes by post.
    """
    post, reason = Letter.Channel.POST, Letter.Reason
    if not community.e_delivery_enabled:
        return post, reason.DISABLED
    if community.e_delivery_start is None:
        return post, reason.NOT_STARTED
    if created_on < community.e_delivery_start:
        return post, reason.BEFORE_START
    if kind == Letter.Kind.PAYMENT_DEMAND and not community.payment_demands_electronic:
        return post, reason.PAYMENT_DEMAND
    if consent_given_on is None:
        return post, reason.NO_CONSENT
    if today <= consent_post_until(consent_given_on):
        return post, reason.CONSENT_TOO_RECENT
    return Letter.Channel.EMAIL, reason.CONSENT


def _consent_for_letter(letter: Letter, today: datetime.date) -> DeliveryConsent | None:
    if letter.premises_id:
        return valid_consent(
            user=letter.recipient,
            premises=letter.premises,
            channel=DeliveryConsent.Channel.EMAIL,
            on=today,
        )
    # A letter to the person rather than a premises: any of their consents in this community.
    for premises in Premises.objects.filter(
        building__community_id=letter.community_id, delivery_consents__user=letter.recipient
    ).distinct():
        consent = valid_consent(
            user=letter.recipient,
            premises=premises,
            channel=DeliveryConsent.Channel.EMAIL,
            on=today,
        )
        if consent:
            return consent
    return None


def _deliver(letter: Letter, now: datetime.datetime) -> Letter:
    today = timezone.localdate(now)
    consent = _consent_for_letter(letter, today)
    channel, reason = delivery_decide(
        kind=letter.kind,
        created_on=timezone.localdate(letter.created_at),
        community=letter.community,
        consent_given_on=timezone.localdate(consent.given_at) if consent else None,
        today=today,
    )
    letter.delivery_channel, letter.delivery_reason = channel, reason
    if channel == Letter.Channel.EMAIL:
        letter.delivery_address = consent.address
        message_queue(**_letter_email(letter))
    else:
        letter.delivery_address = ""
        letter.printed_at = None  # (again) on the list of letters to print and post
    letter.save(
        update_fields=["delivery_channel", "delivery_reason", "delivery_address", "printed_at"]
    )
    return letter


def _letter_email(letter: Letter) -> dict:
    """The e-mail that delivers a letter (to ``letter.delivery_address``), as message_queue's
    arguments."""
    context = {
        "letter": letter,
        "user": letter.recipient,
        "url": portal_url(reverse("correspondence:letter", args=[letter.pk])),
    }
    return {
        "channel": Message.Channel.EMAIL,
        "to_address": letter.delivery_address,
        "subject": render_plain("correspondence/email/letter_subject.txt", context),
        "body": render_plain("correspondence/email/letter_body.txt", context),
        "recipient": letter.recipient,
        "related": letter,
        "community": letter.community,
    }


@dataclass
class LetterDraft:
    """One letter of ``letters_create_published``: to a premises' recipient, with PDFs."""

    premises: Premises
    recipient: object
    kind: str
    subject: str
    body: str = ""
    attachments: list[tuple[str, bytes]] = field(default_factory=list)


@transaction.atomic
def letters_create_published(
    *,
    community: Community,
    drafts: list[LetterDraft],
    created_by=None,
    now=None,
    shared_attachment: tuple[str, bytes] | None = None,
) -> list[Letter]:
    """Many published letters at once, each delivered as ``letter_publish`` delivers one.

    The recipients' e-mail consents are read in one query (``valid_consents``), the channel of
    each letter is ``delivery_decide``'s, letters, attachments and e-mails are inserted in bulk:
    a fixed number of queries for any number of letters (the e-mails' sending tasks are queued
    after commit, one per message, as always). ``shared_attachment``, the same file for every
    letter, is stored once and referenced by each.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    consents = valid_consents(
        [(d.recipient.pk, d.premises.pk) for d in drafts],
        channel=DeliveryConsent.Channel.EMAIL,
        on=today,
    )
    letters = []
    for draft in drafts:
        consent = consents.get((draft.recipient.pk, draft.premises.pk))
        channel, reason = delivery_decide(
            kind=draft.kind,
            created_on=today,
            community=community,
            consent_given_on=timezone.localdate(consent.given_at) if consent else None,
            today=today,
        )
        letters.append(
            Letter(
                community=community,
                premises=draft.premises,
                recipient=draft.recipient,
                kind=draft.kind,
                subject=draft.subject,
                body=draft.body,
                created_by=created_by,
                created_at=now,
                published_at=now,
                delivery_channel=channel,
                delivery_reason=reason,
                delivery_address=consent.address if channel == Letter.Channel.EMAIL else "",
            )
        )
    Letter.objects.bulk_create(letters, batch_size=500)
    attachments = [
        LetterAttachment(
            letter=letter, file=ContentFile(content, name=name), name=name, size=len(content)
        )
        for letter, draft in zip(letters, drafts, strict=True)
        for name, content in draft.attachments
    ]
    if shared_attachment and letters:
        name, content = shared_attachment
        stored = LetterAttachment.objects.create(
            letter=letters[0], file=ContentFile(content, name=name), name=name, size=len(content)
        )
        attachments += [
            LetterAttachment(letter=letter, file=stored.file.name, name=name, size=len(content))
            for letter in letters[1:]
        ]
    LetterAttachment.objects.bulk_create(attachments, batch_size=500)
    messages_queue_many(
        [
            _letter_email(letter)
            for letter in letters
            if letter.delivery_channel == Letter.Channel.EMAIL
        ]
    )
    return letters


@transaction.atomic
def letter_publish(*, letter: Letter, now: datetime.datetime | None = None) -> Letter:
    """Make the letter visible to the resident and send it by e-mail or put it on the post list."""
    now = now or timezone.now()
    if letter.published_at is None:
        letter.published_at = now
        letter.save(update_fields=["published_at"])
    return _deliver(letter, now)


@transaction.atomic
def letter_send_again(*, letter: Letter, now: datetime.datetime | None = None) -> Letter:
    """Office's "send again": decide the channel anew and send by e-mail or post once more."""
    if letter.published_at is None:
        return letter_publish(letter=letter, now=now)
    return _deliver(letter, now or timezone.now())


@transaction.atomic
def letter_create(
    *,
    community: Community,
    recipient,
    kind: str,
    subject: str,
    body: str = "",
    premises: Premises | None = None,
    created_by=None,
    attachments: Iterable[tuple[str, bytes]] = (),
    publish: bool = True,
    fee_notice_run=None,
) -> Letter:
    letter = Letter.objects.create(
        community=community,
        premises=premises,
        recipient=recipient,
        kind=kind,
        subject=subject,
        body=body,
        created_by=created_by,
        fee_notice_run=fee_notice_run,
    )
    for name, content in attachments:
        LetterAttachment.objects.create(
            letter=letter, file=ContentFile(content, name=name), name=name, size=len(content)
        )
    if publish:
        letter_publish(letter=letter)
    return letter


@transaction.atomic
def letter_create_for_owners(
    *,
    community: Community,
    kind: str,
    subject: str,
    body: str,
    created_by=None,
    attachment: tuple[str, bytes] | None = None,
) -> list[Letter]:
    """One published letter per premises of the community, to its designated recipient."""
    premises_list = list(Premises.objects.filter(building__community=community))
    recipients = premises_recipients([p.pk for p in premises_list])
    drafts = [
        LetterDraft(
            premises=premises,
            recipient=recipients[premises.pk],
            kind=kind,
            subject=subject,
            body=body,
        )
        for premises in premises_list
        if premises.pk in recipients
    ]
    return letters_create_published(
        community=community, drafts=drafts, created_by=created_by, shared_attachment=attachment
    )


def letter_open(*, letter: Letter, user, now: datetime.datetime | None = None) -> None:
    """Record that ``user`` opened the letter; the recipient's first opening proves delivery."""
    now = now or timezone.now()
    _opening, created = LetterOpening.objects.get_or_create(
        letter=letter, user=user, defaults={"opened_at": now}
    )
    if created and user.pk == letter.recipient_id and letter.first_opened_at is None:
        Letter.objects.filter(pk=letter.pk, first_opened_at=None).update(first_opened_at=now)
        letter.first_opened_at = now


@transaction.atomic
def letters_mark_printed(*, letters: Sequence[Letter]) -> int:
    return Letter.objects.filter(pk__in=[letter.pk for letter in letters]).update(
        printed_at=timezone.now()
    )


# --- Consents ---------------------------------------------------------------------------------


@transaction.atomic
def consent_give(*, user, premises: Premises, channel: str, address: str) -> DeliveryConsent:
    """Record an owner's consent to e-mail delivery or SMS for one premises."""
    if not owned_premises_for_user(user).filter(pk=premises.pk).exists():
        raise ValidationError(
            _("Zgodę może wyrazić tylko właściciel, współwłaściciel lub członek spółdzielni.")
        )
    recipient = premises_recipients([premises.pk]).get(premises.pk)
    if recipient is not None and recipient.pk != user.pk:
        raise ValidationError(
            _(
                "Korespondencję dla tego lokalu otrzymuje wyznaczony współwłaściciel: %(name)s. "
                "Zmianę osoby zgłoś w biurze."
            )
            % {"name": recipient.get_full_name() or recipient.username}
        )
    if DeliveryConsent.objects.active().filter(user=user, premises=premises, channel=channel):
        raise ValidationError(
            _("Ta zgoda jest już wyrażona. Aby zmienić dane, wycofaj ją i wyraź ponownie.")
        )
    if channel == DeliveryConsent.Channel.SMS:
        address = normalize_phone(address, mobile=True)
    return DeliveryConsent.objects.create(
        user=user,
        premises=premises,
        channel=channel,
        address=address,
        consent_text=consent_text(channel=channel, premises=premises, address=address),
    )


@transaction.atomic
def consents_follow_email_change(*, user, old_email: str, new_email: str) -> list[DeliveryConsent]:
    """The resident changed their contact e-mail: e-mail consents given for the old address follow.

    The consent obliges the resident to report a change of address, and changing it on the
    profile is that report: letters go to the new address from now on (the 14 days of the consent
    are not counted again), and the consent's history keeps the old address. Consents given for
    another address stay as they are; the profile page shows where each one sends.
    """
    if not old_email or not new_email or old_email.lower() == new_email.lower():
        return []
    moved = list(
        DeliveryConsent.objects.active().filter(
            user=user, channel=DeliveryConsent.Channel.EMAIL, address__iexact=old_email
        )
    )
    for consent in moved:
        consent.address = new_email
        consent._change_reason = "Zmiana adresu e-mail w profilu"
        consent.save(update_fields=["address"])
    return moved


@transaction.atomic
def consent_withdraw(*, consent: DeliveryConsent) -> DeliveryConsent:
    if consent.withdrawn_at is None:
        consent.withdrawn_at = timezone.now()
        consent.save(update_fields=["withdrawn_at"])
    return consent


# --- Messages to the office -------------------------------------------------------------------


def _attach(message: ThreadMessage, files) -> None:
    for upload in files or ():
        ThreadAttachment.objects.create(
            message=message, file=upload, name=upload.name[:200], size=upload.size
        )


@transaction.atomic
def thread_start(*, user, premises: Premises, subject: str, body: str, files=()) -> Thread:
    """A resident's message to the office; the same one sent again moments later is the first."""
    now = timezone.now()
    same = Thread.objects.filter(
        author=user, premises=premises, subject=subject, messages__body=body
    )
    already = earlier_submission(same, author=user, at=now)
    if already is not None:
        return already
    thread = Thread.objects.create(
        community=premises.building.community,
        premises=premises,
        author=user,
        subject=subject,
        created_at=now,
        last_message_at=now,
    )
    message = ThreadMessage.objects.create(thread=thread, author=user, body=body, created_at=now)
    _attach(message, files)
    return thread


@transaction.atomic
def thread_reply(*, thread: Thread, user, body: str, files=()) -> ThreadMessage:
    """The resident writes again in their thread (once, however often the form is sent)."""
    now = timezone.now()
    same = thread.messages.filter(author=user, from_office=False, body=body)
    already = earlier_submission(same, author=user, at=now)
    if already is not None:
        return already
    message = ThreadMessage.objects.create(thread=thread, author=user, body=body, created_at=now)
    _attach(message, files)
    thread.status = Thread.Status.WAITING
    thread.last_message_at = now
    thread.save(update_fields=["status", "last_message_at"])
    return message


@transaction.atomic
def thread_office_reply(*, thread: Thread, author, body: str, files=()) -> ThreadMessage:
    """The office answers in the thread; the resident gets an e-mail saying so (once, however
    often the form is sent)."""
    now = timezone.now()
    same = thread.messages.filter(author=author, from_office=True, body=body)
    already = earlier_submission(same, author=author, at=now)
    if already is not None:
        return already
    message = ThreadMessage.objects.create(
        thread=thread, author=author, from_office=True, body=body, created_at=now
    )
    _attach(message, files)
    thread.status = Thread.Status.ANSWERED
    thread.last_message_at = now
    thread.save(update_fields=["status", "last_message_at"])
    notify(
        user=thread.author,
        template="correspondence/email/office_reply",
        context={
            "thread": thread,
            "url": portal_url(reverse("correspondence:thread", args=[thread.pk])),
        },
        related=thread,
        community=thread.community,
        unsubscribable=False,  # the answer the person asked for
    )
    return message


# --- SMS from the office ----------------------------------------------------------------------


@transaction.atomic
def sms_notice_send(*, notice: SmsNotice, premises_ids=None) -> int:
    """Queue the notice to every consenting owner of the building (or community)."""
    consents = sms_recipients(
        community=notice.community, building=notice.building, premises_ids=premises_ids
    )
    for consent in consents:
        message_queue(
            channel=Message.Channel.SMS,
            to_address=consent.address,
            body=notice.text,
            recipient=consent.user,
            related=notice,
            community=notice.community,
        )
    notice.recipients_count = len(consents)
    notice.save(update_fields=["recipients_count"])
    return len(consents)
