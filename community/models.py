"""Announcements and resolutions of a community, with share-weighted voting."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from documents.validators import validate_document_file, validate_pdf_file
from portal.files import PrivateUploadTo

# Art. 25 ust. 1a ustawy o własności lokali: six weeks from the owner's notice to challenge.
CHALLENGE_WEEKS = 6
# The shortest voting period when a community has not set its own (``VotingRules``).
DEFAULT_MIN_VOTING_DAYS = 7


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
        return self.filter(self.open_for_voting_q(now))

    @staticmethod
    def open_for_voting_q(now: datetime.datetime | None = None) -> Q:
        """The condition of ``open_for_voting``, for an annotation on the same rows."""
        now = now or timezone.now()
        return Q(
            Q(voting_opens_at__isnull=True) | Q(voting_opens_at__lte=now),
            Q(voting_closes_at__isnull=True) | Q(voting_closes_at__gt=now),
            status=Resolution.Status.VOTING,
            community__voting_enabled=True,
        )

    def visible(self):
        """What residents see: everything except drafts the office has not shown yet."""
        return self.exclude(status=Resolution.Status.DRAFT, published=False)


class Counting(models.TextChoices):
    """How the votes on one resolution are counted (chosen per resolution, frozen when open)."""

    BY_SHARE = "share", _("według udziałów (art. 23 ust. 2 ustawy o własności lokali)")
    PER_OWNER = (
        "per_owner",
        _(
            "jeden właściciel – jeden głos: z umowy lub uchwały właścicieli (art. 23 ust. 2) albo "
            "na żądanie właścicieli co najmniej 1/5 udziałów (art. 23 ust. 2a ustawy o własności "
            "lokali)"
        ),
    )
    PER_MEMBER = (
        "per_member",
        _("jeden członek – jeden głos (spółdzielnia, art. 36 § 1 prawa spółdzielczego)"),
    )


class Resolution(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("projekt")
        VOTING = "voting", _("w głosowaniu")
        ADOPTED = "adopted", _("podjęta")
        REJECTED = "rejected", _("niepodjęta")
        WITHDRAWN = "withdrawn", _("wycofana")

    CLOSED = (Status.ADOPTED, Status.REJECTED)
    # Once the vote opens these no longer change: owners vote on exactly this.
    FROZEN_FIELDS = (
        "community",
        "number",
        "title",
        "text",
        "pdf",
        "counting",
        "per_owner_demand_premises",
        "per_owner_demand_on",
        "per_owner_basis",
        "voting_opens_at",
        "voting_closes_at",
    )

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
    counting = models.CharField(
        _("sposób liczenia głosów"),
        max_length=20,
        choices=Counting.choices,
        default=Counting.BY_SHARE,
        help_text=_(
            "Ustalany dla tej uchwały i niezmienny od otwarcia głosowania. W spółdzielni: "
            "jeden członek – jeden głos."
        ),
    )
    per_owner_demand_premises = models.ManyToManyField(
        "premises.Premises",
        verbose_name=_("żądanie głosowania „jeden właściciel – jeden głos” – lokale"),
        blank=True,
        related_name="+",
        help_text=_(
            "Lokale, których właściciele zażądali głosowania „jeden właściciel – jeden głos” "
            "w tej sprawie; razem co najmniej 1/5 udziałów."
        ),
    )
    per_owner_demand_on = models.DateField(
        _("data żądania „jeden właściciel – jeden głos”"), null=True, blank=True
    )
    per_owner_basis = models.CharField(
        _("podstawa „jeden właściciel – jeden głos” w umowie lub uchwale"),
        max_length=200,
        blank=True,
        help_text=_(
            "Gdy umowa właścicieli lub ich uchwała stanowi, że w tej sprawie na każdego "
            "właściciela przypada jeden głos (art. 23 ust. 2), np. „uchwała nr 3/2024 z "
            "12.03.2024”. Wtedy żądanie 1/5 udziałów nie jest potrzebne."
        ),
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
    def is_cooperative(self) -> bool:
        return self.community.kind == self.community.Kind.COOPERATIVE


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
        ordering = ["resolution", "premises", "cast_at"]
        constraints = [
            # One online and one paper ballot per person and premises; each is changed (with
            # history) rather than duplicated. Which of them counts is decided by the tally:
            # the latest ballot of a person entitled on the voting day.
            models.UniqueConstraint(
                fields=["resolution", "premises", "voter", "source"],
                name="one_ballot_per_voter_premises_source",
            )
        ]
        indexes = [models.Index(fields=["resolution", "premises", "cast_at"])]

    def __str__(self):
        return f"{self.resolution.number} – {self.premises} – {self.get_choice_display()}"


class CoOwnersProxyQuerySet(models.QuerySet):
    def current(self, on: datetime.date | None = None):
        on = on or timezone.localdate()
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on), valid_from__lte=on)


class CoOwnersProxy(models.Model):
    """Art. 23 ust. 2b: co-owners of a premises vote through one person they appoint in writing.

    Recorded by the office from the written appointment; while it is valid only this person
    votes for the premises (one of the co-owners online, anybody else on a paper ballot).

    The same record serves a single owner's written proxy, and for a premises that never had
    an owner on record the original owner's (the developer's) proxy: its ballot counts for all
    the original owner's premises, one owner (``selectors.original_owner_premises``).
    """

    premises = models.ForeignKey(
        "premises.Premises",
        verbose_name=_("lokal"),
        on_delete=models.PROTECT,
        related_name="co_owners_proxies",
    )
    proxy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pełnomocnik"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    granted_on = models.DateField(_("data pełnomocnictwa"))
    valid_from = models.DateField(_("ważne od"), default=timezone.localdate)
    valid_to = models.DateField(_("ważne do"), null=True, blank=True)
    note = models.CharField(_("uwagi"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("wprowadził(a)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = CoOwnersProxyQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pełnomocnik współwłaścicieli lokalu")
        verbose_name_plural = _("pełnomocnicy współwłaścicieli lokali")
        ordering = ["premises", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="co_owners_proxy_dates_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.premises} – {self.proxy}"


class VotingRules(models.Model):
    """A community's own voting rules (its resolution or statute); absent: the defaults."""

    community = models.OneToOneField(
        "premises.Community",
        verbose_name=_("wspólnota / spółdzielnia"),
        on_delete=models.CASCADE,
        related_name="voting_rules",
    )
    min_voting_days = models.PositiveSmallIntegerField(
        _("najkrótszy czas głosowania (dni)"),
        default=DEFAULT_MIN_VOTING_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("zasady głosowania")
        verbose_name_plural = _("zasady głosowania")

    def __str__(self):
        return str(self.community)


class OutcomeNotice(models.Model):
    """Art. 23 ust. 3: the written notice of a resolution's content to an owner of a premises
    (each owner, co-owner and member gets their own).

    The six weeks to challenge (art. 25 ust. 1a) run from this owner's own notice date
    (``delivered_on``): the day of e-delivery, recorded when the notice is sent, or for a
    letter by post the day it was delivered (entered by the office from the return receipt).
    """

    resolution = models.ForeignKey(
        Resolution, verbose_name=_("uchwała"), on_delete=models.CASCADE, related_name="notices"
    )
    premises = models.ForeignKey(
        "premises.Premises", verbose_name=_("lokal"), on_delete=models.PROTECT, related_name="+"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("adresat"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    letter = models.ForeignKey(
        "correspondence.Letter",
        verbose_name=_("pismo"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    delivered_on = models.DateField(
        _("data doręczenia"),
        null=True,
        blank=True,
        help_text=_("Przy wysyłce pocztą: data z potwierdzenia odbioru."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("zawiadomienie o treści uchwały")
        verbose_name_plural = _("zawiadomienia o treści uchwał")
        ordering = ["resolution", "premises"]
        constraints = [
            # Each owner of each premises is notified once (art. 23 ust. 3).
            models.UniqueConstraint(
                fields=["resolution", "premises", "recipient"], name="one_outcome_notice_per_owner"
            )
        ]

    def __str__(self):
        return f"{self.resolution.number} – {self.premises}"
