from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from portal.admin_mixins import CommunityScopedAdminMixin
from portal.pdf import render_pdf

from .models import Announcement, AnnouncementAttachment, AnnouncementRead, Resolution, Vote
from .selectors import protocol_votes, resolution_tally
from .services import (
    announcement_notify,
    paper_vote_record,
    paper_vote_validate,
    resolution_close,
    resolution_open_voting,
)


class AnnouncementAttachmentInline(admin.TabularInline):
    model = AnnouncementAttachment
    extra = 1


@admin.register(Announcement)
class AnnouncementAdmin(CommunityScopedAdminMixin, SimpleHistoryAdmin):
    community_lookup = "community"
    list_display = [
        "title",
        "community",
        "building",
        "source",
        "pinned",
        "publish_at",
        "expires_at",
        "notified_at",
    ]
    list_filter = ["community", "source", "pinned"]
    list_select_related = ["community", "building"]
    search_fields = ["title", "body", "community__name"]
    autocomplete_fields = ["community", "building"]
    readonly_fields = ["notified_at", "created_by", "created_at"]
    date_hierarchy = "publish_at"
    inlines = [AnnouncementAttachmentInline]
    actions = ["notify_residents"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Published now: tell the residents (future ones are told by ``community_due``).
        sent = announcement_notify(announcement=form.instance)
        if sent:
            self.message_user(request, _("Powiadomiono mieszkańców: %(n)d.") % {"n": sent})

    @admin.action(description=_("Powiadom mieszkańców o wybranych ogłoszeniach"))
    def notify_residents(self, request, queryset):
        sent = sum(announcement_notify(announcement=a) for a in queryset)
        self.message_user(request, _("Powiadomiono mieszkańców: %(n)d.") % {"n": sent})


@admin.register(AnnouncementAttachment)
class AnnouncementAttachmentAdmin(CommunityScopedAdminMixin, admin.ModelAdmin):
    community_lookup = "announcement__community"
    list_display = ["name", "announcement"]
    list_filter = ["announcement__community"]
    list_select_related = ["announcement"]
    search_fields = ["name", "announcement__title"]
    autocomplete_fields = ["announcement"]


@admin.register(AnnouncementRead)
class AnnouncementReadAdmin(CommunityScopedAdminMixin, admin.ModelAdmin):
    """Who opened an announcement: read-only, for the office's questions."""

    community_lookup = "announcement__community"
    list_display = ["announcement", "user", "read_at"]
    list_filter = ["announcement__community"]
    list_select_related = ["announcement", "user"]
    search_fields = ["announcement__title", "user__last_name", "user__username"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class VoteInline(admin.TabularInline):
    model = Vote
    extra = 0
    can_delete = False
    fields = ["premises", "voter", "choice", "source", "cast_at", "recorded_by", "receipt_code"]
    readonly_fields = fields
    ordering = ["premises__building__street", "premises__number"]

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("premises__building", "voter", "recorded_by")
        )


@admin.register(Resolution)
class ResolutionAdmin(CommunityScopedAdminMixin, SimpleHistoryAdmin):
    community_lookup = "community"
    list_display = [
        "number",
        "title",
        "community",
        "status",
        "voting_opens_at",
        "voting_closes_at",
        "decided_on",
    ]
    list_filter = ["status", "community"]
    list_select_related = ["community"]
    search_fields = ["number", "title", "community__name"]
    autocomplete_fields = ["community"]
    inlines = [VoteInline]
    actions = ["open_voting", "close_voting"]
    readonly_fields = ["closed_at", "closed_by", "notified_at", "tally_display", "protocol_link"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj and obj.status != Resolution.Status.DRAFT:
            # Votes decide the status now; the office closes the vote instead of editing it.
            fields += ["community", "status", "voting_opens_at"]
        return fields

    @admin.display(description=_("wynik"))
    def tally_display(self, obj):
        if not obj or not obj.pk or obj.status == Resolution.Status.DRAFT:
            return "–"
        tally = resolution_tally(obj)
        if tally.by_owner:
            return format_html(
                str(
                    _(
                        "właściciele (jeden właściciel – jeden głos): za {} ({}%) · przeciw {} "
                        "({}%) · wstrzymujący się {} ({}%) · nie głosowali {} ({}%) · wszyscy {}"
                    )
                ),
                tally.for_.count,
                tally.for_.percent,
                tally.against.count,
                tally.against.percent,
                tally.abstain.count,
                tally.abstain.percent,
                tally.not_voted.count,
                tally.not_voted.percent,
                tally.total_count,
            )
        return format_html(
            "za {} ({}%) · przeciw {} ({}%) · wstrzymujące się {} ({}%) · nie głosowały {} ({}%)",
            tally.for_.share_display,
            tally.for_.percent,
            tally.against.share_display,
            tally.against.percent,
            tally.abstain.share_display,
            tally.abstain.percent,
            tally.not_voted.share_display,
            tally.not_voted.percent,
        )

    @admin.display(description=_("protokół"))
    def protocol_link(self, obj):
        if not obj or not obj.pk or obj.status == Resolution.Status.DRAFT:
            return "–"
        url = reverse("admin:community_resolution_protocol", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Protokół głosowania (PDF)"))

    def get_urls(self):
        custom = [
            path(
                "<int:pk>/protokol/",
                self.admin_site.admin_view(self.protocol_view),
                name="community_resolution_protocol",
            )
        ]
        return custom + super().get_urls()

    def protocol_view(self, request, pk):
        resolution = get_object_or_404(
            self.get_queryset(request).select_related("community"), pk=pk
        )
        pdf = render_pdf(
            "community/pdf/protocol.html",
            {
                "resolution": resolution,
                "tally": resolution_tally(resolution),
                "votes": protocol_votes(resolution),
                "printed_at": timezone.now(),
                "printed_by": request.user,
            },
        )
        number = resolution.number.replace("/", "-")
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="protokol-uchwala-{number}.pdf"'
        return response

    def _each(self, request, queryset, action, done_message):
        done = 0
        for resolution in queryset:
            try:
                with transaction.atomic():
                    action(resolution)
            except ValidationError as error:
                self.message_user(
                    request, f"{resolution.number}: {' '.join(error.messages)}", messages.ERROR
                )
            else:
                done += 1
        if done:
            self.message_user(request, done_message % {"n": done})

    @admin.action(description=_("Otwórz głosowanie (powiadom właścicieli)"))
    def open_voting(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda r: resolution_open_voting(resolution=r, opened_by=request.user),
            _("Otwarto głosowanie: %(n)d."),
        )

    @admin.action(description=_("Zamknij głosowanie, policz głosy i powiadom właścicieli"))
    def close_voting(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda r: resolution_close(resolution=r, closed_by=request.user),
            _("Zamknięto głosowanie: %(n)d."),
        )


class PaperVoteForm(forms.ModelForm):
    """A paper ballot entered by the office; the voting rules are the online ones."""

    class Meta:
        model = Vote
        fields = ["resolution", "premises", "voter", "choice", "cast_at"]
        help_texts = {"cast_at": _("Data z karty do głosowania.")}

    def clean(self):
        cleaned = super().clean()
        resolution, premises, voter = (cleaned.get(k) for k in ("resolution", "premises", "voter"))
        if resolution and premises and voter:
            try:
                paper_vote_validate(
                    resolution=resolution,
                    premises=premises,
                    voter=voter,
                    cast_at=cleaned.get("cast_at"),
                )
            except ValidationError as error:
                raise forms.ValidationError(error.messages) from error
        return cleaned

    def validate_unique(self):
        """Uniqueness per premises is checked by the service (a voter may correct a ballot)."""


@admin.register(Vote)
class VoteAdmin(CommunityScopedAdminMixin, SimpleHistoryAdmin):
    community_lookup = "resolution__community"
    form = PaperVoteForm
    list_display = [
        "resolution",
        "premises",
        "voter",
        "choice",
        "source",
        "cast_at",
        "recorded_by",
        "receipt_code",
    ]
    list_filter = ["source", "choice", "resolution__community"]
    list_select_related = ["resolution", "premises__building", "voter", "recorded_by"]
    search_fields = [
        "resolution__number",
        "premises__number",
        "premises__building__street",
        "voter__last_name",
        "receipt_code",
    ]
    autocomplete_fields = ["resolution", "premises", "voter"]

    def has_change_permission(self, request, obj=None):
        # Votes are never edited; a corrected paper ballot is entered again as a new one.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        vote = paper_vote_record(
            resolution=obj.resolution,
            premises=obj.premises,
            voter=obj.voter,
            choice=obj.choice,
            recorded_by=request.user,
            cast_at=obj.cast_at,
        )
        obj.pk = vote.pk
        obj.receipt_code = vote.receipt_code
        obj._state.adding = False
