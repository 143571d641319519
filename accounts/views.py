from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, UpdateView

from portal.mixins import ResidentRequiredMixin

from .forms import ContactForm, PortalPasswordChangeForm
from .services import contact_update


class ProfileView(ResidentRequiredMixin, UpdateView):
    template_name = "accounts/profile.html"
    form_class = ContactForm
    success_url = reverse_lazy("accounts:profile")

    def get_object(self, queryset=None):
        return self.request.user

    def form_valid(self, form):
        contact_update(
            user=self.request.user,
            email=form.cleaned_data["email"],
            phone=form.cleaned_data["phone"],
        )
        messages.success(self.request, _("Dane kontaktowe zostały zapisane."))
        return super(UpdateView, self).form_valid(form)


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
