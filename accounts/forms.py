from allauth.account.forms import LoginForm, ResetPasswordForm
from allauth.account.internal.flows.password_reset import request_password_reset
from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from .models import ResignationRequest, User
from .services import password_set


class PortalLoginForm(LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("Login")
        self.fields["login"].widget.attrs.pop("placeholder", None)
        self.fields["password"].widget.attrs.pop("placeholder", None)
        self.fields["password"].help_text = ""


class LoginAndEmailResetForm(ResetPasswordForm):
    """Reset by login *and* contact e-mail, as the seed describes.

    The stock form mails every account with the e-mail and tells strangers that no account
    exists; this one mails only the one active account that matches both, and sends nothing
    otherwise, so the answer never reveals whether an account exists.
    """

    login = forms.CharField(label=_("Login"), max_length=150)
    field_order = ["login", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("Adres e-mail podany w danych kontaktowych")
        self.fields["login"].widget.attrs.update({"autocomplete": "username"})

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip()

    def clean(self):
        cleaned = super().clean()
        login, email = cleaned.get("login"), cleaned.get("email")
        self.users = []
        if login and email:
            self.users = list(
                User.objects.filter(username=login.strip(), email__iexact=email, is_active=True)[:2]
            )
            if len(self.users) != 1:
                self.users = []
        return cleaned

    def save(self, request, **kwargs) -> str:
        email = self.cleaned_data["email"]
        if self.users:
            request_password_reset(request, email, self.users, token_generator=None)
        return email


class ContactForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["email", "phone", "email_notifications"]
        labels = {
            "email": _("Adres e-mail"),
            "phone": _("Telefon"),
            "email_notifications": _("Wysyłaj mi powiadomienia e-mail"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["email"].widget.attrs["autocomplete"] = "email"


class PortalPasswordChangeForm(PasswordChangeForm):
    """Django's form (Polish messages, password validators); saving goes through the service."""

    def save(self, commit=True):
        return password_set(user=self.user, password=self.cleaned_data["new_password1"])


class PersonCreationForm(forms.ModelForm):
    """Office staff add a person; the login is generated, the password issued separately."""

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "phone", "correspondence_address"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        self.fields["last_name"].required = True


class ResignationForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Rezygnuję z korzystania ze Strefy Klienta"),
        error_messages={"required": _("Zaznacz, że chcesz zrezygnować ze Strefy Klienta.")},
    )
    reason = forms.CharField(
        label=_("Powód (nieobowiązkowo)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Pomoże nam ulepszyć Strefę Klienta."),
    )


class ResignationRequestAdminForm(forms.ModelForm):
    """The office records a resignation received on paper or by e-mail."""

    class Meta:
        model = ResignationRequest
        fields = ["user", "reason"]

    def clean_user(self):
        user = self.cleaned_data["user"]
        if (
            self.instance.pk is None
            and ResignationRequest.objects.open().filter(user=user).exists()
        ):
            raise forms.ValidationError(
                _("Ta osoba ma już wniosek o rezygnację czekający na biuro.")
            )
        return user
