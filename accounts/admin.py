import base64

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from premises.models import Ownership

from .forms import PersonCreationForm
from .models import User
from .pdf import acknowledgement_pdf
from .services import account_deactivate, login_generate, login_issue, statement_mark_received


class OwnershipInline(admin.TabularInline):
    model = Ownership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["premises"]
    fields = ["premises", "role", "valid_from", "valid_to", "is_correspondence_recipient"]


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin):
    add_form = PersonCreationForm
    add_fieldsets = (
        (None, {"fields": ("first_name", "last_name", "email", "phone", "correspondence_address")}),
    )
    fieldsets = (
        (None, {"fields": ("username",)}),
        (
            _("Dane osobowe i kontaktowe"),
            {"fields": ("first_name", "last_name", "email", "phone", "correspondence_address")},
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
        "phone",
        "account_state_display",
        "login_issued_at",
        "last_login",
    ]
    list_filter = ["is_active", "is_staff", ("login_issued_at", admin.EmptyFieldListFilter)]
    search_fields = ["username", "first_name", "last_name", "email", "phone"]
    ordering = ["last_name", "first_name"]
    inlines = [OwnershipInline]
    actions = ["issue_logins", "mark_statement_received", "deactivate_accounts"]

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    @admin.display(description=_("stan konta"))
    def account_state_display(self, obj):
        return obj.account_state

    def save_model(self, request, obj, form, change):
        if not change and not obj.username:
            obj.username = login_generate()
            obj.set_unusable_password()
            obj.is_active = False
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Wydaj login i hasło, wydrukuj oświadczenie"))
    def issue_logins(self, request, queryset):
        people = list(queryset.filter(is_staff=False))
        if not people:
            self.message_user(
                request, _("Wybierz osoby (nie pracowników biura)."), messages.WARNING
            )
            return None
        issued = login_issue(users=people)
        pdf = base64.b64encode(acknowledgement_pdf(issued)).decode("ascii")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Wydane loginy"),
            "opts": self.model._meta,
            "credentials": issued,
            "pdf_data_uri": f"data:application/pdf;base64,{pdf}",
        }
        return TemplateResponse(request, "admin/accounts/issued_logins.html", context)

    @admin.action(description=_("Oświadczenie otrzymane – aktywuj konto"))
    def mark_statement_received(self, request, queryset):
        activated = statement_mark_received(users=list(queryset))
        self.message_user(
            request,
            ngettext("Aktywowano %d konto.", "Aktywowano %d kont.", len(activated))
            % len(activated),
            messages.SUCCESS,
        )

    @admin.action(description=_("Dezaktywuj konto (rezygnacja)"))
    def deactivate_accounts(self, request, queryset):
        users = list(queryset.filter(is_superuser=False))
        for user in users:
            account_deactivate(user=user, reason=_("Rezygnacja ze Strefy Klienta"))
        self.message_user(
            request,
            ngettext("Dezaktywowano %d konto.", "Dezaktywowano %d kont.", len(users)) % len(users),
            messages.SUCCESS,
        )
