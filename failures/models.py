"""Failure reports (zgłoszenia awarii): what broke, where, its status history and photos."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from lib.phones import PhoneNumberField
from portal.files import PrivateUploadTo
from premises.models import Building, Premises


class FailureReportQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=FailureReport.OPEN_STATUSES)

    def newest_first(self):
        return self.order_by("-created_at", "-pk")


class FailureReport(models.Model):
    class Status(models.TextChoices):
        REPORTED = "zgloszona", _("zgłoszona")
        ACCEPTED = "przyjeta", _("przyjęta")
        IN_PROGRESS = "w_realizacji", _("w realizacji")
        DONE = "zakonczona", _("zakończona")
        REJECTED = "odrzucona", _("odrzucona")

    # The one place that says which status may follow which.
    TRANSITIONS = {
        Status.REPORTED: (Status.ACCEPTED, Status.REJECTED),
        Status.ACCEPTED: (Status.IN_PROGRESS, Status.REJECTED),
        Status.IN_PROGRESS: (Status.DONE,),
        Status.DONE: (),
        Status.REJECTED: (),
    }
    OPEN_STATUSES = (Status.REPORTED, Status.ACCEPTED, Status.IN_PROGRESS)

    number = models.CharField(
        _("numer zgłoszenia"),
        max_length=20,
        unique=True,
        editable=False,
        help_text=_("Numer, który mieszkaniec podaje w Call Center."),
    )
    building = models.ForeignKey(
        Building,
        verbose_name=_("budynek"),
        on_delete=models.PROTECT,
        related_name="failure_reports",
    )
    premises = models.ForeignKey(
        Premises,
        verbose_name=_("lokal"),
        on_delete=models.PROTECT,
        related_name="failure_reports",
        null=True,
        blank=True,
        help_text=_("Puste: awaria w części wspólnej budynku."),
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("zgłaszający"),
        on_delete=models.PROTECT,
        related_name="failure_reports",
    )
    description = models.TextField(_("opis zgłoszenia"), max_length=2000)
    contact_phone = PhoneNumberField(_("telefon kontaktowy"), max_length=20)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REPORTED
    )
    created_at = models.DateTimeField(_("zgłoszono"), default=timezone.now)
    status_changed_at = models.DateTimeField(_("ostatnia zmiana statusu"), default=timezone.now)

    objects = FailureReportQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("zgłoszenie awarii")
        verbose_name_plural = _("zgłoszenia awarii")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["building", "status", "-created_at"], name="failure_building_status"
            ),
            models.Index(fields=["building", "-created_at"], name="failure_building_created"),
            models.Index(fields=["status", "created_at"], name="failure_status_created"),
            # The admin list's order, newest first (issue 17).
            models.Index(fields=["created_at", "id"], name="failure_created_at_id"),
            # The start page's open reports of the user's buildings: their count and the
            # newest few (issue 17). The statuses are OPEN_STATUSES (a test keeps them equal).
            models.Index(
                fields=["building", "-created_at"],
                name="failure_open_building",
                condition=models.Q(status__in=["zgloszona", "przyjeta", "w_realizacji"]),
            ),
        ]

    def __str__(self):
        return self.number or str(_("nowe zgłoszenie"))

    def clean(self):
        if self.premises_id and self.building_id and self.premises.building_id != self.building_id:
            raise ValidationError({"premises": _("Ten lokal nie należy do wybranego budynku.")})

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def allowed_next_statuses(self) -> tuple[str, ...]:
        return self.TRANSITIONS.get(self.Status(self.status), ())

    def can_change_to(self, status: str) -> bool:
        return status in self.allowed_next_statuses()


class FailureNumberCounter(models.Model):
    """The last number given out in a year; locked while the next one is taken."""

    year = models.PositiveSmallIntegerField(_("rok"), unique=True)
    last = models.PositiveIntegerField(_("ostatni numer"), default=0)

    class Meta:
        verbose_name = _("licznik numerów zgłoszeń")
        verbose_name_plural = _("liczniki numerów zgłoszeń")

    def __str__(self):
        return f"{self.year}: {self.last}"


class FailureStatusChange(models.Model):
    report = models.ForeignKey(
        FailureReport,
        verbose_name=_("zgłoszenie"),
        on_delete=models.CASCADE,
        related_name="status_changes",
    )
    from_status = models.CharField(
        _("poprzedni status"), max_length=20, choices=FailureReport.Status.choices, blank=True
    )
    to_status = models.CharField(
        _("nowy status"), max_length=20, choices=FailureReport.Status.choices
    )
    changed_at = models.DateTimeField(_("data zmiany"), default=timezone.now)
    comment = models.TextField(
        _("komentarz biura"),
        max_length=2000,
        blank=True,
        help_text=_("Widoczny dla mieszkańców budynku."),
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("zmienił(a)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("zmiana statusu")
        verbose_name_plural = _("historia statusu")
        ordering = ["changed_at", "pk"]
        indexes = [models.Index(fields=["report", "changed_at"], name="failure_change_report")]

    def __str__(self):
        return f"{self.report}: {self.get_to_status_display()}"


class FailurePhoto(models.Model):
    report = models.ForeignKey(
        FailureReport,
        verbose_name=_("zgłoszenie"),
        on_delete=models.CASCADE,
        related_name="photos",
    )
    # Re-encoded copies without metadata (portal.images); the uploaded bytes are never stored.
    image = models.FileField(_("zdjęcie"), upload_to=PrivateUploadTo("failures/photos"))
    thumbnail = models.FileField(_("miniatura"), upload_to=PrivateUploadTo("failures/photos"))
    width = models.PositiveIntegerField(_("szerokość"), default=0)
    height = models.PositiveIntegerField(_("wysokość"), default=0)
    added_by_office = models.BooleanField(
        _("dodane przez biuro"), default=False, help_text=_("Np. zdjęcie po naprawie.")
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dodał(a)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("dodano"), default=timezone.now)

    class Meta:
        verbose_name = _("zdjęcie awarii")
        verbose_name_plural = _("zdjęcia awarii")
        ordering = ["added_by_office", "created_at", "pk"]

    def __str__(self):
        return f"{self.report} – {_('zdjęcie')} {self.pk}"


class FailureComment(models.Model):
    """A note on a report by the office or the community's board.

    Internal (for the office and the board) unless ``visible_to_residents`` is ticked; residents
    then see it on the report's page signed only "Biuro" or "Zarząd wspólnoty".
    """

    class AuthorRole(models.TextChoices):
        OFFICE = "biuro", _("Biuro")
        BOARD = "zarzad", _("Zarząd wspólnoty")

    report = models.ForeignKey(
        FailureReport,
        verbose_name=_("zgłoszenie"),
        on_delete=models.CASCADE,
        related_name="comments",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("autor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    author_role = models.CharField(
        _("w imieniu"), max_length=10, choices=AuthorRole.choices, default=AuthorRole.OFFICE
    )
    body = models.TextField(_("komentarz"), max_length=2000)
    visible_to_residents = models.BooleanField(
        _("widoczny dla mieszkańców"),
        default=False,
        help_text=_(
            "Zaznacz, aby mieszkańcy budynku zobaczyli komentarz na stronie zgłoszenia "
            "(podpisany „Biuro” lub „Zarząd wspólnoty”). Bez danych osobowych."
        ),
    )
    created_at = models.DateTimeField(_("dodano"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("komentarz do zgłoszenia")
        verbose_name_plural = _("komentarze do zgłoszenia")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["report", "visible_to_residents", "created_at"],
                name="failure_comment_report",
            )
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(body=""), name="failure_comment_not_empty")
        ]

    def __str__(self):
        return f"{self.report}: {self.get_author_role_display()}, {self.created_at:%d.%m.%Y}"
