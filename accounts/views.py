from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, UpdateView

from correspondence.selectors import email_consents_for_user
from portal.mixins import ResidentRequiredMixin

from .export import export_filename, personal_data_json
from .forms import ContactForm, PortalPasswordChangeForm, ResignationForm
from .models import ResignationRequest
from .services import contact_update, resignation_request


def _open_resignation(user) -> ResignationRequest | None:
    return ResignationRequest.objects.open().filter(user=user).first()


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
            "open_resignation": _open_resignation(self.request.user),
            "email_consents": email_consents_for_user(
                self.request.user, contact_email=contact_email
            ),
        }

    def form_valid(self, form):
        contact_update(
            user=self.request.user,
            email=form.cleaned_data["email"],
            phone=form.cleaned_data["phone"],
        )
        messages.success(self.request, _("Dane kontaktowe zostały zapisane."))
        # Not super().form_valid(): ModelFormMixin would save the form a second time.
        return HttpResponseRedirect(self.get_success_url())


class PasswordChangeView(ResidentRequiredMixin, FormView):
    template_name = "accounts/password_change.html"
    form_class = PortalPasswordChangeForm
    success_url = reverse_lazy("accounts:profile")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
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
            "open_resignation": _open_resignation(self.request.user),
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
