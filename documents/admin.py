from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from office.admin_mixins import CommunityScopedAdminMixin
from office.roles import is_office_admin

from .models import Document


class DocumentAdminForm(forms.ModelForm):
    class Meta:
        model = Document
        fields = ["community", "category", "title", "description", "file", "published_on"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_community(self):
        community = self.cleaned_data.get("community")
        if community is None and self.user is not None and not is_office_admin(self.user):
            raise forms.ValidationError(
                _("Dokument ogólny (bez wspólnoty) może dodać tylko administrator.")
            )
        return community


@admin.register(Document)
class DocumentAdmin(CommunityScopedAdminMixin, SimpleHistoryAdmin):
    community_lookup = "community"
    form = DocumentAdminForm
    list_display = ["title", "category", "community", "published_on", "created_by"]
    list_filter = ["category", "community", "published_on"]
    list_select_related = ["community", "created_by"]
    search_fields = ["title", "description", "community__name"]
    autocomplete_fields = ["community"]
    date_hierarchy = "published_on"

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)

        class ScopedForm(form_class):
            def __init__(self, *args, **inner):
                super().__init__(*args, user=request.user, **inner)

        return ScopedForm

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
