import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminDateWidget, AutocompleteSelectMultiple
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, Prefetch
from django.forms.models import BaseInlineFormSet
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin

from imports.services import UploadGone, upload_plan_save, upload_store
from lib.collation import polish
from lib.imports import MAX_FILE_BYTES
from lib.reading_window import window_settings_error
from office.admin_mixins import CommunityScopedAdminMixin, ScopedInlineMixin
from office.roles import community_ids_for, is_office_admin, people_managed_by, roles_sync_user

from .models import Building, Community, CommunityRole, Company, Ownership, Premises
from .register import KIND as REGISTER_IMPORT
from .register import register_apply_upload, register_preview
from .resources import PremisesExportResource, RegisterResource
from .selectors import current_holders
from .services import premises_sell

FORMATS = [XLSX, CSV]


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "email"]
    # A website typed without a scheme is https (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class CommunityRoleFormSet(BaseInlineFormSet):
    """Refuses a change the database would refuse half-way (a 500 before).

    Rows are saved one by one, so swapping two rows' roles ("staff" <-> "board" of one
    person) hits the unique (person, community, role) constraint at the first row although the
    end result is valid.
    """

    def clean(self):
        super().clean()
        deleted = set(self.deleted_forms) if self.can_delete else set()
        rows = [
            (form, (form.initial.get("user"), form.initial.get("role")), self._new_key(form))
            for form in self.initial_forms
        ]
        for i, (form, original, new) in enumerate(rows):
            if form in deleted or new is None or new == original:
                continue
            for j, (other, other_original, other_new) in enumerate(rows):
                released = j < i and (other in deleted or other_new != other_original)
                if other is not form and other_original == new and not released:
                    form.add_error(
                        None,
                        _(
                            "Ta osoba ma już tę rolę w innym wierszu. Zmień role w dwóch "
                            "krokach: najpierw usuń lub zmień tamten wiersz i zapisz."
                        ),
                    )

    @staticmethod
    def _new_key(form):
        data = getattr(form, "cleaned_data", None) or {}
        user = data.get("user")
        return (user.pk, data.get("role")) if user is not None else None


class CommunityRoleInline(ScopedInlineMixin, admin.TabularInline):
    model = CommunityRole
    formset = CommunityRoleFormSet
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "function"]
    verbose_name = _("osoba z dostępem do panelu biura")
    verbose_name_plural = _("pracownicy biura i zarząd (dostęp do panelu biura)")


class CommunityAdminForm(forms.ModelForm):
    class Meta:
        model = Community
        fields = "__all__"  # noqa: DJ007 (the admin's fieldsets choose what is shown)

    def clean(self):
        cleaned = super().clean()
        start = cleaned.get("reading_window_start_day")
        end = cleaned.get("reading_window_end_day")
        if start is not None and end is not None:
            error = window_settings_error(start_day=start, end_day=end)
            if error:
                self.add_error("reading_window_end_day", error)
        return cleaned


@admin.register(Community)
class CommunityAdmin(CommunityScopedAdminMixin, SimpleHistoryAdmin):
    community_lookup = ""
    form = CommunityAdminForm
    list_display = ["name", "kind", "city", "nip", "buildings_count", "voting_enabled"]
    list_filter = ["kind", "voting_enabled", "e_delivery_enabled"]
    search_fields = ["name", "nip", "regon", "street", "city"]
    ordering = [polish("name")]
    inlines = [CommunityRoleInline]
    fieldsets = (
        (None, {"fields": ("company", "kind", "name", "nip", "regon")}),
        (None, {"fields": ("street", "postal_code", "city", "bank_account", "office_hours")}),
        (
            _("Ustawienia"),
            {
                "fields": (
                    "payment_due_day",
                    "reading_window_start_day",
                    "reading_window_end_day",
                    "e_delivery_start",
                    "payment_demands_electronic",
                )
            },
        ),
        (
            _("Funkcje"),
            {
                "fields": (
                    "meter_readings_enabled",
                    "failure_reports_enabled",
                    "voting_enabled",
                    "e_delivery_enabled",
                    "sms_enabled",
                    "sms_transliterate",
                    "payment_reminders_enabled",
                )
            },
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_buildings=Count("buildings"))

    @admin.display(description=_("budynki"), ordering="_buildings")
    def buildings_count(self, obj):
        return obj._buildings

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Whoever was given or lost a role gets the matching permissions (role groups).
        touched = set()
        for formset in formsets:
            if formset.model is CommunityRole:
                touched.update(f.instance.user for f in formset.forms if f.instance.user_id)
                touched.update(obj.user for obj in formset.deleted_objects)
        for user in touched:
            roles_sync_user(user=user)


@admin.register(Building)
class BuildingAdmin(CommunityScopedAdminMixin, admin.ModelAdmin):
    list_display = ["street", "postal_code", "city", "community", "premises_count"]
    list_select_related = ["community"]
    search_fields = ["street", "city", "community__name"]
    ordering = [polish("city"), polish("street")]
    autocomplete_fields = ["community"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_premises=Count("premises"))

    @admin.display(description=_("lokale"), ordering="_premises")
    def premises_count(self, obj):
        return obj._premises


class OwnershipInline(ScopedInlineMixin, admin.TabularInline):
    model = Ownership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "valid_from", "valid_to", "is_correspondence_recipient"]


