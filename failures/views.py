from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView, FormView, ListView

from portal.files import serve_file
from portal.mixins import ResidentRateLimitMixin, ResidentRequiredMixin
from premises.selectors import held_premises_for_user

from .forms import FailureReportForm
from .selectors import (
    can_report_failures,
    failure_detail_for_user,
    failure_list_for_user,
    failure_photos_for_user,
    failure_places_for_user,
)
from .services import failure_create


class FailureListView(ResidentRequiredMixin, ListView):
    template_name = "failures/failure_list.html"
    context_object_name = "reports"
    paginate_by = 10

    def get_queryset(self):
        # The user's premises (one query) give the buildings as a plain list of ids and tell
        # whether reporting is switched on (issue 17: was a nested subquery and an EXISTS).
        self.premises = held_premises_for_user(self.request.user)
        return failure_list_for_user(self.request.user, self.premises)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The "Zgłoś awarię" button only where reporting is switched on.
        context["can_report"] = can_report_failures(self.request.user, self.premises)
        return context


class FailureDetailView(ResidentRequiredMixin, DetailView):
    template_name = "failures/failure_detail.html"
    context_object_name = "report"

    def get_queryset(self):
        return failure_detail_for_user(self.request.user)


class FailureCreateView(ResidentRequiredMixin, ResidentRateLimitMixin, FormView):
    rate_limit_scope = "failure_report"
    template_name = "failures/failure_form.html"
    form_class = FailureReportForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.places = failure_places_for_user(request.user)
            if not self.places:
                messages.warning(
                    request,
                    _(
                        "Zgłaszanie awarii przez Strefę Klienta nie jest dostępne dla Twoich "
                        "lokali. Zadzwoń do Call Center."
                    ),
                )
                return redirect("failures:index")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "places": self.places}

    def form_valid(self, form):
        report = failure_create(
            reporter=self.request.user,
            building=form.building,
            premises=form.premises,
            description=form.cleaned_data["description"],
            contact_phone=form.cleaned_data["contact_phone"],
            photos=form.processed_photos,
        )
        messages.success(
            self.request,
            _(
                "Dziękujemy, przyjęliśmy zgłoszenie nr %(number)s. Podaj ten numer, "
                "jeśli będziesz dzwonić do Call Center."
            )
            % {"number": report.number},
        )
        return redirect("failures:detail", pk=report.pk)


class FailurePhotoView(ResidentRequiredMixin, View):
    """A report's photo or thumbnail, only for residents who may see the report."""

    thumbnail = False

    def get(self, request, pk, photo_pk):
        photo = get_object_or_404(failure_photos_for_user(request.user), pk=photo_pk, report_id=pk)
        field = photo.thumbnail if self.thumbnail else photo.image
        suffix = "-miniatura" if self.thumbnail else ""
        return serve_file(field, download_name=f"awaria-{pk}-{photo.pk}{suffix}.jpg", inline=True)
