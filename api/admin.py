from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from office.roles import is_office_admin

from .keys import api_key_issue, api_key_revoke
from .models import ApiKey


class ApiKeyForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ["name", "communities", "access", "expires_on"]

    def clean_expires_on(self):
        expires_on = self.cleaned_data.get("expires_on")
        changed = "expires_on" in self.changed_data
        if expires_on is not None and changed and expires_on < timezone.localdate():
            raise forms.ValidationError(_("Data ważności nie może być wcześniejsza niż dziś."))
        return expires_on


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Only the office administrator manages keys; the secret is shown once, after saving."""

    form = ApiKeyForm
    list_display = [
        "name",
        "prefix",
        "access",
        "created_at",
        "expires_on",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["access"]
    filter_horizontal = ["communities"]
    readonly_fields = ["prefix", "created_by", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_module_permission(self, request):
        return is_office_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_office_admin(request.user)

    def has_add_permission(self, request):
        return is_office_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return is_office_admin(request.user) and (obj is None or obj.revoked_at is None)

    def has_delete_permission(self, request, obj=None):
        return False  # revoked keys stay, so the audit trail of their imports stays readable

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by")

    def save_model(self, request, obj, form, change):
        text = None
        if not change:
            obj.created_by = request.user
            text = api_key_issue(key=obj)
        super().save_model(request, obj, form, change)
        if text:
            messages.warning(
                request,
                _("Klucz API (skopiuj go teraz – nie zostanie pokazany ponownie): %(key)s")
                % {"key": text},
            )

    @admin.action(description=_("Unieważnij wybrane klucze"))
    def revoke(self, request, queryset):
        for key in queryset:
            api_key_revoke(key=key)
        self.message_user(request, _("Klucze unieważniono."), messages.SUCCESS)
