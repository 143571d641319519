"""Letters to residents (with proof of opening), messages to the office, e-delivery consents."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from documents.validators import validate_document_file
from portal.files import PrivateUploadTo


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("SMS")


class FeeNoticeRun(models.Model):
    """One generation of "zawiadomienia o wysokości opłat" for a community, from a date."""

    community = models.ForeignKey(
        "premises.Community", verbose_name=_("wspólnota"), on_delete=models.PROTECT
    )
    effective_from = models.DateField(
        _("opłaty obowiązują od"),
        help_text=_("Zawiadomienia obejmują naliczenia lokali za miesiąc tej daty."),
    )
    note = models.TextField(
        _("treść pisma"),
        blank=True,
        help_text=_("Krótki tekst nad zestawieniem opłat, np. podstawa zmiany (uchwała)."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utworzył(a)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("utworzono"), default=timezone.now)
    published_at = models.DateTimeField(_("opublikowano"), null=True, blank=True)

    class Meta:
        verbose_name = _("zawiadomienia o opłatach")
        verbose_name_plural = _("zawiadomienia o opłatach")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.community} – {self.effective_from:%d.%m.%Y}"


def email_failed_for_good(letter=None) -> Q:
    """The outer letter's (``letter``: a reference to its id, ``OuterRef("pk")`` by default)
    e-mail failed for good: a failed attempt and none under way or delivered. Such a letter
    reached nobody and goes by post."""
    from django.contrib.contenttypes.models import ContentType

    from notifications.models import Message

    mails = Message.objects.filter(
        content_type=ContentType.objects.get_for_model(Letter),
        object_id=OuterRef("pk") if letter is None else letter,
        channel=Message.Channel.EMAIL,
    )
    return Exists(mails.filter(status=Message.Status.FAILED)) & ~Exists(
        mails.exclude(status=Message.Status.FAILED)
    )


class LetterQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_at__isnull=False, published_at__lte=timezone.now())

    def by_post(self):
        """Letters that go by post: those sent by post, and those whose e-mail failed for
        good with no other attempt under way or delivered (the letter still has to reach its
        addressee: nothing is silently dropped)."""
        return self.filter(
            Q(delivery_channel=Letter.Channel.POST)
            | Q(delivery_channel=Letter.Channel.EMAIL) & email_failed_for_good()
        )

    def to_print(self):
        """Published letters to print and post (``by_post``), not printed yet."""
        return self.published().by_post().filter(printed_at=None)


class Letter(models.Model):
    class Kind(models.TextChoices):
        FEE_NOTICE = "fee_notice", _("zawiadomienie o opłatach")
        PAYMENT_DEMAND = "payment_demand", _("wezwanie do zapłaty")
        SETTLEMENT = "settlement", _("rozliczenie")
        INFORMATION = "information", _("informacja")
        RESOLUTION_NOTICE = "resolution", _("zawiadomienie o treści uchwały")
        OTHER = "other", _("inne")

    # Letters each owner gets their own copy of (art. 23 ust. 3 uwl: every owner is notified):
    # only the addressee reads one, so a co-owner does not see the same letter twice.
    PERSONAL_KINDS = (Kind.RESOLUTION_NOTICE,)

    class Channel(models.TextChoices):
        POST = "post", _("poczta")
        EMAIL = "email", _("e-mail")

    class Reason(models.TextChoices):
        CONSENT = "consent", _("ważna zgoda na e-doręczenie, minęło 14 dni od jej wyrażenia")
        NO_CONSENT = "no_consent", _("adresat nie wyraził zgody na e-doręczenie")
        CONSENT_TOO_RECENT = "consent_recent", _("od wyrażenia zgody nie minęło 14 dni")
        DISABLED = "disabled", _("e-doręczenia są wyłączone we wspólnocie")
        NOT_STARTED = "not_started", _("e-doręczenia nie zostały jeszcze uruchomione")
        BEFORE_START = "before_start", _("pismo utworzone przed początkiem e-doręczeń")
        PAYMENT_DEMAND = "payment_demand", _("wezwania do zapłaty wysyłane są pocztą")

    community = models.ForeignKey(
        "premises.Community", verbose_name=_("wspólnota"), on_delete=models.PROTECT
    )
    premises = models.ForeignKey(
        "premises.Premises",
        verbose_name=_("lokal"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="letters",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("adresat"),
        on_delete=models.PROTECT,
        related_name="letters",
    )
    kind = models.CharField(_("rodzaj"), max_length=20, choices=Kind.choices)
    subject = models.CharField(_("temat"), max_length=200)
    body = models.TextField(_("treść"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utworzył(a)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("utworzono"), default=timezone.now)
    published_at = models.DateTimeField(
        _("opublikowano"),
        null=True,
        blank=True,
        help_text=_("Pismo widzi mieszkaniec i jest wysyłane dopiero po publikacji."),
    )
    first_opened_at = models.DateTimeField(
        _("pierwsze otwarcie przez adresata"),
        null=True,
        blank=True,
        help_text=_("Potwierdzenie doręczenia elektronicznego."),
    )
    delivery_channel = models.CharField(
        _("doręczenie"), max_length=10, choices=Channel.choices, blank=True
    )
    delivery_reason = models.CharField(
        _("powód wyboru doręczenia"), max_length=20, choices=Reason.choices, blank=True
    )
    delivery_address = models.CharField(_("adres e-mail doręczenia"), max_length=254, blank=True)
    printed_at = models.DateTimeField(_("wydrukowano do wysyłki"), null=True, blank=True)
    fee_notice_run = models.ForeignKey(
        FeeNoticeRun,
        verbose_name=_("zawiadomienia o opłatach"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="letters",
    )
    outbox_messages = GenericRelation("notifications.Message")

    objects = LetterQuerySet.as_manager()

    class Meta:
        verbose_name = _("pismo")
        verbose_name_plural = _("pisma (korespondencja)")
        ordering = ["-published_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "published_at"]),
            models.Index(fields=["premises", "published_at"]),
            models.Index(fields=["community", "delivery_channel", "printed_at"]),
            # The admin list's order, newest first (issue 17).
            models.Index(fields=["published_at", "id"], name="letter_published_at_id"),
        ]

    def __str__(self):
        return self.subject


class LetterOpening(models.Model):
    """Who opened a letter and when; the recipient's first opening is the proof of delivery."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="openings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    opened_at = models.DateTimeField(_("otwarto"), default=timezone.now)

    class Meta:
        verbose_name = _("otwarcie pisma")
        verbose_name_plural = _("otwarcia pism")
        constraints = [
            models.UniqueConstraint(fields=["letter", "user"], name="one_opening_per_user")
        ]

    def __str__(self):
        return f"{self.letter} – {self.user} – {self.opened_at:%d.%m.%Y %H:%M}"


