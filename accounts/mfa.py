"""Two-factor login ("logowanie dwuetapowe") in the portal's words: one Polish name everywhere."""

from allauth.account.forms import ReauthenticateForm
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.base.forms import AuthenticateForm
from allauth.mfa.base.forms import ReauthenticateForm as MfaReauthenticateForm
from allauth.mfa.totp.forms import ActivateTOTPForm
from django.utils.translation import gettext_lazy as _

CODE_LABEL = _("Kod z aplikacji uwierzytelniającej")
CODE_HELP = _("6 cyfr widocznych teraz w aplikacji albo jeden z kodów zapasowych.")


class MfaAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": _("Kod jest nieprawidłowy albo wygasł. Wpisz kod widoczny teraz."),
        "cannot_delete_authenticator": _("Nie można teraz wyłączyć logowania dwuetapowego."),
        "unverified_email": _("Nie można włączyć logowania dwuetapowego. Skontaktuj się z biurem."),
    }

    def get_totp_label(self, user) -> str:
        # The login, not the e-mail: the e-mail is personal data and may change.
        return user.get_username()


def _code_field(field, *, with_recovery: bool) -> None:
    field.label = CODE_LABEL
    field.help_text = CODE_HELP if with_recovery else ""
    field.widget.attrs = {
        "autocomplete": "one-time-code",
        "inputmode": "numeric",
        "autocapitalize": "off",
    }


class PortalMfaAuthenticateForm(AuthenticateForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _code_field(self.fields["code"], with_recovery=True)


class PortalMfaReauthenticateForm(MfaReauthenticateForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _code_field(self.fields["code"], with_recovery=True)


class PortalActivateTotpForm(ActivateTOTPForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _code_field(self.fields["code"], with_recovery=False)


class PortalReauthenticateForm(ReauthenticateForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["password"]
        field.label = _("Hasło")
        field.help_text = ""
        field.widget.attrs.pop("placeholder", None)
