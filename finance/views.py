from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import ListView

from portal.mixins import ResidentRequiredMixin
from portal.pdf import render_pdf

from .forms import LedgerFilterForm
from .qr import payment_targets, recipient_name
from .selectors import (
    balances_for_user,
    fee_breakdown,
    ledger_for_premises,
    totals_of,
)


def _filter_form(request) -> LedgerFilterForm:
    data = {key: request.GET[key] for key in ("od", "do") if request.GET.get(key)}
    return LedgerFilterForm(data or None)


class FinanceView(ResidentRequiredMixin, ListView):
    """Balances of every premises of the user, and the selected premises' history."""

    template_name = "finance/finance.html"
    context_object_name = "entries"
    paginate_by = 25

    def get_queryset(self):
        self.today = timezone.localdate()
        self.balances = balances_for_user(self.request.user, self.today)
        self.selected = None
        selected_id = self.request.GET.get("lokal")
        if selected_id:
            self.selected = next(
                (b for b in self.balances if str(b.premises.pk) == selected_id), None
            )
            if self.selected is None:
                raise Http404
        elif self.balances:
            self.selected = self.balances[0]
        self.filter_form = _filter_form(self.request)
        if self.selected is None:
            return []
        self.filter_form.is_valid()
        return ledger_for_premises(
            self.selected.premises,
            period=self.selected.period,
            date_from=self.filter_form.date_from,
            date_to=self.filter_form.date_to,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = {k: v for k, v in self.request.GET.items() if k in ("lokal", "od", "do") and v}
        context.update(
            balances=self.balances,
            totals=totals_of(self.balances) if len(self.balances) > 1 else None,
            selected=self.selected,
            filter_form=self.filter_form,
            query_string=urlencode(params),
            # Read with the balances (issue 17: it was a query of its own).
            as_of=self.balances[0].data_as_of if self.balances else None,
            today=self.today,
        )
        if self.selected is not None:
            premises = self.selected.premises
            # The ledger's count (for the pages) and its summary come from one query.
            context["summary"] = self.object_list.summary()
            context["targets"] = targets = payment_targets(self.selected)
            context["recipient_name"] = recipient_name(premises.building.community.name)
            context["breakdown"] = fee_breakdown(self.selected)
            context["has_amount_to_pay"] = any(target.amount > 0 for target in targets)
            statement_params = {k: v for k, v in params.items() if k != "lokal"}
            context["statement_url"] = reverse("finance:statement", args=[premises.pk]) + (
                "?" + urlencode(statement_params) if statement_params else ""
            )
        return context


class StatementPdfView(ResidentRequiredMixin, View):
    """ "Pobierz wyciąg (PDF)": the same period, balances and entries as the page."""

    def get(self, request, pk):
        today = timezone.localdate()
        # The page's figures, from the page's selector: "Kwota do zapłaty" (or the
        # overpayment) today, per fund where funds are kept apart, and "Stan na dzień".
        balance = next(
            (
                b
                for b in balances_for_user(request.user, today, next_payment=False)
                if b.premises.pk == pk
            ),
            None,
        )
        if balance is None:  # not the user's, or no holding period: fail closed
            raise Http404
        premises, period = balance.premises, balance.period
        form = _filter_form(request)
        if form.is_bound and not form.is_valid():
            messages.error(request, _("Popraw okres wyciągu."))
            params = {"lokal": pk, **{k: request.GET.get(k, "") for k in ("od", "do")}}
            return redirect(reverse("finance:index") + "?" + urlencode(params))
        # The statement starts no earlier than the resident's account (holding start) and
        # ends no later than it, where the holder's role has a known end.
        date_from = max(form.date_from or period.start, period.start)
        date_to = form.date_to
        if period.end is not None:
            date_to = min(date_to or period.end, period.end)
        ledger = ledger_for_premises(
            premises, period=period, date_from=date_from, date_to=date_to, newest_first=False
        )
        entries = list(ledger)
        pdf = render_pdf(
            "finance/statement_pdf.html",
            {
                "premises": premises,
                "community": premises.building.community,
                "entries": entries,
                "summary": ledger.summary(),
                "date_from": date_from,
                "date_to": date_to,
                "generated_on": today,
                "as_of": balance.data_as_of,
                "balance": balance,
            },
        )
        parts = ["wyciag", "lokal", premises.number]
        if form.date_from:
            parts.append(f"{date_from:%Y-%m}")
        if form.date_to:
            parts.append(f"{date_to:%Y-%m}")
        filename = slugify("-".join(parts)) + ".pdf"
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