class PremisesSaleForm(forms.Form):
    """The office records a sale: the owners' last day and who holds the premises after."""

    last_day = forms.DateField(
        label=_("Ostatni dzień dotychczasowych właścicieli"),
        widget=AdminDateWidget,
        help_text=_("Zwykle dzień aktu notarialnego. Nabywcy są właścicielami od następnego dnia."),
    )
    buyers = forms.ModelMultipleChoiceField(
        label=_("Nabywcy"),
        queryset=None,
        help_text=_(
            "Osoba musi już mieć konto (Osoby → Dodaj); kilku nabywców to współwłaściciele."
        ),
    )
    role = forms.ChoiceField(
        label=_("Rola nabywców"),
        choices=[(r.value, r.label) for r in Ownership.Role if r in Ownership.OWNER_ROLES],
        initial=Ownership.Role.OWNER,
    )

    def __init__(self, *args, people, admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        # The widget first: setting the queryset hands its choices to the widget.
        self.fields["buyers"].widget = AutocompleteSelectMultiple(
            Ownership._meta.get_field("user"), admin_site
        )
        self.fields["buyers"].queryset = people
        self.fields["last_day"].initial = timezone.localdate() - datetime.timedelta(days=1)


@admin.register(Premises)
class PremisesAdmin(CommunityScopedAdminMixin, ExportMixin, SimpleHistoryAdmin):
    community_lookup = "building__community"
    list_display = ["__str__", "kind", "area", "persons", "share_display", "holders", "community"]
    list_filter = ["kind"]
    list_select_related = ["building__community"]
    search_fields = [
        "number",
        "building__street",
        "bank_account",
        "ownerships__user__last_name",
        "ownerships__user__username",
    ]
    autocomplete_fields = ["building"]
    inlines = [OwnershipInline]
    resource_classes = [PremisesExportResource]
    ordering = [polish("building__street"), polish("number")]
    formats = FORMATS

    def get_queryset(self, request):
        holders = current_holders()
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("ownerships", queryset=holders, to_attr="current_holders"))
        )

    def get_search_results(self, request, queryset, search_term):
        # "Lipowa 5 / 3", the label the autocomplete shows, finds that very premises.
        street, slash, number = search_term.rpartition("/")
        street, number = street.strip(), number.strip()
        if slash and street and number:
            exact = queryset.filter(building__street__iexact=street, number__iexact=number)
            if exact.exists():
                return exact, False
            return (
                queryset.filter(building__street__icontains=street, number__iexact=number),
                False,
            )
        return super().get_search_results(request, queryset, search_term)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/sprzedaz/",
                self.admin_site.admin_view(self.sale_view),
                name="premises_premises_sale",
            ),
            *super().get_urls(),
        ]

    def sale_view(self, request, object_id):
        """Sprzedaż lokalu: end the owners' roles on a day, the buyers hold it from the next."""
        premises = self.get_object(request, object_id)
        if premises is None:
            raise Http404
        ownerships = self.admin_site._registry[Ownership]
        if not (
            self.has_change_permission(request, premises)
            and ownerships.has_change_permission(request)
            and ownerships.has_add_permission(request)
        ):
            raise PermissionDenied
        user_model = get_user_model()
        people = self.admin_site._registry[user_model].scope_queryset(
            request, user_model.objects.all()
        )
        form = PremisesSaleForm(request.POST or None, people=people, admin_site=self.admin_site)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                ended, started = premises_sell(
                    premises=premises,
                    last_day=data["last_day"],
                    buyers=data["buyers"],
                    role=data["role"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                names = ", ".join(o.user.get_full_name() or o.user.username for o in started)
                message = _(
                    "Zapisano sprzedaż lokalu %(premises)s: prawo dotychczasowych właścicieli "
                    "kończy się %(last)s, %(buyers)s od %(first)s."
                ) % {
                    "premises": premises,
                    "last": formats.date_format(data["last_day"], "d.m.Y"),
                    "buyers": names,
                    "first": formats.date_format(started[0].valid_from, "d.m.Y"),
                }
                self.log_change(request, premises, str(message))
                messages.success(request, message)
                return redirect("admin:premises_premises_change", premises.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": premises,
            "title": _("Sprzedaż lokalu %(premises)s") % {"premises": premises},
            "form": form,
            "media": self.media + form.media,
            "holders": current_holders().filter(premises=premises),
        }
        return TemplateResponse(request, "admin/premises/premises/sale.html", context)

    @admin.display(description=_("osoby"))
    def holders(self, obj):
        return ", ".join(o.user.get_full_name() or o.user.username for o in obj.current_holders)

    @admin.display(description=_("wspólnota"), ordering="building__community__name")
    def community(self, obj):
        return obj.building.community


class RegisterImportForm(forms.Form):
    file = forms.FileField(label=_("Plik rejestru (CSV lub XLSX)"))


@admin.register(Ownership)
class OwnershipAdmin(CommunityScopedAdminMixin, ExportMixin, SimpleHistoryAdmin):
    community_lookup = "premises__building__community"
    list_display = [
        "user",
        "premises",
        "role",
        "valid_from",
        "valid_to",
        "is_correspondence_recipient",
    ]
    list_filter = ["role"]
    list_select_related = ["user", "premises__building__community"]
    search_fields = [
        "user__last_name",
        "user__first_name",
        "user__username",
        "premises__number",
        "premises__building__street",
    ]
    autocomplete_fields = ["user", "premises"]
    resource_classes = [RegisterResource]
    formats = FORMATS
    change_list_template = "admin/premises/ownership/change_list.html"

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="premises_ownership_import",
            ),
            *super().get_urls(),
        ]

    def _import_scope(self, request):
        return {
            "scope_ids": community_ids_for(request.user, Ownership, "add"),
            "people": people_managed_by(request.user, Ownership, "add"),
            "may_create_communities": is_office_admin(request.user),
        }

    def import_view(self, request):
        """Upload → preview (file kept on the server, token in the page) → apply once."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import rejestru (CSV lub XLSX)"),
        }
        if request.method == "POST" and "token" in request.POST:
            try:
                result = register_apply_upload(
                    token=request.POST["token"], user=request.user, **self._import_scope(request)
                )
            except UploadGone as gone:
                messages.error(request, gone.message)
                return redirect("admin:premises_ownership_import")
            if result.applied:
                messages.success(
                    request,
                    _(
                        "Zaimportowano rejestr: nowe pozycje %(new)d, nowe osoby %(people)d, "
                        "wiersze %(rows)d."
                    )
                    % {
                        "new": result.new_count,
                        "people": result.new_people_count,
                        "rows": len(result.rows),
                    },
                )
                return redirect("admin:premises_ownership_changelist")
            messages.error(request, _("Import odrzucony – nic nie zapisano."))
            return self._render_preview(request, context, result, "")
        form = RegisterImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            file = form.cleaned_data["file"]
            content = file.read(MAX_FILE_BYTES + 1)
            if len(content) > MAX_FILE_BYTES:
                form.add_error(
                    "file",
                    _("Plik jest za duży (najwyżej %(mb)d MB).")
                    % {"mb": MAX_FILE_BYTES // (1024 * 1024)},
                )
            else:
                result = register_preview(
                    file_name=file.name, content=content, **self._import_scope(request)
                )
                token = ""
                if not result.has_errors:
                    upload = upload_store(
                        kind=REGISTER_IMPORT,
                        file_name=file.name,
                        content=content,
                        user=request.user,
                    )
                    upload_plan_save(upload=upload, plan={"logins": result.planned_logins})
                    token = str(upload.token)
                return self._render_preview(request, context, result, token)
        return TemplateResponse(
            request, "admin/premises/ownership/import.html", {**context, "form": form}
        )

    def _render_preview(self, request, context, result, token):
        return TemplateResponse(
            request,
            "admin/premises/ownership/import_preview.html",
            {
                **context,
                "result": result,
                "token": token,
                "retry_url": reverse("admin:premises_ownership_import"),
            },
        )

    def get_export_resource_kwargs(self, request, **kwargs):
        return {"scope_ids": community_ids_for(request.user, Ownership)}
