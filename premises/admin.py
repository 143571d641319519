from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from portal.admin_mixins import CommunityScopedAdminMixin

from .models import Building, Community, CommunityRole, Company, Ownership, Premises


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "email"]


class CommunityRoleInline(admin.TabularInline):
    model = CommunityRole
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Community)
class CommunityAdmin(CommunityScopedAdminMixin, SimpleHistoryAdmin):
    community_lookup = ""
    list_display = ["name", "kind", "city", "nip", "payment_due_day", "voting_enabled"]
    list_filter = ["kind", "voting_enabled", "e_delivery_enabled"]
    search_fields = ["name", "nip", "regon", "street", "city"]
    inlines = [CommunityRoleInline]
    fieldsets = (
        (None, {"fields": ("company", "kind", "name", "nip", "regon")}),
        (None, {"fields": ("street", "postal_code", "city", "bank_account", "office_hours")}),
        (
            "Ustawienia",
            {
                "fields": (
                    "payment_due_day",
                    "reading_window_start_day",
                    "reading_window_end_day",
                    "e_delivery_start",
                    "payment_demands_electronic",
                    "vote_threshold",
                    "vote_counting",
                )
            },
        ),
        (
            "Funkcje",
            {
                "fields": (
                    "meter_readings_enabled",
                    "failure_reports_enabled",
                    "voting_enabled",
                    "e_delivery_enabled",
                    "sms_enabled",
                )
            },
        ),
    )


@admin.register(Building)
class BuildingAdmin(CommunityScopedAdminMixin, admin.ModelAdmin):
    list_display = ["street", "postal_code", "city", "community"]
    list_filter = ["community"]
    list_select_related = ["community"]
    search_fields = ["street", "city", "community__name"]
    autocomplete_fields = ["community"]


class OwnershipInline(admin.TabularInline):
    model = Ownership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "valid_from", "valid_to", "is_correspondence_recipient"]


@admin.register(Premises)
class PremisesAdmin(CommunityScopedAdminMixin, SimpleHistoryAdmin):
    community_lookup = "building__community"
    list_display = ["__str__", "kind", "area", "persons", "share_display", "building"]
    list_filter = ["kind", "building__community"]
    list_select_related = ["building"]
    search_fields = ["number", "building__street", "bank_account", "ownerships__user__last_name"]
    autocomplete_fields = ["building"]
    inlines = [OwnershipInline]


@admin.register(Ownership)
class OwnershipAdmin(CommunityScopedAdminMixin, SimpleHistoryAdmin):
    community_lookup = "premises__building__community"
    list_display = [
        "user",
        "premises",
        "role",
        "valid_from",
        "valid_to",
        "is_correspondence_recipient",
    ]
    list_filter = ["role", "premises__building__community"]
    list_select_related = ["user", "premises__building"]
    search_fields = [
        "user__last_name",
        "user__username",
        "premises__number",
        "premises__building__street",
    ]
    autocomplete_fields = ["user", "premises"]
