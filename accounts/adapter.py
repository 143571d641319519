from allauth.account.adapter import DefaultAccountAdapter
from django.utils.translation import gettext_lazy as _

from .services import password_set


class AccountAdapter(DefaultAccountAdapter):
    """Logins are issued by the office: nobody signs up on their own."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "username_password_mismatch": _("Nieprawidłowy login lub hasło."),
        "too_many_login_attempts": _(
            "Zbyt wiele nieudanych prób logowania. Spróbuj ponownie później."
        ),
    }

    def is_open_for_signup(self, request):
        return False

    def set_password(self, user, password) -> None:
        password_set(user=user, password=password)
