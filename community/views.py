from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView

from portal.files import serve_file
from portal.mixins import ResidentRequiredMixin

from .forms import VoteForm
from .models import Resolution
from .selectors import (
    announcement_attachments_for_user,
    announcements_for_user,
    challenge_deadlines_for_user,
    community_scope_for_user,
    resolution_tally,
    resolutions_for_user,
    tab_name,
    visible_resolutions_for_user,
    votes_of_user,
    voting_slots_for_user,
)
from .services import PROXY_REQUIRED_MESSAGE, announcement_mark_read, vote_cast


class CommunityIndexView(ResidentRequiredMixin, TemplateView):
    """Each community of the user: its data, board, office, announcements and resolutions."""

    template_name = "community/index.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        scope = community_scope_for_user(user)
        communities = scope.communities
        announcements = list(announcements_for_user(user, scope=scope))
        current = (
            resolutions_for_user(user, scope=scope)
            .filter(status__in=[Resolution.Status.VOTING, Resolution.Status.DRAFT])
            .order_by("-status", "voting_closes_at", "-pk")
        )  # "voting" sorts before "draft"
        resolutions = list(current)
        for community in communities:
            community.current_announcements = [
                a for a in announcements if a.community_id == community.pk
            ]
            community.current_resolutions = [
                r for r in resolutions if r.community_id == community.pk
            ]
        return super().get_context_data(
            communities=communities, tab_name=tab_name(communities), **kwargs
        )


class AnnouncementDetailView(ResidentRequiredMixin, DetailView):
    template_name = "community/announcement_detail.html"
    context_object_name = "announcement"

    def get_queryset(self):
        return announcements_for_user(self.request.user)

    def get_object(self, queryset=None):
        announcement = super().get_object(queryset)
        if not announcement.is_read:
            announcement_mark_read(announcement=announcement, user=self.request.user)
            announcement.is_read = True
        return announcement


class AnnouncementAttachmentView(ResidentRequiredMixin, View):
    def get(self, request, pk):
        attachment = get_object_or_404(announcement_attachments_for_user(request.user), pk=pk)
        return serve_file(attachment.file, download_name=attachment.name)


class ResolutionListView(ResidentRequiredMixin, ListView):
    template_name = "community/resolution_list.html"
    context_object_name = "resolutions"
    paginate_by = 20

    def get_queryset(self):
        return resolutions_for_user(self.request.user).order_by("-created_at", "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tab_name"] = tab_name([r.community for r in context["resolutions"]])
        return context


class ResolutionView(ResidentRequiredMixin, FormView):
    """A resolution with its live tally; owners vote here (POST) for each of their premises."""

    template_name = "community/resolution_detail.html"
    form_class = VoteForm

    @cached_property
    def resolution(self) -> Resolution:
        return get_object_or_404(
            visible_resolutions_for_user(self.request.user), pk=self.kwargs["pk"]
        )

    @cached_property
    def slots(self):
        return voting_slots_for_user(self.request.user, self.resolution)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["premises_ids"] = [s.premises.pk for s in self.slots if s.may_vote]
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        posted = context.pop("form")
        is_open = self.resolution.is_open() and self.resolution.community.voting_enabled
        for slot in self.slots:
            slot.form = None
            if is_open and slot.may_vote and slot.refusal is None:
                # Otherwise no form, who votes is shown (``vote_refusal``): another co-owner's
                # ballot binds the premises, or the proxy votes for it; one owner – one vote
                # (one member – one vote), the ballot cast for another premises of the owner
                # is changed where it was cast.
                posted_here = posted.is_bound and posted.data.get("premises") == str(
                    slot.premises.pk
                )
                initial = {"premises": slot.premises.pk}
                if slot.vote:
                    initial["choice"] = slot.vote.choice
                slot.form = (
                    posted
                    if posted_here
                    else VoteForm(initial=initial, auto_id=f"id_%s_{slot.premises.pk}")
                )
        orphan_errors = posted.is_bound and not any(s.form is posted for s in self.slots)
        return {
            **context,
            "resolution": self.resolution,
            "tab_name": tab_name([self.resolution.community]),
            "tally": resolution_tally(self.resolution),
            "challenge": challenge_deadlines_for_user(self.request.user, self.resolution),
            "slots": self.slots,
            "voting_open": is_open,
            "proxy_required_message": PROXY_REQUIRED_MESSAGE,
            "form_errors": posted.errors if orphan_errors else None,
        }

    def form_valid(self, form):
        slot = next(s for s in self.slots if s.premises.pk == form.cleaned_data["premises"])
        try:
            vote = vote_cast(
                user=self.request.user,
                resolution=self.resolution,
                premises=slot.premises,
                choice=form.cleaned_data["choice"],
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _(
                "Głos „%(choice)s” za lokal %(premises)s został zapisany %(at)s. "
                "Kod potwierdzenia: %(code)s."
            )
            % {
                "choice": vote.get_choice_display(),
                "premises": f"{slot.premises.number}, {slot.premises.building.street}",
                "at": date_format(timezone.localtime(vote.cast_at), "d.m.Y H:i:s"),
                "code": vote.receipt_code,
            },
        )
        return redirect("community:resolution_detail", pk=self.resolution.pk)


class ResolutionReceiptView(ResidentRequiredMixin, TemplateView):
    """The voter's receipt: which vote was recorded for which premises, when, with what code."""

    template_name = "community/resolution_receipt.html"

    def get_context_data(self, **kwargs):
        resolution = get_object_or_404(
            visible_resolutions_for_user(self.request.user), pk=kwargs["pk"]
        )
        return super().get_context_data(
            resolution=resolution, votes=votes_of_user(self.request.user, resolution), **kwargs
        )


class ResolutionPdfView(ResidentRequiredMixin, View):
    def get(self, request, pk):
        resolution = get_object_or_404(visible_resolutions_for_user(request.user), pk=pk)
        number = resolution.number.replace("/", "-")
        return serve_file(resolution.pdf, download_name=f"uchwala-{number}.pdf")
