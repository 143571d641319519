"""Meters (liczniki) of premises and their readings (odczyty)."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.files import PrivateUploadTo

VALUE_MAX_DIGITS = 14
VALUE_DECIMAL_PLACES = 3  # the finest precision any meter reports


class MeterQuerySet(models.QuerySet):
    def installed(self, on: datetime.date | None = None):
        """Meters still mounted on the given day (today by default)."""
        on = on or timezone.localdate()
        return self.filter(Q(removed_on__isnull=True) | Q(removed_on__gt=on))


class Meter(models.Model):
    class Kind(models.TextChoices):
        COLD_WATER = "cold_water", _("zimna woda")
        HOT_WATER = "hot_water", _("ciepła woda")
        HEAT = "heat", _("ciepło / podzielnik")
        GAS = "gas", _("gaz")
        ELECTRICITY = "electricity", _("energia elektryczna")

    class Unit(models.TextChoices):
        CUBIC_METRE = "m3", "m³"
        KWH = "kWh", "kWh"
        GJ = "GJ", "GJ"
        UNITS = "units", _("jedn.")

    premises = models.ForeignKey(
        "premises.Premises",
        verbose_name=_("lokal"),
        on_delete=models.PROTECT,
        related_name="meters",
    )
    kind = models.CharField(_("rodzaj"), max_length=20, choices=Kind.choices)
    serial_number = models.CharField(_("numer fabryczny"), max_length=50, db_index=True)
    location = models.CharField(
        _("miejsce montażu"), max_length=100, blank=True, help_text=_("Np. łazienka, kuchnia.")
    )
    unit = models.CharField(_("jednostka"), max_length=10, choices=Unit.choices)
    decimal_places = models.PositiveSmallIntegerField(
        _("miejsca po przecinku"),
        default=3,
        validators=[MaxValueValidator(VALUE_DECIMAL_PLACES)],
        help_text=_("Ile cyfr po przecinku pokazuje licznik (0–3)."),
    )
    is_remote_read = models.BooleanField(
        _("odczyt zdalny (radiowy)"),
        default=False,
        help_text=_("Mieszkańcy nie podają odczytów tego licznika; przychodzą z importu."),
    )
    installed_on = models.DateField(_("data montażu"))
    removed_on = models.DateField(_("data demontażu"), null=True, blank=True)
    initial_reading = models.DecimalField(
        _("stan początkowy"),
        max_digits=VALUE_MAX_DIGITS,
        decimal_places=VALUE_DECIMAL_PLACES,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
    )
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("zastępuje licznik"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaced_by",
    )

    objects = MeterQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("licznik")
        verbose_name_plural = _("liczniki")
        ordering = ["premises", "kind", "serial_number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(removed_on__isnull=True) | Q(removed_on__gte=models.F("installed_on")),
                name="meter_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(decimal_places__lte=VALUE_DECIMAL_PLACES),
                name="meter_decimal_places_max",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.serial_number}"

    def clean(self):
        """An edit keeps the meter's series consistent with its readings: none before the
        installation or after the removal, none below the initial reading (a consumption
        would turn negative)."""
        super().clean()
        if self.pk is None:
            return
        readings = Reading.objects.current().filter(meter=self)
        errors = {}
        first = readings.order_by("read_on", "pk").values("read_on", "value").first()
        if first is None:
            return
        last_on = readings.order_by("-read_on").values_list("read_on", flat=True).first()
        if self.installed_on and self.installed_on > first["read_on"]:
            errors["installed_on"] = _(
                "Licznik ma odczyt z %(date)s; nie mógł zostać zamontowany później."
            ) % {"date": f"{first['read_on']:%d.%m.%Y}"}
        if self.removed_on and self.removed_on < last_on:
            errors["removed_on"] = _(
                "Licznik ma odczyt z %(date)s; nie mógł zostać zdemontowany wcześniej."
            ) % {"date": f"{last_on:%d.%m.%Y}"}
        lowest = readings.order_by("value").values_list("value", flat=True).first()
        if self.initial_reading is not None and self.initial_reading > lowest:
            errors["initial_reading"] = _(
                "Stan początkowy nie może być wyższy od odczytu licznika (%(value)s)."
            ) % {"value": str(self.quantize(lowest)).replace(".", ",")}
        if errors:
            raise ValidationError(errors)

    def quantize(self, value: Decimal) -> Decimal:
        """The value shown with the meter's own precision."""
        return value.quantize(Decimal(1).scaleb(-self.decimal_places))


class ReadingQuerySet(models.QuerySet):
    def current(self):
        """Readings in force (a corrected reading is kept, but no longer current)."""
        return self.filter(is_current=True)


class Reading(models.Model):
    class Source(models.TextChoices):
        RESIDENT = "resident", _("mieszkaniec")
        OFFICE = "office", _("biuro")
        REMOTE = "remote", _("odczyt zdalny (import)")

    meter = models.ForeignKey(
        Meter, verbose_name=_("licznik"), on_delete=models.PROTECT, related_name="readings"
    )
    read_on = models.DateField(_("data odczytu"))
    value = models.DecimalField(
        _("stan licznika"),
        max_digits=VALUE_MAX_DIGITS,
        decimal_places=VALUE_DECIMAL_PLACES,
        validators=[MinValueValidator(0)],
    )
    source = models.CharField(
        _("źródło"), max_length=10, choices=Source.choices, default=Source.OFFICE
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("podał(a)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meter_readings",
    )
    photo = models.FileField(
        _("zdjęcie licznika"), upload_to=PrivateUploadTo("meters/photos"), blank=True
    )
    thumbnail = models.FileField(
        _("miniatura"), upload_to=PrivateUploadTo("meters/photos"), blank=True
    )
    created_at = models.DateTimeField(_("dodano"), auto_now_add=True)
    is_current = models.BooleanField(_("obowiązujący"), default=True)
    superseded_by = models.ForeignKey(
        "self",
        verbose_name=_("zastąpiony przez"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supersedes",
    )

    invalidated_at = models.DateTimeField(_("unieważniono"), null=True, blank=True)
    invalidated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("unieważnił(a)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ReadingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("odczyt")
        verbose_name_plural = _("odczyty")
        ordering = ["-read_on", "-created_at"]
        indexes = [
            models.Index(fields=["meter", "is_current", "read_on"]),
            models.Index(fields=["read_on"]),
            models.Index(fields=["read_on", "created_at", "id"], name="reading_read_on_created_id"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["meter", "read_on"],
                condition=Q(is_current=True),
                name="one_current_reading_per_meter_day",
            ),
        ]

    def __str__(self):
        value = str(self.value).replace(".", ",")
        return f"{self.meter.serial_number}: {value} ({self.read_on:%d.%m.%Y})"
