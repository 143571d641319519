from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext_lazy as _

from lib.throttle import ProgressiveDelay

from .services import password_set

# Per login, from every address: after 5 failures each further attempt waits 1, 2, 4 … 60 s,
# so guessing is slow but the owner is never locked out for long by someone else's guesses.
LOGIN_DELAY = ProgressiveDelay("login", free_attempts=5, base_seconds=1, max_seconds=60)


def _login_of(credentials: dict) -> str:
    return (credentials.get("username") or credentials.get("email") or "").strip().lower()


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

    # --- rate limits ----------------------------------------------------------------------
    # allauth keys its per-login limit on "<site domain>:<login>", and without the sites
    # framework the domain is the request's Host header, which the client chooses. Ours is
    # "<client IP>|<login>": the hard "5 in 5 minutes" stops one address guessing one login,
    # while other addresses (the owner) only meet the short progressive delay above.

    def get_client_ip(self, request) -> str:
        try:
            return super().get_client_ip(request)
        except ImproperlyConfigured:
            # Fewer X-Forwarded-For entries than trusted proxies: the request did not come
            # through them all, so the only address we can trust is the connecting one.
            return request.META["REMOTE_ADDR"]

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        return f"{self.get_client_ip(request)}|{_login_of(credentials)}"

    def pre_authenticate(self, request, **credentials) -> None:
        super().pre_authenticate(request, **credentials)
        if not account_settings.RATE_LIMITS:
            return
        wait = LOGIN_DELAY.wait_seconds(_login_of(credentials))
        if wait:
            raise ValidationError(
                _(
                    "Zbyt wiele nieudanych prób logowania na ten login. "
                    "Spróbuj ponownie za %(seconds)s s."
                ),
                code="too_many_login_attempts",
                params={"seconds": wait},
            )

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is not None and account_settings.RATE_LIMITS:
            LOGIN_DELAY.reset(_login_of(credentials))
        return user

    def authentication_failed(self, request, **credentials) -> None:
        if account_settings.RATE_LIMITS:
            LOGIN_DELAY.record_failure(_login_of(credentials))
