from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView, FormView, ListView

from portal.files import serve_file
from portal.mixins import ResidentRateLimitMixin, ResidentRequiredMixin
from premises.selectors import holding_starts_for_user

from .charts import consumption_chart
from .forms import ReadingForm
from .fragments import WindowStatuses, pk_url
from .selectors import (
    consumption_by_month,
    hide_previous_holders,
    invalidated_readings_for_user,
    mark_correctable,
    meters_by_premises,
    meters_for_user,
    readings_for_user,
    readings_in_full_for_user,
    readings_with_consumption,
    resident_submission_refusal,
    scoped_meters_for_user,
    window_for_meter,
    with_invalidated_flag,
)
from .services import ImplausibleReadingError, reading_correct, reading_submit

HISTORY_PER_PAGE = 24


class MeterListView(ResidentRequiredMixin, ListView):
    template_name = "meters/meter_list.html"
    context_object_name = "meters"
    paginate_by = 50

    def get_queryset(self):
        return meters_for_user(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["groups"] = meters_by_premises(context["meters"])
        window_status = WindowStatuses()
        detail_url, add_url = pk_url("meters:detail"), pk_url("meters:reading_add")
        for group in context["groups"]:
            group.status_html = window_status(group.premises.building.community, group.window)
            for meter in group.meters:
                meter.detail_url, meter.add_url = detail_url(meter.pk), add_url(meter.pk)
        return context


class MeterDetailView(ResidentRequiredMixin, DetailView):
    template_name = "meters/meter_detail.html"
    context_object_name = "meter"

    def get_queryset(self):
        # The page needs the user's holding starts (``hide_previous_holders``): read first, the
        # roles they come from scope the meter by plain premises ids instead of a nested
        # ownership subquery, which took PostgreSQL longer to plan than to run (issue 17).
        holding_starts_for_user(self.request.user)
        return with_invalidated_flag(
            scoped_meters_for_user(self.request.user).select_related("replaces", "replaced_by")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meter = self.object
        # The chart reads every reading anyway: the page of the history comes from the same
        # list (no COUNT, no second query with the window function).
        readings = list(readings_with_consumption(meter))
        page = Paginator(readings, HISTORY_PER_PAGE).get_page(self.request.GET.get("page"))
        window = window_for_meter(meter)
        mark_correctable(page.object_list, meter=meter, user=self.request.user, window=window)
        hide_previous_holders(page.object_list, meter=meter, user=self.request.user)
        months = consumption_by_month(meter, readings=readings)
        context.update(
            page_obj=page,
            readings=page.object_list,
            window=window,
            refusal=resident_submission_refusal(meter),
            months=months,
            invalidated=(
                list(invalidated_readings_for_user(self.request.user, meter))
                if meter.has_invalidated
                else []
            ),
            chart=consumption_chart(months, decimal_places=meter.decimal_places),
        )
        return context


class _ReadingFormView(ResidentRequiredMixin, ResidentRateLimitMixin, FormView):
    rate_limit_scope = "reading"
    form_class = ReadingForm
    template_name = "meters/reading_form.html"

    meter = None  # set by subclasses

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            meter=self.meter, refusal=resident_submission_refusal(self.meter), **kwargs
        )

    def save(self, form):
        raise NotImplementedError

    def form_invalid(self, form):
        # The browser empties the file field on the form shown again: say so, or the resident
        # who confirms an unusual value saves it without the photo that proves it.
        if self.request.FILES.get("photo") and "photo" not in form.errors:
            form.add_error(
                "photo",
                _("Zdjęcie nie zostało zapisane – wybierz je ponownie przed zapisaniem odczytu."),
            )
        return super().form_invalid(form)

    def form_valid(self, form):
        try:
            self.save(form)
        except ImplausibleReadingError as error:
            form.ask_confirmation()
            # On the checkbox the user has to tick: the summary links to it, and a screen
            # reader reads the message with it (aria-describedby, aria-invalid).
            form.add_error("confirmed", error)
            return self.form_invalid(form)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        return redirect("meters:detail", pk=self.meter.pk)


class ReadingCreateView(_ReadingFormView):
    @cached_property
    def meter(self):
        return get_object_or_404(scoped_meters_for_user(self.request.user), pk=self.kwargs["pk"])

    def get_initial(self):
        return {"read_on": timezone.localdate()}

    def save(self, form):
        reading_submit(
            user=self.request.user,
            meter=self.meter,
            value=form.cleaned_data["value"],
            read_on=form.cleaned_data["read_on"],
            photo=form.cleaned_data.get("photo"),
            confirmed=form.cleaned_data.get("confirmed", False),
        )
        messages.success(self.request, _("Odczyt został zapisany. Dziękujemy!"))


class ReadingCorrectView(_ReadingFormView):
    @cached_property
    def reading(self):
        # A replaced reading too: a double click posts its correction twice (the service
        # answers the second with the first's result).
        own = readings_for_user(self.request.user).filter(
            Q(is_current=True) | Q(superseded_by__isnull=False), submitted_by=self.request.user
        )
        return get_object_or_404(own, pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        if not self.reading.is_current:
            return redirect("meters:detail", pk=self.meter.pk)
        return super().get(request, *args, **kwargs)

    @cached_property
    def meter(self):
        return self.reading.meter

    def get_initial(self):
        return {"read_on": self.reading.read_on, "value": self.meter.quantize(self.reading.value)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(correcting=self.reading, **kwargs)

    def save(self, form):
        reading_correct(
            user=self.request.user,
            reading=self.reading,
            value=form.cleaned_data["value"],
            read_on=form.cleaned_data["read_on"],
            photo=form.cleaned_data.get("photo"),
            confirmed=form.cleaned_data.get("confirmed", False),
        )
        messages.success(
            self.request, _("Odczyt został poprawiony. Poprzednia wartość pozostaje w archiwum.")
        )


class ReadingPhotoView(ResidentRequiredMixin, View):
    """The photo (or its thumbnail) of a reading of one of the user's meters, taken since the
    user holds the premises (a previous holder's photos answer 404)."""

    thumbnail = False

    def get(self, request, pk):
        reading = get_object_or_404(readings_in_full_for_user(request.user), pk=pk)
        return serve_file(reading.thumbnail if self.thumbnail else reading.photo, inline=True)
