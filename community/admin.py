import copy

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import construct_instance
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from office.admin_mixins import CommunityScopedAdminMixin
from portal.pdf import render_pdf

from .models import (
    Announcement,
    AnnouncementAttachment,
    AnnouncementRead,
    CoOwnersProxy,
    Counting,
    OutcomeNotice,
    Resolution,
    Vote,
    VotingRules,
)
from .selectors import (
    ballots_cast_under,
    community_share_sum,
    counted_ballots,
    has_vote_tally,
    natural_sorted,
    protocol_rows,
    resolution_tally,
)
from .services import (
    announcement_notify,
    outcome_notice_check_delivery,
    outcome_notice_record_delivery,
    paper_vote_record,
    paper_vote_validate,
    resolution_check_frozen,
    resolution_close,
    resolution_closing_problems,
    resolution_open_voting,
    resolution_opening_problems,
    resolution_withdraw,
    resolution_withdrawing_problems,
)
from .tally import percent


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
    ordering = ["premises__building__street", "premises__number", "cast_at"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("premises__building", "voter", "recorded_by")
        )


class ResolutionForm(forms.ModelForm):
    """A draft is edited freely; voting is opened by the action (after a confirmation screen),
    never by setting the status; once open the frozen fields are read-only (and refused)."""

    class Meta:
        model = Resolution
        fields = [
            "community",
            "number",
            "title",
            "text",
            "pdf",
            "status",
            "published",
            "counting",
            "per_owner_basis",
            "per_owner_demand_premises",
            "per_owner_demand_on",
            "voting_opens_at",
            "voting_closes_at",
            "decided_on",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        status = self.fields.get("status")
        if status is not None:
            # A resolution adopted at a meeting may be recorded as such; "w głosowaniu" and
            # "wycofana" only through the actions (with their checks and notices).
            by_action = (Resolution.Status.VOTING, Resolution.Status.WITHDRAWN)
            status.choices = [c for c in status.choices if c[0] not in by_action]
        counting = self.fields.get("counting")
        if counting is not None and not self.instance.pk:
            counting.help_text = _(
                "We wspólnocie: według udziałów, albo „jeden właściciel – jeden głos”, gdy tak "
                "stanowi umowa lub uchwała właścicieli (wpisz ją jako podstawę) albo na żądanie "
                "właścicieli co najmniej 1/5 udziałów, jeśli suma udziałów nie jest równa 1 lub "
                "większość udziałów ma jeden właściciel (wskaż lokale żądających i datę żądania). "
                "W spółdzielni: jeden członek – jeden głos."
            )

    def clean(self):
        cleaned = super().clean()
        # What the save would store: the instance (in the history's "revert", the old
        # version) with the form's values on it.
        candidate = construct_instance(self, copy.copy(self.instance))
        try:
            resolution_check_frozen(
                resolution=candidate, demand_premises=cleaned.get("per_owner_demand_premises")
            )
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from error
        community = cleaned.get("community") or (
            self.instance.community if self.instance.community_id else None
        )
        counting = cleaned.get("counting")
        if community is not None and counting:
            cooperative = community.kind == community.Kind.COOPERATIVE
            if cooperative and counting != Counting.PER_MEMBER:
                self.add_error(
                    "counting",
                    _(
                        "W spółdzielni każdy członek ma jeden głos (art. 36 § 1 prawa "
                        "spółdzielczego)."
                    ),
                )
            if not cooperative and counting == Counting.PER_MEMBER:
                self.add_error(
                    "counting", _("„Jeden członek – jeden głos” dotyczy tylko spółdzielni.")
                )
        demand = cleaned.get("per_owner_demand_premises")
        if (
            community is not None
            and demand
            and any(p.building.community_id != community.pk for p in demand)
        ):
            self.add_error(
                "per_owner_demand_premises",
                _("Wskaż lokale tej wspólnoty, której dotyczy uchwała."),
            )
        return cleaned


@admin.register(Resolution)
class ResolutionAdmin(CommunityScopedAdminMixin, SimpleHistoryAdmin):
    community_lookup = "community"
    form = ResolutionForm
    list_display = [
        "number",
        "title",
        "community",
        "status",
        "counting",
        "voting_opens_at",
        "voting_closes_at",
        "decided_on",
    ]
    list_filter = ["status", "community"]
    list_select_related = ["community"]
    search_fields = ["number", "title", "community__name"]
    autocomplete_fields = ["community", "per_owner_demand_premises"]
    inlines = [VoteInline]
    actions = ["open_voting", "close_voting", "withdraw"]
    readonly_fields = [
        "shares_check",
        "closed_at",
        "closed_by",
        "notified_at",
        "tally_display",
        "protocol_link",
    ]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj and obj.status != Resolution.Status.DRAFT:
            # Owners vote on exactly this text, attachment, period and counting mode.
            fields += [*Resolution.FROZEN_FIELDS, "status", "published", "decided_on"]
        return fields

    def get_deleted_objects(self, objs, request):
        """Only a draft may be deleted (one at a time or by the bulk action): owners have
        seen a resolution under vote, and a decided one is the community's record."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        kept = [
            _(
                "Uchwała %(resolution)s ma status „%(status)s” – usunąć można tylko projekt. "
                "Uchwałę w głosowaniu wycofaj; podjęta, niepodjęta i wycofana zostają "
                "w dokumentacji."
            )
            % {"resolution": resolution, "status": resolution.get_status_display()}
            for resolution in objs
            if resolution.status != Resolution.Status.DRAFT
        ]
        return deleted, counts, perms_needed, [*protected, *kept]

    @admin.display(description=_("udziały we wspólnocie"))
    def shares_check(self, obj):
        if not obj or not obj.pk or not obj.community_id:
            return "–"
        if obj.is_cooperative:
            return _("spółdzielnia: jeden członek – jeden głos, udziały nie mają znaczenia")
        total, missing = community_share_sum(obj.community_id)
        text = _("suma udziałów: %(percent)s%% (%(total)s)") % {
            "percent": number_format(percent(total), 2),
            "total": f"{total.numerator}/{total.denominator}",
        }
        if total != 1:
            text += " – " + str(_("musi wynosić dokładnie 1; głosowania nie można otworzyć"))
        if missing:
            text += "; " + str(_("lokale bez udziału: %(list)s")) % {
                "list": ", ".join(str(p) for p in missing)
            }
        return text

    @admin.display(description=_("wynik"))
    def tally_display(self, obj):
        if not obj or not obj.pk or not has_vote_tally(obj):
            return "–"
        tally = resolution_tally(obj)
        return format_html("{}{}", self._tally_lines(obj, tally), self._unknown_owner(tally))

    @staticmethod
    def _unknown_owner(tally):
        """The premises whose owner on the voting day is not on record (sold, the buyer not
        entered): counted as not voted; the office enters the buyer."""
        if not tally.unknown.count or tally.by_member:
            return ""
        if tally.by_owner:
            return format_html(
                " · {}",
                _("właściciel nieustalony: {}, liczony jako niegłosujący").format(
                    tally.unknown.count
                ),
            )
        return format_html(
            " · {}",
            _("właściciel nieustalony: {} ({}% udziałów), liczony jako niegłosujący").format(
                tally.unknown.count, tally.unknown.percent
            ),
        )

    @staticmethod
    def _tally_lines(obj, tally):
        if tally.by_person:
            unit = _("członkowie") if tally.by_member else _("właściciele")
            return format_html(
                str(
                    _(
                        "{} ({}): za {} ({}%) · przeciw {} ({}%) · wstrzymujący się {} ({}%) · "
                        "nie głosowali {} ({}%) · wszyscy {}"
                    )
                ),
                unit,
                obj.get_counting_display(),
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
            str(
                _(
                    "% wszystkich udziałów (lokale): za {}% ({}) · przeciw {}% ({}) · "
                    "wstrzymujące się {}% ({}) · nie głosowały {}% ({})"
                )
            ),
            tally.for_.percent,
            tally.for_.count,
            tally.against.percent,
            tally.against.count,
            tally.abstain.percent,
            tally.abstain.count,
            tally.not_voted.percent,
            tally.not_voted.count,
        )

    @admin.display(description=_("protokół"))
    def protocol_link(self, obj):
        if not obj or not obj.pk or not has_vote_tally(obj):
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
                "rows": protocol_rows(resolution),
                "demand": natural_sorted(
                    resolution.per_owner_demand_premises.select_related("building")
                ),
                "printed_at": timezone.now(),
                "printed_by": request.user,
            },
        )
        number = resolution.number.replace("/", "-")
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="protokol-uchwala-{number}.pdf"'
        return response

    def _confirm(self, request, queryset, *, mode, title, button, perform, done_message):
        """Open/close only after a confirmation screen that shows what will happen."""
        queryset = queryset.select_related("community")
        if request.POST.get("confirm") == "yes":
            done = 0
            for resolution in queryset:
                try:
                    with transaction.atomic():
                        perform(resolution)
                except ValidationError as error:
                    self.message_user(
                        request,
                        f"{resolution.number}: {' '.join(error.messages)}",
                        messages.ERROR,
                    )
                else:
                    done += 1
            if done:
                self.message_user(request, done_message % {"n": done})
            return None
        items = []
        for resolution in queryset:
            if mode == "open":
                problems = resolution_opening_problems(resolution)
            elif mode == "close":
                problems = resolution_closing_problems(resolution)
            else:
                problems = resolution_withdrawing_problems(resolution)
            items.append({"resolution": resolution, "problems": problems})
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "items": items,
            "mode": mode,
            "button": button,
            "action": request.POST.get("action"),
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "any_ok": any(not item["problems"] for item in items),
        }
        return TemplateResponse(request, "admin/community/resolution/confirm_voting.html", context)

    @admin.action(description=_("Otwórz głosowanie (po potwierdzeniu; powiadom właścicieli)"))
    def open_voting(self, request, queryset):
        return self._confirm(
            request,
            queryset,
            mode="open",
            title=_("Potwierdź otwarcie głosowania"),
            button=_("Tak, otwórz głosowanie"),
            perform=lambda r: resolution_open_voting(resolution=r, opened_by=request.user),
            done_message=_("Otwarto głosowanie: %(n)d."),
        )

    @admin.action(
        description=_("Zamknij głosowanie po terminie, policz głosy i powiadom właścicieli")
    )
    def close_voting(self, request, queryset):
        return self._confirm(
            request,
            queryset,
            mode="close",
            title=_("Potwierdź zamknięcie głosowania"),
            button=_("Tak, zamknij głosowanie"),
            perform=lambda r: resolution_close(resolution=r, closed_by=request.user),
            done_message=_("Zamknięto głosowanie: %(n)d."),
        )

    @admin.action(description=_("Wycofaj uchwałę (po potwierdzeniu)"))
    def withdraw(self, request, queryset):
        return self._confirm(
            request,
            queryset,
            mode="withdraw",
            title=_("Potwierdź wycofanie uchwały"),
            button=_("Tak, wycofaj uchwałę"),
            perform=lambda r: resolution_withdraw(resolution=r, withdrawn_by=request.user),
            done_message=_("Wycofano uchwały: %(n)d."),
        )


class PaperVoteForm(forms.ModelForm):
    """A paper ballot entered (or corrected) by the office; the voting rules are the online
    ones. A correction keeps the voter and premises and changes the choice or date."""

    class Meta:
        model = Vote
        fields = ["resolution", "premises", "voter", "choice", "cast_at"]
        help_texts = {"cast_at": _("Data z karty do głosowania.")}

    def clean(self):
        cleaned = super().clean()
        resolution, premises, voter = (
            self._value(cleaned, key) for key in ("resolution", "premises", "voter")
        )
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

    def _value(self, cleaned, key):
        """A correction's read-only person and premises come from the ballot being corrected."""
        if key in cleaned:
            return cleaned[key]
        if self.instance.pk and getattr(self.instance, f"{key}_id", None):
            return getattr(self.instance, key)
        return None

    def validate_unique(self):
        """A second paper ballot of the same person for the premises corrects the first
        (the service updates it, with history) instead of failing as a duplicate."""


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

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            # A correction of a paper ballot: the same person and premises.
            return ["resolution", "premises", "voter", "source", "recorded_by", "receipt_code"]
        return []

    def has_change_permission(self, request, obj=None):
        # Online votes are the owner's own; only a paper ballot is corrected by the office.
        if obj is not None and obj.source != Vote.VoteSource.PAPER:
            return False
        return super().has_change_permission(request, obj)

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
        # Whether it counts, by the tally's own rule (per premises, owner or member).
        counts_instead = counted_ballots(vote.resolution).get(vote.pk)
        if counts_instead is None:
            self.message_user(
                request,
                _(
                    "Karta zapisana, ale się nie liczy: głosujący nie jest już uprawniony do "
                    "głosu za ten lokal."
                ),
                messages.WARNING,
            )
        elif counts_instead != vote.pk:
            effective = Vote.objects.select_related("premises__building").get(pk=counts_instead)
            self.message_user(
                request,
                _(
                    "Karta zapisana, ale liczy się późniejszy głos z %(date)s (%(source)s, "
                    "lokal %(premises)s)."
                )
                % {
                    "date": date_format(timezone.localtime(effective.cast_at), "d.m.Y H:i"),
                    "source": effective.get_source_display(),
                    "premises": effective.premises,
                },
                messages.WARNING,
            )


@admin.register(CoOwnersProxy)
class CoOwnersProxyAdmin(CommunityScopedAdminMixin, SimpleHistoryAdmin):
    """Art. 23 ust. 2b: the co-owners' written appointment of who votes for their premises."""

    community_lookup = "premises__building__community"
    list_display = ["premises", "proxy", "granted_on", "valid_from", "valid_to"]
    list_select_related = ["premises__building", "proxy"]
    search_fields = ["premises__number", "premises__building__street", "proxy__last_name"]
    autocomplete_fields = ["premises", "proxy"]
    readonly_fields = ["created_by"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["help_texts"] = {
            "premises": _(
                "Lokal współwłaścicieli albo jednego właściciela, który głosuje przez "
                "pełnomocnika. Dla lokalu, który nie miał jeszcze właściciela w rejestrze "
                "(niewyodrębniony): pełnomocnik właściciela pierwotnego, np. dewelopera; jego "
                "głos liczy się za wszystkie lokale właściciela pierwotnego."
            )
        }
        return super().get_form(request, obj, change, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def get_deleted_objects(self, objs, request):
        """An appointment under which the proxy voted is kept: the ballot stays valid after
        the appointment ends (``entitled_votes``), and without the record nobody could tell
        why it counts. The office ends it with "ważne do" instead."""
        deleted, counts, perms, protected = super().get_deleted_objects(objs, request)
        for votes in ballots_cast_under(objs).values():
            protected.extend(
                _(
                    "Głos pełnomocnika: uchwała %(number)s, lokal %(premises)s, %(date)s – "
                    "pozostaje ważny; aby zakończyć pełnomocnictwo, ustaw „ważne do”."
                )
                % {
                    "number": vote.resolution.number,
                    "premises": vote.premises,
                    "date": date_format(timezone.localtime(vote.cast_at), "d.m.Y H:i"),
                }
                for vote in votes
            )
        return deleted, counts, perms, protected


@admin.register(VotingRules)
class VotingRulesAdmin(CommunityScopedAdminMixin, SimpleHistoryAdmin):
    community_lookup = "community"
    list_display = ["community", "min_voting_days"]
    list_select_related = ["community"]
    autocomplete_fields = ["community"]


class OutcomeNoticeForm(forms.ModelForm):
    class Meta:
        model = OutcomeNotice
        fields = ["delivered_on"]

    def clean_delivered_on(self):
        day = self.cleaned_data.get("delivered_on")
        try:
            outcome_notice_check_delivery(notice=self.instance, delivered_on=day)
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from error
        return day


@admin.register(OutcomeNotice)
class OutcomeNoticeAdmin(CommunityScopedAdminMixin, SimpleHistoryAdmin):
    """Who was notified of a resolution's content, how, and when (the challenge period runs
    from it); the office enters the delivery date of letters sent by post."""

    community_lookup = "resolution__community"
    form = OutcomeNoticeForm
    list_display = ["resolution", "premises", "recipient", "channel", "delivered_on"]
    list_filter = ["resolution__community", "letter__delivery_channel"]
    list_select_related = ["resolution", "premises__building", "recipient", "letter"]
    search_fields = ["resolution__number", "premises__number", "recipient__last_name"]
    fields = ["resolution", "premises", "recipient", "letter", "delivered_on"]
    readonly_fields = ["resolution", "premises", "recipient", "letter"]

    @admin.display(description=_("doręczenie"))
    def channel(self, obj):
        return obj.letter.get_delivery_channel_display()

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        outcome_notice_record_delivery(notice=obj, delivered_on=obj.delivered_on)
