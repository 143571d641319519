"""Office side of Liczniki: meters and readings (residents' ones with photos), replacing a meter,
importing remote readings (preview, all or nothing) and exporting a period for billing."""

import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from imports.services import UploadGone, upload_store
from lib.imports import MAX_FILE_BYTES
from lib.spreadsheets import csv_writer
from office import roles
from office.admin_mixins import CommunityScopedAdminMixin
from portal.files import serve_file
from premises.models import Community

from .forms import MeterValueField
from .models import VALUE_DECIMAL_PLACES, VALUE_MAX_DIGITS, Meter, Reading
from .selectors import readings_for_billing
from .services import (
    READINGS_IMPORT,
    meter_replace,
    reading_check_office,
    readings_import_remote,
    readings_import_upload,
    readings_invalidate,
)

EXPORT_MONTHS = 24


def _scoped_meters(request):
    """Meters the office user may add readings to (the meter admin's scope)."""
    return admin.site._registry[Meter].scope_queryset(request, Meter.objects.all(), "change")


# --- Forms ----------------------------------------------------------------------------------


class MeterReplaceForm(forms.Form):
    removed_on = forms.DateField(label=_("Data wymiany"), widget=AdminDateWidget)
    final_value = MeterValueField(
        label=_("Stan końcowy starego licznika"),
        max_digits=VALUE_MAX_DIGITS,
        decimal_places=VALUE_DECIMAL_PLACES,
        required=False,
        help_text=_("Zapisany jako ostatni odczyt starego licznika w dniu wymiany."),
    )
    serial_number = forms.CharField(label=_("Numer fabryczny nowego licznika"), max_length=50)
    initial_reading = MeterValueField(
        label=_("Stan początkowy nowego licznika"),
        max_digits=VALUE_MAX_DIGITS,
        decimal_places=VALUE_DECIMAL_PLACES,
        initial=0,
    )


