import datetime

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from lib.phones import format_phone
from office import roles
from office.admin_mixins import CommunityScopedAdminMixin
from portal.files import serve_file

from .forms import FailureAdminForm
from .models import (
    FailureComment,
    FailureNumberCounter,
    FailurePhoto,
    FailureReport,
    FailureStatusChange,
)
from .services import (
    failure_change_status,
    failure_comment_add,
    failure_photo_add,
    failure_register,
)


class AgeFilter(admin.SimpleListFilter):
    title = _("wiek zgłoszenia")
    parameter_name = "wiek"

    def lookups(self, request, model_admin):
        return [
            ("do7", _("poniżej 7 dni")),
            ("7-30", _("7–30 dni")),
            ("ponad30", _("ponad 30 dni")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        week_ago = now - datetime.timedelta(days=7)
        month_ago = now - datetime.timedelta(days=30)
        match self.value():
            case "do7":
                return queryset.filter(created_at__gt=week_ago)
            case "7-30":
                return queryset.filter(created_at__lte=week_ago, created_at__gt=month_ago)
            case "ponad30":
                return queryset.filter(created_at__lte=month_ago)
        return queryset


def _photo_preview(photo):
    """A thumbnail linking to the full photo, both served by the access-checked admin view."""
    if photo.pk is None or photo.report_id is None:
        return "—"  # a crafted extra row re-shown with its errors
    url = reverse("admin:failures_failurereport_photo", args=[photo.report_id, photo.pk])
    return format_html(
        '<a href="{}"><img src="{}?miniatura=1" alt="{}" width="120"></a>', url, url, _("zdjęcie")
    )


class FailureStatusChangeInline(admin.TabularInline):
    model = FailureStatusChange
    extra = 0
    can_delete = False
    fields = ["changed_at", "from_status", "to_status", "comment", "changed_by"]
    readonly_fields = fields
    verbose_name_plural = _("historia statusu (zmiana: pola „Zmień status na” powyżej)")

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by")


class FailurePhotoInline(admin.TabularInline):
    model = FailurePhoto
    extra = 0
    fields = ["preview", "added_by_office", "added_by", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False  # photos are added through the form's field, which sanitises them

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("added_by")

    @admin.display(description=_("podgląd"))
    def preview(self, photo):
        return _photo_preview(photo)


def _report_in_scope(request, report, model, action) -> bool:
    """Whether the user may do ``action`` with ``model`` in the report's community."""
    ids = roles.community_ids_for(request.user, model, action)
    return ids is None or (report is not None and report.building.community_id in ids)


class FailureCommentInline(admin.StackedInline):
    """Comments of the office and the board; existing ones stay as written for the board."""

    model = FailureComment
    extra = 1
    fields = ["created_at", "author_role", "author", "body", "visible_to_residents"]
    readonly_fields = ["created_at", "author_role", "author"]
    verbose_name = _("komentarz")
    verbose_name_plural = _(
        "komentarze (wewnętrzne, chyba że zaznaczono „widoczny dla mieszkańców”)"
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")

    def has_add_permission(self, request, obj=None):
        return (
            obj is not None
            and super().has_add_permission(request, obj)
            and _report_in_scope(request, obj, FailureComment, "add")
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and _report_in_scope(
            request, obj, FailureComment, "change"
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and _report_in_scope(
            request, obj, FailureComment, "delete"
        )


@admin.register(FailureReport)
class FailureReportAdmin(CommunityScopedAdminMixin, SimpleHistoryAdmin):
    community_lookup = "building__community"
    form = FailureAdminForm
    list_display = [
        "number",
        "created_at",
        "building",
        "place",
        "status",
        "reporter",
        "contact_phone_display",
        "age_days",
    ]
    list_display_links = ["number"]
    list_filter = [
        "status",
        AgeFilter,
        "building__community",  # the mixin offers only the user's communities
        ("building", admin.RelatedOnlyFieldListFilter),
        ("created_at", admin.DateFieldListFilter),  # a date drill-down would read every report
    ]
    list_select_related = ["building", "premises", "reporter"]
    search_fields = [
        "number",
        "description",
        "contact_phone",
        "reporter__last_name",
        "reporter__first_name",
        "reporter__username",
        "building__street",
    ]
    autocomplete_fields = ["building", "premises", "reporter"]
    show_full_result_count = False
    inlines = [FailureStatusChangeInline, FailureCommentInline, FailurePhotoInline]
    readonly_fields = ["number", "status", "created_at", "status_changed_at", "reporter_contact"]
    actions = ["mark_accepted", "mark_in_progress", "mark_done", "mark_rejected"]

    # --- board members: the report is read-only, its form only posts their comments ---------

    def report_editable(self, request, obj=None) -> bool:
        """Django's change permission on the report itself, within the user's scope."""
        return super().has_change_permission(request, obj)

    def comment_only(self, request, obj) -> bool:
        """A board member (or anyone who may comment but not handle the report)."""
        return (
            obj is not None
            and not self.report_editable(request, obj)
            and super().has_view_permission(request, obj)
            and request.user.has_perm("failures.add_failurecomment")
            and _report_in_scope(request, obj, FailureComment, "add")
        )

    def has_change_permission(self, request, obj=None):
        # The change form must accept a board member's POST; what it saves is limited below.
        return self.report_editable(request, obj) or self.comment_only(request, obj)

    def get_inlines(self, request, obj):
        inlines = super().get_inlines(request, obj)
        # A report taken by phone gets its comments once it has a number.
        return inlines if obj is not None else [i for i in inlines if i is not FailureCommentInline]

    def has_change_history_permission(self, request, obj=None):
        return self.report_editable(request, obj)  # no "revert" for commenters

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if self.comment_only(request, obj):
            for _name, options in self.get_fieldsets(request, obj):
                fields += [f for f in options["fields"] if f not in fields]
        return fields

    def _bulk_change(self, request, queryset, to_status):
        if not self.has_change_permission(request):
            raise PermissionDenied
        changed, refused = 0, []
        for report in queryset:
            try:
                failure_change_status(report=report, to_status=to_status, changed_by=request.user)
                changed += 1
            except ValidationError:
                refused.append(report.number)
        label = FailureReport.Status(to_status).label
        if changed:
            self.message_user(
                request,
                _("Zgłoszenia przeniesione do statusu „%(status)s”: %(count)d.")
                % {"count": changed, "status": label},
                messages.SUCCESS,
            )
        if refused:
            self.message_user(
                request,
                _("Tych zgłoszeń nie można przenieść do statusu „%(status)s”: %(numbers)s.")
                % {"status": label, "numbers": ", ".join(refused)},
                messages.WARNING,
            )

    @admin.action(description=_("Zmień status na: przyjęta"), permissions=["change"])
    def mark_accepted(self, request, queryset):
        self._bulk_change(request, queryset, FailureReport.Status.ACCEPTED)

    @admin.action(description=_("Zmień status na: w realizacji"), permissions=["change"])
    def mark_in_progress(self, request, queryset):
        self._bulk_change(request, queryset, FailureReport.Status.IN_PROGRESS)

    @admin.action(description=_("Zmień status na: zakończona"), permissions=["change"])
    def mark_done(self, request, queryset):
        self._bulk_change(request, queryset, FailureReport.Status.DONE)

    @admin.action(description=_("Zmień status na: odrzucona"), permissions=["change"])
    def mark_rejected(self, request, queryset):
        self._bulk_change(request, queryset, FailureReport.Status.REJECTED)

    def get_fieldsets(self, request, obj=None):
        report = (None, {"fields": ["building", "premises", "description"]})
        reporter = (_("Zgłaszający"), {"fields": ["reporter", "contact_phone"]})
        if obj is None:
            return [report, reporter, (_("Zdjęcie"), {"fields": ["repair_photo"]})]
        fieldsets = [
            (None, {"fields": ["number", "status", "created_at", "status_changed_at"]}),
            report,
            (_("Zgłaszający"), {"fields": ["reporter", "contact_phone", "reporter_contact"]}),
        ]
        if self.report_editable(request, obj):
            handling = ["new_status", "status_comment", "repair_photo"]
            fieldsets.append((_("Obsługa zgłoszenia"), {"fields": handling}))
        return fieldsets

    @admin.display(description=_("miejsce"))
    def place(self, report):
        if report.premises_id:
            return _("lokal %(number)s") % {"number": report.premises.number}
        return _("część wspólna")

    @admin.display(description=_("telefon kontaktowy"), ordering="contact_phone")
    def contact_phone_display(self, report):
        return format_phone(report.contact_phone)

    @admin.display(description=_("dni od zgłoszenia"))
    def age_days(self, report):
        return (timezone.now() - report.created_at).days

    @admin.display(description=_("dane kontaktowe z profilu"))
    def reporter_contact(self, report):
        user = report.reporter
        rows = [
            (_("Imię i nazwisko"), user.get_full_name() or user.username),
            (_("Login"), user.username),
            (_("Telefon (profil)"), format_phone(user.phone) or "—"),
            (_("E-mail"), user.email or "—"),
        ]
        return format_html_join("", "<div>{}: {}</div>", rows)

    def save_model(self, request, obj, form, change):
        if not change:
            photos = [form.processed_photo] if form.processed_photo else []
            failure_register(report=obj, created_by=request.user, photos=photos)
            return
        if not self.report_editable(request, obj):
            return  # a commenter's POST (or a history "revert") never saves the report
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not FailureComment:
            return super().save_formset(request, form, formset, change)
        comments = formset.save(commit=False)
        by_board = roles.speaks_for_board(request.user, form.instance.building.community_id)
        for comment in formset.deleted_objects:
            comment.delete()
        for comment in comments:
            if comment.pk:
                comment.save()
            else:
                failure_comment_add(
                    report=form.instance,
                    author=request.user,
                    body=comment.body,
                    visible_to_residents=comment.visible_to_residents,
                    by_board=by_board,
                )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change or not self.report_editable(request, form.instance):
            return
        report = form.instance
        if form.processed_photo:
            failure_photo_add(
                report=report,
                image=form.processed_photo,
                added_by=request.user,
                added_by_office=True,
            )
        if form.cleaned_data.get("new_status"):
            try:
                failure_change_status(
                    report=report,
                    to_status=form.cleaned_data["new_status"],
                    comment=form.cleaned_data.get("status_comment", ""),
                    changed_by=request.user,
                )
            except ValidationError as error:
                # Someone else changed the status meanwhile; the rest of the form is saved.
                self.message_user(request, " ".join(error.messages), messages.ERROR)

    def get_urls(self):
        urls = [
            path(
                "<int:pk>/zdjecie/<int:photo_pk>/",
                self.admin_site.admin_view(self.photo_view),
                name="failures_failurereport_photo",
            )
        ]
        return urls + super().get_urls()

    def photo_view(self, request, pk, photo_pk):
        report = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_or_change_permission(request, report):
            raise Http404
        photo = get_object_or_404(report.photos, pk=photo_pk)
        field = photo.thumbnail if request.GET.get("miniatura") else photo.image
        return serve_file(field, download_name=f"{report.pk}-{photo.pk}.jpg", inline=True)


@admin.register(FailureStatusChange)
class FailureStatusChangeAdmin(CommunityScopedAdminMixin, SimpleHistoryAdmin):
    community_lookup = "report__building__community"
    list_display = ["report", "changed_at", "from_status", "to_status", "changed_by"]
    list_filter = ["to_status", "report__building__community"]
    list_select_related = ["report", "changed_by"]
    search_fields = ["report__number", "comment"]
    autocomplete_fields = ["report", "changed_by"]
    readonly_fields = ["report", "from_status", "to_status", "changed_at", "changed_by"]

    def has_add_permission(self, request):
        return False  # status changes go through the report, which checks the transition


@admin.register(FailureComment)
class FailureCommentAdmin(CommunityScopedAdminMixin, SimpleHistoryAdmin):
    community_lookup = "report__building__community"
    list_display = ["report", "created_at", "author_role", "author", "visible_to_residents"]
    list_filter = ["visible_to_residents", "author_role", "report__building__community"]
    list_select_related = ["report", "author"]
    search_fields = ["report__number", "body"]
    autocomplete_fields = ["report"]
    readonly_fields = ["report", "author", "author_role", "created_at"]

    def has_add_permission(self, request):
        return False  # added on the report's page


@admin.register(FailurePhoto)
class FailurePhotoAdmin(CommunityScopedAdminMixin, admin.ModelAdmin):
    community_lookup = "report__building__community"
    list_display = ["__str__", "report", "added_by_office", "created_at"]
    list_filter = ["added_by_office", "report__building__community"]
    list_select_related = ["report"]
    search_fields = ["report__number"]
    autocomplete_fields = ["report", "added_by"]
    fields = ["report", "preview", "width", "height", "added_by_office", "added_by", "created_at"]
    readonly_fields = ["report", "preview", "width", "height", "added_by", "created_at"]

    def has_add_permission(self, request):
        return False  # added on the report's page, through the image sanitiser

    @admin.display(description=_("podgląd"))
    def preview(self, photo):
        return _photo_preview(photo)


@admin.register(FailureNumberCounter)
class FailureNumberCounterAdmin(admin.ModelAdmin):
    list_display = ["year", "last"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # Office users of one community must not infer other communities' volumes.
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.none()
