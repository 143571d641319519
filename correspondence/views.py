import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, FormView, ListView, TemplateView

from lib.phones import format_phone
from portal.files import serve_file
from portal.mixins import (
    RATE_LIMIT_MESSAGES,
    ResidentRateLimitMixin,
    ResidentRequiredMixin,
    form_refuse,
    resident_rate_limit_ok,
)

from .forms import ConsentForm, ReplyForm, ThreadForm
from .models import DeliveryConsent, LetterAttachment, ThreadAttachment
from .selectors import (
    consent_overview_for_user,
    consents_for_user,
    letter_detail_for_user,
    letter_pages_for_user,
    letters_for_user,
    thread_detail_for_user,
    threads_for_user,
)
from .services import (
    consent_give,
    consent_post_until,
    consent_text,
    consent_withdraw,
    letter_open,
    thread_reply,
    thread_start,
)

# No resident has a billion pages of letters; a higher number would overflow the OFFSET.
MAX_PAGE = 10**9


class LetterPaginator(Paginator):
    """Takes the count from the page's rows (``LetterPages``), so a page is one query; only
    ``?page=last`` asks for the count first."""

    def page(self, number):
        if self.orphans or "count" in self.__dict__:
            return super().page(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        if number > MAX_PAGE:  # its offset would overflow the database's integers
            raise EmptyPage(self.error_messages["no_results"])
        bottom = (number - 1) * self.per_page
        rows = self.object_list[bottom : bottom + self.per_page]
        if rows:
            self.count = rows[0].total_rows
        elif number == 1 and self.allow_empty_first_page:
            self.count = 0
        else:
            raise EmptyPage(self.error_messages["no_results"])
        return self._get_page(rows, number, self)


class LetterListView(ResidentRequiredMixin, ListView):
    template_name = "correspondence/letter_list.html"
    context_object_name = "letters"
    paginate_by = 20
    paginator_class = LetterPaginator

    def get_queryset(self):
        return letter_pages_for_user(self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(threads=threads_for_user(self.request.user)[:5], **kwargs)


class LetterDetailView(ResidentRequiredMixin, DetailView):
    template_name = "correspondence/letter_detail.html"
    context_object_name = "letter"

    def get_queryset(self):
        return letter_detail_for_user(self.request.user)

    def get_object(self, queryset=None):
        letter = super().get_object(queryset)
        letter_open(letter=letter, user=self.request.user)
        return letter


def letter_attachment(request, pk, attachment_pk):
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={request.path}")
    letter = get_object_or_404(letters_for_user(request.user), pk=pk)
    attachment = get_object_or_404(LetterAttachment, letter=letter, pk=attachment_pk)
    letter_open(letter=letter, user=request.user)
    return serve_file(attachment.file, download_name=attachment.name)


class ThreadListView(ResidentRequiredMixin, ListView):
    template_name = "correspondence/thread_list.html"
    context_object_name = "threads"
    paginate_by = 20

    def get_queryset(self):
        return threads_for_user(self.request.user)


class ThreadCreateView(ResidentRequiredMixin, ResidentRateLimitMixin, FormView):
    rate_limit_scope = "message"
    template_name = "correspondence/thread_form.html"
    form_class = ThreadForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        return {"subject": self.request.GET.get("temat", "")[:200]}

    def form_valid(self, form):
        thread = thread_start(
            user=self.request.user,
            premises=form.cleaned_data["premises"],
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
            files=form.cleaned_data["attachments"],
        )
        messages.success(self.request, _("Wiadomość została wysłana do biura."))
        return redirect("correspondence:thread", pk=thread.pk)


class ThreadDetailView(ResidentRequiredMixin, DetailView):
    template_name = "correspondence/thread_detail.html"
    context_object_name = "thread"

    def get_queryset(self):
        return thread_detail_for_user(self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(form=kwargs.pop("form", None) or ReplyForm(), **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = ReplyForm(request.POST, request.FILES)
        if not resident_rate_limit_ok(request.user, "message"):
            form_refuse(form, RATE_LIMIT_MESSAGES["message"])
            response = self.render_to_response(self.get_context_data(form=form))
            response.status_code = 429
            return response
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        thread_reply(
            thread=self.object,
            user=request.user,
            body=form.cleaned_data["body"],
            files=form.cleaned_data["attachments"],
        )
        messages.success(request, _("Odpowiedź została wysłana do biura."))
        return redirect("correspondence:thread", pk=self.object.pk)


def thread_attachment(request, pk, attachment_pk):
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={request.path}")
    thread = get_object_or_404(threads_for_user(request.user), pk=pk)
    attachment = get_object_or_404(ThreadAttachment, message__thread=thread, pk=attachment_pk)
    return serve_file(attachment.file, download_name=attachment.name)


class ConsentView(ResidentRequiredMixin, TemplateView):
    """E-delivery and SMS consents, per premises the user owns (linked from the profile)."""

    template_name = "correspondence/consents.html"

    def _forms(self, bound=None):
        user = self.request.user
        rows = consent_overview_for_user(user)
        defaults = {"email": user.email, "sms": format_phone(user.phone)}
        for row in rows:
            row["forms"] = []
            for channel, label in DeliveryConsent.Channel.choices:
                if row[channel]:
                    continue
                prefix = f"{channel}-{row['premises'].pk}"
                if bound is not None and bound.prefix == prefix:
                    form = bound
                else:
                    form = ConsentForm(
                        user=user,
                        prefix=prefix,
                        initial={
                            "premises": row["premises"].pk,
                            "channel": channel,
                            "address": defaults[channel],
                        },
                    )
                form.channel_label = label
                form.consent_text = consent_text(
                    channel=channel,
                    premises=row["premises"],
                    # The address in the field (the contact data on file, or what was
                    # typed); the stored consent repeats the address actually given.
                    address=form["address"].value()
                    or (
                        _("adres e-mail podany poniżej")
                        if channel == "email"
                        else _("numer telefonu podany poniżej")
                    ),
                )
                row["forms"].append(form)
        return rows

    def get_context_data(self, **kwargs):
        bound = kwargs.pop("bound", None)
        return super().get_context_data(
            rows=self._forms(bound),
            history=consents_for_user(self.request.user).exclude(withdrawn_at=None)[:20],
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        prefix = request.POST.get("form_key", "")
        form = ConsentForm(request.POST, user=request.user, prefix=prefix or None)
        if form.is_valid():
            try:
                consent = consent_give(
                    user=request.user,
                    premises=form.cleaned_data["premises"],
                    channel=form.cleaned_data["channel"],
                    address=form.cleaned_data["address"],
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect("correspondence:consents")
            if form.cleaned_data["channel"] == DeliveryConsent.Channel.EMAIL:
                until = consent_post_until(timezone.localdate(consent.given_at))
                text = _(
                    "Zgoda na e-doręczenia została zapisana. Przez najbliższe 14 dni "
                    "korespondencja będzie jeszcze wysyłana pocztą (do %(until)s), "
                    "e-mailem od %(start)s."
                ) % {
                    "until": date_format(until, "d.m.Y"),
                    "start": date_format(until + datetime.timedelta(days=1), "d.m.Y"),
                }
            else:
                text = _("Zgoda na SMS została zapisana.")
            messages.success(request, text)
            return redirect("correspondence:consents")
        hidden_errors = form.errors.get("premises") or form.errors.get("channel")
        if hidden_errors:  # a tampered or stale form: nothing to show it in
            messages.error(request, " ".join(hidden_errors))
            return redirect("correspondence:consents")
        # ``invalid_form`` lets the layout find it for the error summary and the "Błąd:" title.
        return self.render_to_response(self.get_context_data(bound=form, invalid_form=form))


@require_POST
def consent_withdraw_view(request, pk):
    if not request.user.is_authenticated:
        return redirect(reverse("account_login"))
    consent = get_object_or_404(consents_for_user(request.user).filter(withdrawn_at=None), pk=pk)
    consent_withdraw(consent=consent)
    messages.success(request, _("Zgoda została wycofana. Korespondencja będzie wysyłana pocztą."))
    return redirect("correspondence:consents")
