"""Announcements and resolutions of a community, with share-weighted voting."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from documents.validators import validate_document_file, validate_pdf_file
from portal.files import PrivateUploadTo

# Art. 25 ustawy o własności lokali: six weeks to challenge a resolution in court.
CHALLENGE_PERIOD = datetime.timedelta(weeks=6)


class Source(models.TextChoices):
    OFFICE = "office", _("biuro zarządcy")
    BOARD = "board", _("zarząd wspólnoty")


class AnnouncementQuerySet(models.QuerySet):
    def current(self, now: datetime.datetime | None = None):
        """Published and not yet expired."""
        now = now or timezone.now()
        return self.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now), publish_at__lte=now)


class Announcement(models.Model):
    community = models.ForeignKey(
        "premises.Community",
        verbose_name=_("wspólnota"),
        on_delete=models.CASCADE,
        related_name="announcements",
    )
    building = models.ForeignKey(
        "premises.Building",
        verbose_name=_("budynek"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="announcements",
        help_text=_("Puste: ogłoszenie dla całej wspólnoty."),
    )
    source = models.CharField(_("od"), max_length=10, choices=Source.choices, default=Source.OFFICE)
    title = models.CharField(_("tytuł"), max_length=200)
    body = models.TextField(_("treść"))
    pinned = models.BooleanField(_("przypięte"), default=False)
    publish_at = models.DateTimeField(_("publikacja od"), default=timezone.now)
    expires_at = models.DateTimeField(_("wygasa"), null=True, blank=True)
    notified_at = models.DateTimeField(_("mieszkańcy powiadomieni"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dodał(a)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("utworzono"), default=timezone.now)

    objects = AnnouncementQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ogłoszenie")
        verbose_name_plural = _("ogłoszenia")
        ordering = ["-pinned", "-publish_at", "-pk"]
        indexes = [
            models.Index(fields=["community", "publish_at", "expires_at"]),
            models.Index(fields=["notified_at", "publish_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(expires_at__gt=models.F("publish_at")),
                name="announcement_expires_after_publish",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if (
            self.building_id
            and self.community_id
            and self.building.community_id != self.community_id
        ):
            raise ValidationError({"building": _("Budynek nie należy do wybranej wspólnoty.")})
        if self.expires_at and self.publish_at and self.expires_at <= self.publish_at:
            raise ValidationError(
                {"expires_at": _("Data wygaśnięcia musi być późniejsza niż data publikacji.")}
            )


class AnnouncementAttachment(models.Model):
    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="attachments"
    )
    name = models.CharField(_("nazwa"), max_length=200)
    file = models.FileField(
        _("plik"),
        upload_to=PrivateUploadTo("announcements"),
        max_length=200,
        validators=[validate_document_file],
    )

    class Meta:
        verbose_name = _("załącznik")
        verbose_name_plural = _("załączniki")
        ordering = ["pk"]

    def __str__(self):
        return self.name


class AnnouncementRead(models.Model):
    """The user opened the announcement (the "nowe" marker goes away)."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("odczytanie ogłoszenia")
        verbose_name_plural = _("odczytania ogłoszeń")
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "user"], name="unique_announcement_read"
            )
        ]

    def __str__(self):
        return f"{self.user_id} – {self.announcement_id}"


class ResolutionQuerySet(models.QuerySet):
    def open_for_voting(self, now: datetime.datetime | None = None):
        now = now or timezone.now()
        return self.filter(
            Q(voting_opens_at__isnull=True) | Q(voting_opens_at__lte=now),
            Q(voting_closes_at__isnull=True) | Q(voting_closes_at__gt=now),
            status=Resolution.Status.VOTING,
            community__voting_enabled=True,
        )

    def visible(self):
        """What residents see: everything except drafts the office has not shown yet."""
        return self.exclude(status=Resolution.Status.DRAFT, published=False)


