"""The outbox: every e-mail and SMS is a stored message, sent (and retried) by a task."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MessageQuerySet(models.QuerySet):
    def due(self, now=None):
        """Messages to (re)try now: queued ones whose attempt time has come, and ones a worker
        claimed for sending but never finished (it crashed) once their claim has expired."""
        now = now or timezone.now()
        return self.filter(
            status__in=[Message.Status.QUEUED, Message.Status.SENDING], next_attempt_at__lte=now
        )

    def for_object(self, obj):
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)


class Message(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", _("e-mail")
        SMS = "sms", _("SMS")

    class Status(models.TextChoices):
        QUEUED = "queued", _("w kolejce")
        SENDING = "sending", _("w trakcie wysyłania")
        SENT = "sent", _("wysłana")
        FAILED = "failed", _("nieudana")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("adresat"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outbox_messages",
    )
    community = models.ForeignKey(
        "premises.Community",
        verbose_name=_("wspólnota"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    channel = models.CharField(_("kanał"), max_length=10, choices=Channel.choices)
    to_address = models.CharField(_("adres / numer"), max_length=254)
    subject = models.CharField(_("temat"), max_length=255, blank=True)
    body = models.TextField(_("treść"))
    body_html = models.TextField(_("treść HTML"), blank=True)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    related = GenericForeignKey("content_type", "object_id")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("próby"), default=0)
    last_error = models.TextField(_("ostatni błąd"), blank=True)
    next_attempt_at = models.DateTimeField(_("następna próba"), null=True, blank=True)
    sent_at = models.DateTimeField(_("wysłano"), null=True, blank=True)
    provider_id = models.CharField(_("identyfikator u operatora"), max_length=100, blank=True)
    unsubscribe_url = models.CharField(
        _("adres rezygnacji z powiadomień"),
        max_length=500,
        blank=True,
        help_text=_("Puste: wiadomość, z której nie można zrezygnować (np. reset hasła)."),
    )
    created_at = models.DateTimeField(_("utworzono"), default=timezone.now)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("wiadomość (e-mail / SMS)")
        verbose_name_plural = _("wiadomości (e-mail / SMS)")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["content_type", "object_id"]),
            # The admin list's order, newest first (issue 17).
            models.Index(fields=["created_at", "id"], name="message_created_at_id"),
            models.Index(fields=["status", "created_at"], name="message_status_created_at"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.to_address}: {self.subject or self.body[:40]}"


class ReminderSent(models.Model):
    """Bookkeeping of automatic reminders, so a daily job never sends the same one twice.

    A reading-window reminder is kept per person and window (``period`` = the opening day);
    a payment reminder per premises and month (``period`` = the first day of the due month).
    """

    class Kind(models.TextChoices):
        READING_WINDOW = "reading_window", _("otwarcie okna odczytów liczników")
        PAYMENT = "payment", _("przypomnienie o terminie płatności")

    kind = models.CharField(_("rodzaj"), max_length=20, choices=Kind.choices)
    period = models.DateField(_("okres"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("osoba"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    premises = models.ForeignKey(
        "premises.Premises",
        verbose_name=_("lokal"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    community = models.ForeignKey(
        "premises.Community",
        verbose_name=_("wspólnota"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("wysłano"), default=timezone.now)

    class Meta:
        verbose_name = _("wysłane przypomnienie")
        verbose_name_plural = _("wysłane przypomnienia")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period", "user"],
                condition=models.Q(premises__isnull=True),
                name="one_personal_reminder_per_period",
            ),
            models.UniqueConstraint(
                fields=["kind", "period", "premises"],
                condition=models.Q(premises__isnull=False),
                name="one_premises_reminder_per_period",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.period:%d.%m.%Y}"
