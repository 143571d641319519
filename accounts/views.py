from allauth.account.internal.flows.reauthentication import (
    did_recently_reauthenticate,
    suspend_request,
)
from allauth.core.internal import ratelimit
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, TemplateView, UpdateView

from correspondence.selectors import email_consents_for_user
from portal.mixins import ResidentRequiredMixin

from .contact import contact_change
from .export import export_filename, personal_data_json
from .forms import ContactForm, PortalPasswordChangeForm, ResignationForm
from .selectors import open_resignation_for_user
from .services import email_notifications_set, resignation_request


class ProfileView(ResidentRequiredMixin, UpdateView):
    template_name = "accounts/profile.html"
    form_class = ContactForm
    success_url = reverse_lazy("accounts:profile")

    def get_object(self, queryset=None):
        return self.request.user

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The saved e-mail (a refused form has already put the typed one on the user).
        contact_email = context["form"].initial.get("email", "")
        return {
            **context,
            "open_resignation": open_resignation_for_user(self.request.user),
            "email_consents": email_consents_for_user(
                self.request.user, contact_email=contact_email
            ),
        }

    def form_valid(self, form):
        email, phone = form.cleaned_data["email"], form.cleaned_data["phone"]
        changed = (email, phone) != (form.initial.get("email"), form.initial.get("phone"))
        if changed and not did_recently_reauthenticate(self.request):
            # The e-mail is the password-reset channel: confirm it is the owner first. The
            # form is kept and submitted again once the password (or app code) is confirmed.
            return suspend_request(self.request, reverse("account_reauthenticate"))
        wanted = form.cleaned_data["email_notifications"]
        if changed:
            contact_change(
                user=self.request.user, email=email, phone=phone, email_notifications=wanted
            )
        elif wanted != form.initial.get("email_notifications"):
            email_notifications_set(user=self.request.user, on=wanted)
        messages.success(self.request, _("Dane kontaktowe zostały zapisane."))
        # Not super().form_valid(): ModelFormMixin would save the form a second time.
        return HttpResponseRedirect(self.get_success_url())


class PasswordChangeView(ResidentRequiredMixin, FormView):
    template_name = "accounts/password_change.html"
    form_class = PortalPasswordChangeForm
    success_url = reverse_lazy("accounts:profile")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def post(self, request, *args, **kwargs):
        # Every check of the current password counts; a successful change gives it back, so
        # only wrong guesses (e.g. from a stolen session) run into the limit.
        self._usage = ratelimit.consume(
            request, app="allauth.account", action="change_password", user=request.user
        )
        if self._usage is None:
            return ratelimit.respond_429(request)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        self._usage.rollback()
        user = form.save()
        update_session_auth_hash(self.request, user)
        messages.success(self.request, _("Hasło zostało zmienione."))
        return super().form_valid(form)


class PersonalDataExportView(ResidentRequiredMixin, View):
    """ "Pobierz moje dane": the person's own data from every tab as a JSON file (RODO)."""

    def get(self, request):
        response = HttpResponse(
            personal_data_json(request.user), content_type="application/json; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{export_filename()}"'
        response["Cache-Control"] = "no-store"
        return response


class ResignationView(ResidentRequiredMixin, FormView):
    template_name = "accounts/resignation.html"
    form_class = ResignationForm
    success_url = reverse_lazy("accounts:profile")

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "open_resignation": open_resignation_for_user(self.request.user),
        }

    def form_valid(self, form):
        try:
            resignation_request(user=self.request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.warning(self.request, error.messages[0])
            return super().form_valid(form)
        messages.success(
            self.request,
            _(
                "Wniosek przyjęty; biuro dezaktywuje konto po jego rozpatrzeniu. "
                "Do tego czasu możesz nadal korzystać ze Strefy Klienta."
            ),
        )
        return super().form_valid(form)


class MfaRequiredView(ResidentRequiredMixin, TemplateView):
    """Staff and board: why and how to switch on two-factor login before opening the admin."""

    template_name = "accounts/mfa_required.html"