class ReadingImportForm(forms.Form):
    file = forms.FileField(label=_("Plik CSV lub XLSX z odczytami"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise ValidationError(
                _("Plik jest za duży (najwyżej %(mb)d MB).")
                % {"mb": MAX_FILE_BYTES // (1024 * 1024)}
            )
        return upload.name, upload.read()


def _month_choices(today: datetime.date) -> list[tuple[str, str]]:
    choices = []
    index = today.year * 12 + today.month - 1
    for back in range(EXPORT_MONTHS):
        year, month = divmod(index - back, 12)
        choices.append((f"{year}-{month + 1:02d}", f"{month + 1:02d}/{year}"))
    return choices


class ReadingExportForm(forms.Form):
    community = forms.ModelChoiceField(label=_("Wspólnota"), queryset=None)
    month = forms.ChoiceField(
        label=_("Okres odczytów"),
        help_text=_(
            "Miesiąc, który rozliczają eksportowane odczyty (np. 05/2025: okno 20.05–12.06 "
            "i odczyty biura od 13.05)."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        ids = roles.community_ids_for(user, Reading, "view")
        communities = Community.objects.order_by("name")
        self.fields["community"].queryset = (
            communities if ids is None else communities.filter(pk__in=ids)
        )
        self.fields["month"].choices = _month_choices(timezone.localdate())


class ReadingAdminForm(forms.ModelForm):
    class Meta:
        model = Reading
        fields = ["meter", "read_on", "value"]
        field_classes = {"value": MeterValueField}

    def clean(self):
        data = super().clean()
        if self.instance.pk is None and not self.errors:
            try:
                reading_check_office(
                    meter=data["meter"], value=data["value"], read_on=data["read_on"]
                )
            except ValidationError as error:
                self.add_error(None, error)
        return data


# --- Meters ---------------------------------------------------------------------------------


@admin.register(Meter)
class MeterAdmin(CommunityScopedAdminMixin, SimpleHistoryAdmin):
    community_lookup = "premises__building__community"
    # "12,5" as the office types it (a plain DecimalField wants "12.5").
    formfield_overrides = {models.DecimalField: {"form_class": MeterValueField}}
    list_display = [
        "serial_number",
        "kind",
        "premises",
        "location",
        "unit",
        "is_remote_read",
        "installed_on",
        "removed_on",
    ]
    list_filter = ["premises__building__community", "kind", "is_remote_read", "removed_on"]
    list_select_related = ["premises__building"]
    search_fields = ["serial_number", "premises__number", "premises__building__street"]
    autocomplete_fields = ["premises", "replaces"]
    readonly_fields = ["replaces"]
    actions = ["replace_meter"]
    fieldsets = (
        (None, {"fields": ("premises", "kind", "serial_number", "location")}),
        (
            _("Odczyty"),
            {"fields": ("unit", "decimal_places", "is_remote_read", "initial_reading")},
        ),
        (_("Montaż"), {"fields": ("installed_on", "removed_on", "replaces")}),
    )

    @admin.action(description=_("Wymień licznik (zakończ serię, dodaj nowy licznik)"))
    def replace_meter(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Zaznacz dokładnie jeden licznik."), messages.ERROR)
            return None
        meter = queryset.select_related("premises__building").get()
        if "apply" in request.POST:
            form = MeterReplaceForm(request.POST)
            if form.is_valid():
                try:
                    new = meter_replace(meter=meter, user=request.user, **form.cleaned_data)
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    self.message_user(
                        request,
                        _("Licznik %(old)s zdemontowano; nowy licznik %(new)s zaczyna nową serię.")
                        % {"old": meter.serial_number, "new": new.serial_number},
                        messages.SUCCESS,
                    )
                    return redirect("admin:meters_meter_change", new.pk)
        else:
            form = MeterReplaceForm(initial={"removed_on": timezone.localdate()})
        return TemplateResponse(
            request,
            "admin/meters/meter/replace.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Wymiana licznika"),
                "meter": meter,
                "form": form,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )


# --- Readings -------------------------------------------------------------------------------


@admin.register(Reading)
class ReadingAdmin(CommunityScopedAdminMixin, SimpleHistoryAdmin):
    community_lookup = "meter__premises__building__community"
    form = ReadingAdminForm
    list_display = [
        "read_on",
        "meter",
        "premises",
        "value",
        "source",
        "submitted_by",
        "is_current",
        "photo_thumbnail",
        "created_at",
    ]
    list_filter = [
        "meter__premises__building__community",
        "source",
        "is_current",
        "meter__kind",
        "read_on",
    ]
    list_select_related = ["meter__premises__building", "submitted_by"]
    search_fields = [
        "meter__serial_number",
        "meter__premises__number",
        "meter__premises__building__street",
        "submitted_by__last_name",
    ]
    autocomplete_fields = ["meter"]
    show_full_result_count = False  # read_on stays a list filter: no drill-down over every row
    actions = ["invalidate"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["meter", "read_on", "value"]
        return [
            "meter",
            "read_on",
            "value",
            "source",
            "submitted_by",
            "photo_preview",
            "created_at",
            "is_current",
            "superseded_by",
            "invalidated_at",
            "invalidated_by",
        ]

    def get_readonly_fields(self, request, obj=None):
        # A stored reading is a record: it is taken out of force, never edited.
        return [] if obj is None else self.get_fields(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.source = Reading.Source.OFFICE
            obj.submitted_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("lokal"), ordering="meter__premises__number")
    def premises(self, obj):
        return obj.meter.premises

    @admin.display(description=_("zdjęcie"))
    def photo_thumbnail(self, obj):
        if not obj.thumbnail:
            return "—"
        return format_html(
            '<a href="{}"><img src="{}" alt="{}" width="48" height="48"></a>',
            reverse("admin:meters_reading_photo", args=[obj.pk]),
            reverse("admin:meters_reading_thumbnail", args=[obj.pk]),
            _("zdjęcie licznika"),
        )

    @admin.display(description=_("zdjęcie licznika"))
    def photo_preview(self, obj):
        if not obj.photo:
            return "—"
        return format_html(
            '<a href="{0}"><img src="{1}" alt="{2}" width="200"></a>',
            reverse("admin:meters_reading_photo", args=[obj.pk]),
            reverse("admin:meters_reading_thumbnail", args=[obj.pk]),
            _("zdjęcie licznika"),
        )

    @admin.action(description=_("Unieważnij zaznaczone odczyty (zostają w archiwum)"))
    def invalidate(self, request, queryset):
        count = readings_invalidate(readings=queryset, user=request.user)
        self.message_user(
            request, _("Unieważniono odczytów: %(count)d.") % {"count": count}, messages.SUCCESS
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="meters_reading_import"),
            path("eksport/", view(self.export_view), name="meters_reading_export"),
            path("<int:pk>/zdjecie/", view(self.photo_view), name="meters_reading_photo"),
            path(
                "<int:pk>/miniatura/",
                view(self.photo_view),
                {"thumbnail": True},
                name="meters_reading_thumbnail",
            ),
            *super().get_urls(),
        ]

    def photo_view(self, request, pk, thumbnail=False):
        if not self.has_view_permission(request):
            raise PermissionDenied
        reading = get_object_or_404(self.get_queryset(request), pk=pk)
        return serve_file(reading.thumbnail if thumbnail else reading.photo, inline=True)

    def _context(self, request, title):
        return {**self.admin_site.each_context(request), "opts": self.model._meta, "title": title}

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        context = self._context(request, _("Import odczytów zdalnych (CSV)"))
        meters = _scoped_meters(request)
        if request.method == "POST" and "token" in request.POST:
            try:
                report = readings_import_upload(
                    token=request.POST["token"], meters=meters, user=request.user
                )
            except UploadGone as gone:
                messages.error(request, gone.message)
                return redirect("admin:meters_reading_import")
            if report.applied:
                messages.success(
                    request,
                    _("Zaimportowano odczytów: %(new)d.") % {"new": report.new_count},
                )
                return redirect("admin:meters_reading_changelist")
            messages.error(request, _("Import odrzucony – nic nie zapisano."))
            return TemplateResponse(
                request,
                "admin/meters/reading/import_preview.html",
                {**context, "report": report, "token": ""},
            )
        form = ReadingImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            name, content = form.cleaned_data["file"]
            report = readings_import_remote(
                content=content, meters=meters, user=request.user, dry_run=True
            )
            token = ""
            if not report.has_errors:
                upload = upload_store(
                    kind=READINGS_IMPORT, file_name=name, content=content, user=request.user
                )
                token = str(upload.token)
            return TemplateResponse(
                request,
                "admin/meters/reading/import_preview.html",
                {**context, "report": report, "token": token},
            )
        return TemplateResponse(
            request, "admin/meters/reading/import_form.html", {**context, "form": form}
        )

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = ReadingExportForm(request.GET or None, user=request.user)
        if not form.is_valid():
            return TemplateResponse(
                request,
                "admin/meters/reading/export_form.html",
                {**self._context(request, _("Eksport odczytów do rozliczeń (CSV)")), "form": form},
            )
        community = form.cleaned_data["community"]
        year, month = (int(part) for part in form.cleaned_data["month"].split("-"))
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="odczyty-{community.pk}-{year}-{month:02d}.csv"'
        )
        response.write("\ufeff")  # Excel opens UTF-8 with Polish letters only with a BOM
        writer = csv_writer(response, delimiter=";")
        writer.writerow(
            [
                "budynek",
                "lokal",
                "rodzaj",
                "numer_licznika",
                "miejsce",
                "jednostka",
                "data_odczytu",
                "stan",
                "stan_poprzedni",
                "zuzycie",
                "zrodlo",
            ]
        )
        for reading in readings_for_billing(community, year=year, month=month):
            meter = reading.meter
            writer.writerow(
                [
                    meter.premises.building.street,
                    meter.premises.number,
                    meter.get_kind_display(),
                    meter.serial_number,
                    meter.location,
                    meter.get_unit_display(),
                    reading.read_on.strftime("%Y-%m-%d"),
                    _decimal(meter.quantize(reading.value)),
                    _decimal(meter.quantize(reading.previous_value)),
                    _decimal(meter.quantize(reading.consumption)),
                    reading.get_source_display(),
                ]
            )
        return response


def _decimal(value) -> str:
    return str(value).replace(".", ",")