class LetterAttachment(models.Model):
    letter = models.ForeignKey(
        Letter, verbose_name=_("pismo"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(
        _("plik"), upload_to=PrivateUploadTo("letters"), validators=[validate_document_file]
    )
    name = models.CharField(_("nazwa pliku"), max_length=200)
    size = models.PositiveIntegerField(_("rozmiar"), default=0)

    class Meta:
        verbose_name = _("załącznik pisma")
        verbose_name_plural = _("załączniki pisma")
        ordering = ["pk"]

    def __str__(self):
        return self.name


class Thread(models.Model):
    """A resident's message to the office and the replies (wiadomość do biura)."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("czeka na odpowiedź")
        ANSWERED = "answered", _("odpowiedziano")
        CLOSED = "closed", _("zamknięta")

    community = models.ForeignKey(
        "premises.Community", verbose_name=_("wspólnota"), on_delete=models.PROTECT
    )
    premises = models.ForeignKey(
        "premises.Premises",
        verbose_name=_("lokal"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mieszkaniec"),
        on_delete=models.PROTECT,
        related_name="correspondence_threads",
    )
    subject = models.CharField(_("temat"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.WAITING
    )
    created_at = models.DateTimeField(_("utworzono"), default=timezone.now)
    last_message_at = models.DateTimeField(_("ostatnia wiadomość"), default=timezone.now)

    class Meta:
        verbose_name = _("wiadomość do biura")
        verbose_name_plural = _("wiadomości do biura")
        ordering = ["-last_message_at", "-pk"]
        indexes = [
            models.Index(fields=["author", "last_message_at"]),
            models.Index(fields=["community", "status"]),
        ]

    def __str__(self):
        return self.subject


class ThreadMessage(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("autor"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    from_office = models.BooleanField(_("od biura"), default=False)
    body = models.TextField(_("treść"))
    created_at = models.DateTimeField(_("wysłano"), default=timezone.now)

    class Meta:
        verbose_name = _("wiadomość w wątku")
        verbose_name_plural = _("wiadomości w wątku")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.body[:60]


class ThreadAttachment(models.Model):
    message = models.ForeignKey(ThreadMessage, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("plik"), upload_to=PrivateUploadTo("messages"))
    name = models.CharField(_("nazwa pliku"), max_length=200)
    size = models.PositiveIntegerField(_("rozmiar"), default=0)

    class Meta:
        verbose_name = _("załącznik wiadomości")
        verbose_name_plural = _("załączniki wiadomości")
        ordering = ["pk"]

    def __str__(self):
        return self.name


class DeliveryConsentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(withdrawn_at__isnull=True)


class DeliveryConsent(models.Model):
    """An owner's consent to receive the premises' correspondence by e-mail or notices by SMS."""

    Channel = Channel

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("osoba"),
        on_delete=models.PROTECT,
        related_name="delivery_consents",
    )
    premises = models.ForeignKey(
        "premises.Premises",
        verbose_name=_("lokal"),
        on_delete=models.PROTECT,
        related_name="delivery_consents",
    )
    channel = models.CharField(_("kanał"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("adres e-mail / telefon"), max_length=254)
    consent_text = models.TextField(_("treść zgody"))
    given_at = models.DateTimeField(_("wyrażono"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("wycofano"), null=True, blank=True)

    objects = DeliveryConsentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("zgoda na e-doręczenia / SMS")
        verbose_name_plural = _("zgody na e-doręczenia / SMS")
        ordering = ["-given_at"]
        indexes = [models.Index(fields=["premises", "channel", "withdrawn_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "premises", "channel"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_active_consent_per_channel",
            )
        ]

    def __str__(self):
        return f"{self.user} – {self.premises} – {self.get_channel_display()}"


class SmsNotice(models.Model):
    """An SMS sent from the office to a building or a community (failures, reminders)."""

    class Kind(models.TextChoices):
        FAILURE = "failure", _("awaria")
        INTERRUPTION = "interruption", _("przerwa w dostawie mediów")
        PAYMENT_REMINDER = "payment_reminder", _("przypomnienie o płatności (zaległości)")
        OTHER = "other", _("inny komunikat")

    community = models.ForeignKey(
        "premises.Community", verbose_name=_("wspólnota"), on_delete=models.PROTECT
    )
    building = models.ForeignKey(
        "premises.Building",
        verbose_name=_("budynek"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("Puste: wszystkie budynki wspólnoty."),
    )
    kind = models.CharField(_("rodzaj"), max_length=20, choices=Kind.choices)
    text = models.TextField(
        _("treść SMS"),
        max_length=459,
        help_text=_("Do 459 znaków (3 części SMS). Nie wpisuj danych osobowych."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("wysłał(a)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("wysłano"), default=timezone.now)
    recipients_count = models.PositiveIntegerField(_("liczba adresatów"), default=0)
    outbox_messages = GenericRelation("notifications.Message")

    class Meta:
        verbose_name = _("komunikat SMS")
        verbose_name_plural = _("komunikaty SMS")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.created_at:%d.%m.%Y %H:%M}"