class Resolution(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("projekt")
        VOTING = "voting", _("w głosowaniu")
        ADOPTED = "adopted", _("podjęta")
        REJECTED = "rejected", _("niepodjęta")

    CLOSED = (Status.ADOPTED, Status.REJECTED)

    community = models.ForeignKey(
        "premises.Community",
        verbose_name=_("wspólnota"),
        on_delete=models.PROTECT,
        related_name="resolutions",
    )
    number = models.CharField(_("numer"), max_length=30, help_text=_("Np. 3/2026."))
    title = models.CharField(_("tytuł"), max_length=255)
    text = models.TextField(_("treść"), blank=True)
    pdf = models.FileField(
        _("treść w PDF"),
        upload_to=PrivateUploadTo("resolutions"),
        max_length=200,
        blank=True,
        validators=[validate_pdf_file],
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published = models.BooleanField(
        _("projekt widoczny dla mieszkańców"),
        default=True,
        help_text=_("Uchwały w głosowaniu i zamknięte są zawsze widoczne."),
    )
    voting_opens_at = models.DateTimeField(_("głosowanie od"), null=True, blank=True)
    voting_closes_at = models.DateTimeField(_("głosowanie do"), null=True, blank=True)
    decided_on = models.DateField(
        _("data podjęcia / niepodjęcia"),
        null=True,
        blank=True,
        help_text=_("Przy uchwale podjętej na zebraniu: data zebrania."),
    )
    closed_at = models.DateTimeField(_("głosowanie zamknięte"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("zamknął(a)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    notified_at = models.DateTimeField(
        _("właściciele powiadomieni o wyniku"), null=True, blank=True
    )
    result = models.JSONField(
        _("wynik głosowania"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_("Zapis wyniku w chwili zamknięcia głosowania."),
    )
    created_at = models.DateTimeField(_("utworzono"), default=timezone.now)

    objects = ResolutionQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["result"])

    class Meta:
        verbose_name = _("uchwała")
        verbose_name_plural = _("uchwały")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["community", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "number"], name="unique_resolution_number"
            ),
            models.CheckConstraint(
                condition=Q(voting_opens_at__isnull=True)
                | Q(voting_closes_at__isnull=True)
                | Q(voting_closes_at__gt=models.F("voting_opens_at")),
                name="resolution_voting_dates_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.number} – {self.title}"

    def clean(self):
        if (
            self.voting_opens_at
            and self.voting_closes_at
            and self.voting_closes_at <= self.voting_opens_at
        ):
            raise ValidationError(
                {"voting_closes_at": _("Koniec głosowania musi być po jego rozpoczęciu.")}
            )

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED

    def is_open(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return (
            self.status == self.Status.VOTING
            and (self.voting_opens_at is None or self.voting_opens_at <= now)
            and (self.voting_closes_at is None or now < self.voting_closes_at)
        )

    @property
    def challenge_deadline(self) -> datetime.date | None:
        """Last day to challenge an adopted resolution in court: six weeks from notice."""
        if self.status != self.Status.ADOPTED:
            return None
        if self.notified_at:
            start = timezone.localdate(self.notified_at)
        elif self.decided_on:
            start = self.decided_on
        else:
            return None
        return start + CHALLENGE_PERIOD


class Vote(models.Model):
    class Choice(models.TextChoices):
        FOR = "for", _("za")
        AGAINST = "against", _("przeciw")
        ABSTAIN = "abstain", _("wstrzymuję się")

    class VoteSource(models.TextChoices):
        ONLINE = "online", _("w Strefie Klienta")
        PAPER = "paper", _("karta papierowa")

    resolution = models.ForeignKey(
        Resolution, verbose_name=_("uchwała"), on_delete=models.PROTECT, related_name="votes"
    )
    premises = models.ForeignKey(
        "premises.Premises", verbose_name=_("lokal"), on_delete=models.PROTECT, related_name="votes"
    )
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("głosujący"),
        on_delete=models.PROTECT,
        related_name="votes",
    )
    choice = models.CharField(_("głos"), max_length=10, choices=Choice.choices)
    cast_at = models.DateTimeField(_("oddano"), default=timezone.now)
    source = models.CharField(
        _("sposób oddania"), max_length=10, choices=VoteSource.choices, default=VoteSource.ONLINE
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("wprowadził(a)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    receipt_code = models.CharField(_("kod potwierdzenia"), max_length=20, unique=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("głos")
        verbose_name_plural = _("głosy")
        ordering = ["resolution", "premises"]
        constraints = [
            models.UniqueConstraint(fields=["resolution", "premises"], name="one_vote_per_premises")
        ]

    def __str__(self):
        return f"{self.resolution.number} – {self.premises} – {self.get_choice_display()}"
