import base64

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin

from lib.collation import polish
from lib.phones import format_phone
from office.admin_mixins import CommunityScopedAdminMixin, ScopedInlineMixin
from office.roles import is_office_admin, people_in_communities
from premises.models import Ownership, Premises
from premises.resources import PeopleExportResource
from premises.services import ownership_add

from .forms import PersonCreationForm, ResignationRequestAdminForm
from .logins import login_generate
from .models import CredentialsSheet, ResignationRequest, User
from .services import (
    ISSUE_INLINE_MAX,
    account_deactivate,
    credentials_sheet_request,
    credentials_sheets_expire,
    login_issue,
    login_issue_selection,
    password_reset_issue,
    resignation_handle,
    statement_mark_received,
)


class OwnershipInline(ScopedInlineMixin, admin.TabularInline):
    model = Ownership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["premises"]
    fields = ["premises", "role", "valid_from", "valid_to", "is_correspondence_recipient"]


class AccountStateFilter(admin.SimpleListFilter):
    title = _("stan konta")
    parameter_name = "stan"

    def lookups(self, request, model_admin):
        return [
            ("niewydany", _("login niewydany")),
            ("czeka", _("czeka na oświadczenie")),
            ("aktywne", _("aktywne")),
            ("dezaktywowane", _("dezaktywowane")),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case "niewydany":
                return queryset.filter(login_issued_at__isnull=True, deactivated_at__isnull=True)
            case "czeka":
                return queryset.filter(
                    login_issued_at__isnull=False, is_active=False, deactivated_at__isnull=True
                )
            case "aktywne":
                return queryset.filter(is_active=True, deactivated_at__isnull=True)
            case "dezaktywowane":
                return queryset.filter(deactivated_at__isnull=False)
        return queryset


class OfficePersonCreationForm(PersonCreationForm):
    """Adding a person together with their premises, so they land in the staff member's scope."""

    premises = forms.ModelChoiceField(
        label=_("Lokal"), queryset=Premises.objects.none(), required=False
    )
    role = forms.ChoiceField(
        label=_("Rola"),
        choices=Ownership.Role.choices,
        initial=Ownership.Role.OWNER,
        required=False,
    )


@admin.register(User)
class UserAdmin(CommunityScopedAdminMixin, ExportMixin, SimpleHistoryAdmin, DjangoUserAdmin):
    community_lookup = "ownerships__premises__building__community"
    add_form = OfficePersonCreationForm
    add_fieldsets = (
        (None, {"fields": ("first_name", "last_name", "email", "phone", "correspondence_address")}),
        (_("Lokal"), {"fields": ("premises", "role")}),
    )
    fieldsets = (
        (None, {"fields": ("username",)}),
        (
            _("Dane osobowe i kontaktowe"),
            {
                "fields": (
                    "first_name",
                    "last_name",
                    "email",
                    "phone",
                    "correspondence_address",
                    "email_notifications",
                )
            },
        ),
        (
            _("Dostęp do Strefy"),
            {
                "fields": (
                    "is_active",
                    "must_change_password",
                    "login_issued_at",
                    "statement_received_at",
                    "deactivated_at",
                    "deactivation_reason",
                    "last_login",
                )
            },
        ),
        (
            _("Uprawnienia biura"),
            {"classes": ("collapse",), "fields": ("is_staff", "is_superuser", "groups")},
        ),
    )
    readonly_fields = [
        "username",
        "login_issued_at",
        "statement_received_at",
        "deactivated_at",
        "last_login",
    ]
    list_display = [
        "username",
        "last_name",
        "first_name",
        "email",
        "phone_display",
        "account_state_display",
        "login_issued_at",
        "last_login",
    ]
    list_filter = [AccountStateFilter, "is_staff"]
    search_fields = [
        "username",
        "first_name",
        "last_name",
        "email",
        "phone",
        "ownerships__premises__number",
        "ownerships__premises__building__street",
    ]
    ordering = [polish("last_name"), polish("first_name")]
    inlines = [OwnershipInline]
    actions = [
        "issue_logins",
        "mark_statement_received",
        "reset_passwords",
        "deactivate_accounts",
    ]
    resource_classes = [PeopleExportResource]
    formats = [XLSX, CSV]

    # --- scope: residents and board members of the user's communities, never office staff ---

    def scope_queryset(self, request, queryset, action=None):
        if is_office_admin(request.user):
            return queryset
        ids = self.scope_ids(request, action) or []
        return people_in_communities(queryset, ids, to_change=action in ("change", "delete"))

    def response_action(self, request, queryset):
        # Every action here changes people (logins, passwords, activation): only those the
        # staff member may change, not a former owner who now belongs to another community.
        return super().response_action(request, self.scope_queryset(request, queryset, "change"))

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not is_office_admin(request.user):
            # Only the office administrator hands out office rights.
            fields += ["is_staff", "is_superuser", "groups"]
        return fields

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is None and "premises" in form.base_fields:
            premises_admin = self.admin_site._registry[Premises]
            field = form.base_fields["premises"]
            field.queryset = premises_admin.scope_queryset(
                request, Premises.objects.select_related("building"), "change"
            )
            field.required = not is_office_admin(request.user)
        return form

    @admin.display(description=_("telefon"), ordering="phone")
    def phone_display(self, obj):
        return format_phone(obj.phone)

    @admin.display(description=_("stan konta"))
    def account_state_display(self, obj):
        return obj.account_state

    def save_model(self, request, obj, form, change):
        if not change and not obj.username:
            obj.username = login_generate()
            obj.set_unusable_password()
            obj.is_active = False
        super().save_model(request, obj, form, change)
        if not change and form.cleaned_data.get("premises"):
            ownership_add(
                user=obj,
                premises=form.cleaned_data["premises"],
                role=form.cleaned_data["role"] or Ownership.Role.OWNER,
            )

    # --- bulk actions ------------------------------------------------------------------------

    def _credentials_response(self, request, issued, pdf, *, title, reset):
        pdf = base64.b64encode(pdf).decode("ascii")
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "credentials": issued,
            "reset": reset,
            "pdf_data_uri": f"data:application/pdf;base64,{pdf}",
        }
        return TemplateResponse(request, "admin/accounts/issued_logins.html", context)

    def _people(self, request, queryset):
        people = list(queryset.filter(is_staff=False, is_superuser=False))
        if not people:
            self.message_user(
                request, _("Wybierz osoby (nie pracowników biura)."), messages.WARNING
            )
        return people

    @admin.action(
        description=_("Wydaj login i hasło, wydrukuj oświadczenie"), permissions=["change"]
    )
    def issue_logins(self, request, queryset):
        people = self._people(request, queryset.order_by("last_name", "first_name", "pk"))
        if not people:
            return None
        if request.POST.get("confirm") != "1":
            # Nothing changes before the office sees who gets a new password.
            context = {
                **self.admin_site.each_context(request),
                "title": _("Wydanie loginów – potwierdzenie"),
                "opts": self.model._meta,
                "new_people": [p for p in people if not p.is_active],
                "active_people": [p for p in people if p.is_active],
                "selected": [p.pk for p in people],
                "inline_max": ISSUE_INLINE_MAX,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/accounts/issue_logins_confirm.html", context)
        chosen = {int(pk) for pk in request.POST.getlist("include_active") if pk.isdigit()}
        people = login_issue_selection(users=people, include_active=chosen)
        if not people:
            self.message_user(
                request,
                _("Nie wydano loginów: wszystkie wybrane konta są aktywne i żadnego nie wskazano."),
                messages.WARNING,
            )
            return None
        if len(people) > ISSUE_INLINE_MAX:
            sheet = credentials_sheet_request(users=people, created_by=request.user)
            self.message_user(
                request,
                ngettext(
                    "Loginy dla %(count)d osoby są przygotowywane; wydruk PDF pobierzesz z listy "
                    "„Wydruki wydanych loginów”.",
                    "Loginy dla %(count)d osób są przygotowywane; wydruk PDF pobierzesz z listy "
                    "„Wydruki wydanych loginów”.",
                    len(people),
                )
                % {"count": len(people)},
                messages.SUCCESS,
            )
            return redirect("admin:accounts_credentialssheet_change", sheet.pk)
        try:
            issued, pdf = login_issue(users=people)
        except Exception as exc:  # PDF library missing or broken: nothing was changed
            return self._pdf_failed(request, exc)
        return self._credentials_response(
            request, issued, pdf, title=_("Wydane loginy"), reset=False
        )

    def _pdf_failed(self, request, exc):
        self.message_user(
            request,
            _(
                "Nie udało się przygotować wydruku oświadczeń (PDF), więc hasła nie zostały "
                "zmienione. Zgłoś to administratorowi systemu (%(error)s)."
            )
            % {"error": type(exc).__name__},
            messages.ERROR,
        )

    @admin.action(description=_("Nowe hasło i wydruk (zapomniane hasło)"), permissions=["change"])
    def reset_passwords(self, request, queryset):
        people = self._people(request, queryset)
        if not people:
            return None
        try:
            issued, pdf = password_reset_issue(users=people)
        except Exception as exc:  # PDF library missing or broken: nothing was changed
            return self._pdf_failed(request, exc)
        return self._credentials_response(request, issued, pdf, title=_("Nowe hasła"), reset=True)

    @admin.action(description=_("Oświadczenie otrzymane – aktywuj konto"), permissions=["change"])
    def mark_statement_received(self, request, queryset):
        activated = statement_mark_received(users=list(queryset))
        self.message_user(
            request,
            ngettext("Aktywowano %d konto.", "Aktywowano %d kont.", len(activated))
            % len(activated),
            messages.SUCCESS,
        )

    @admin.action(description=_("Dezaktywuj konto (rezygnacja)"), permissions=["change"])
    def deactivate_accounts(self, request, queryset):
        users = list(queryset.filter(is_superuser=False))
        for user in users:
            account_deactivate(user=user, reason=_("Rezygnacja ze Strefy Klienta"))
        self.message_user(
            request,
            ngettext("Dezaktywowano %d konto.", "Dezaktywowano %d kont.", len(users)) % len(users),
            messages.SUCCESS,
        )


@admin.register(CredentialsSheet)
class CredentialsSheetAdmin(admin.ModelAdmin):
    """Bulk-issued logins: only the person who issued them sees and downloads the PDF."""

    list_display = ["created_at", "people_count", "status", "download_link"]
    fields = ["created_at", "people_count", "status", "error", "download_link"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # wiped automatically after a day

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def get_queryset(self, request):
        credentials_sheets_expire()
        return super().get_queryset(request).filter(created_by=request.user).defer("pdf")

    @admin.display(description=_("wydruk"))
    def download_link(self, obj):
        if obj.status != CredentialsSheet.Status.READY:
            return obj.get_status_display()
        url = reverse("admin:accounts_credentialssheet_pdf", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Pobierz PDF"))

    def get_urls(self):
        download = self.admin_site.admin_view(self.download_view)
        return [
            path("<int:pk>/pdf/", download, name="accounts_credentialssheet_pdf"),
            *super().get_urls(),
        ]

    def download_view(self, request, pk):
        sheet = self.get_queryset(request).defer(None).filter(pk=pk).first()
        if sheet is None or sheet.status != CredentialsSheet.Status.READY:
            raise Http404
        response = HttpResponse(bytes(sheet.pdf), content_type="application/pdf")
        response["Content-Disposition"] = 'attachment; filename="oswiadczenia-o-odbiorze-hasla.pdf"'
        response["Cache-Control"] = "no-store"
        return response


class ResignationHandledFilter(admin.SimpleListFilter):
    title = _("stan wniosku")
    parameter_name = "stan"

    def lookups(self, request, model_admin):
        return [("otwarte", _("czeka na biuro")), ("zalatwione", _("załatwione"))]

    def queryset(self, request, queryset):
        match self.value():
            case "otwarte":
                return queryset.filter(handled_at__isnull=True)
            case "zalatwione":
                return queryset.filter(handled_at__isnull=False)
        return queryset


@admin.register(ResignationRequest)
class ResignationRequestAdmin(CommunityScopedAdminMixin, admin.ModelAdmin):
    community_lookup = "user__ownerships__premises__building__community"
    form = ResignationRequestAdminForm
    list_display = ["user", "created_at", "reason_short", "handled_at", "handled_by"]
    list_filter = [ResignationHandledFilter]
    list_select_related = ["user", "handled_by"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "reason"]
    autocomplete_fields = ["user"]
    readonly_fields = ["created_at", "handled_at", "handled_by"]
    fields = ["user", "created_at", "reason", "handled_at", "handled_by"]
    date_hierarchy = "created_at"
    actions = ["deactivate_and_handle"]

    def scope_queryset(self, request, queryset, action=None):
        # The requests of the people staff manage (office.roles.people_in_communities): never
        # an office colleague's or administrator's, which only the office administrator handles.
        ids = self.scope_ids(request, action)
        if ids is None:
            return queryset
        people = people_in_communities(
            User.objects.all(), ids, to_change=action in ("change", "delete")
        )
        return queryset.filter(user__in=people.values("pk"))

    def response_action(self, request, queryset):
        # The action deactivates accounts: only of people the staff member may change.
        return super().response_action(request, self.scope_queryset(request, queryset, "change"))

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "user", "reason"] if obj else fields

    @admin.display(description=_("powód"))
    def reason_short(self, obj):
        return obj.reason if len(obj.reason) <= 80 else f"{obj.reason[:79]}…"

    @admin.action(
        description=_("Dezaktywuj konto i oznacz jako załatwione"), permissions=["change"]
    )
    def deactivate_and_handle(self, request, queryset):
        requests = list(queryset.filter(handled_at__isnull=True).select_related("user"))
        handled = resignation_handle(requests=requests, handled_by=request.user)
        self.message_user(
            request,
            ngettext(
                "Dezaktywowano %d konto, wniosek oznaczono jako załatwiony.",
                "Dezaktywowano %d kont, wnioski oznaczono jako załatwione.",
                len(handled),
            )
            % len(handled),
            messages.SUCCESS,
        )
