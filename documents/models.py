"""Documents and templates (regulamin, wzory wniosków, plany, sprawozdania) for residents."""

from django.conf import settings
from django.db import models
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.files import PrivateUploadTo

from .validators import validate_document_file


class DocumentQuerySet(models.QuerySet):
    def published(self, on=None):
        return self.filter(published_on__lte=on or timezone.localdate())

    def by_category(self):
        """Categories in their declared order, newest first within each."""
        order = Case(
            *(When(category=value, then=Value(i)) for i, value in enumerate(Document.Category)),
            default=Value(len(Document.Category)),
            output_field=IntegerField(),
        )
        return self.order_by(order, "-published_on", "-pk")


class Document(models.Model):
    class Category(models.TextChoices):
        REGULATIONS = "regulamin", _("Regulaminy")
        FORMS = "wzory", _("Wzory wniosków")
        BUDGETS = "plany", _("Plany gospodarcze")
        REPORTS = "sprawozdania", _("Sprawozdania")
        RESOLUTIONS = "uchwaly", _("Uchwały")
        OTHER = "inne", _("Inne")

    community = models.ForeignKey(
        "premises.Community",
        verbose_name=_("wspólnota"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
        help_text=_("Puste: dokument ogólny, widoczny dla wszystkich mieszkańców."),
    )
    title = models.CharField(_("tytuł"), max_length=200)
    description = models.TextField(_("opis"), blank=True)
    category = models.CharField(
        _("kategoria"), max_length=20, choices=Category.choices, default=Category.OTHER
    )
    file = models.FileField(
        _("plik"),
        upload_to=PrivateUploadTo("documents"),
        max_length=200,
        validators=[validate_document_file],
    )
    published_on = models.DateField(
        _("data publikacji"),
        default=timezone.localdate,
        help_text=_("Mieszkańcy widzą dokument od tego dnia."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dodał(a)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("dodano"), default=timezone.now)

    objects = DocumentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dokument")
        verbose_name_plural = _("dokumenty")
        ordering = ["-published_on", "-pk"]
        indexes = [models.Index(fields=["community", "category", "published_on"])]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="document_title_not_empty"),
        ]

    def __str__(self):
        return self.title
