from urllib.parse import quote

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from lib.throttle import ProgressiveDelay

from .services import password_set

# Per login, from every address: after 5 failures each further attempt waits 1, 2, 4 … 60 s,
# so guessing is slow but the owner is never locked out for long by someone else's guesses.
LOGIN_DELAY = ProgressiveDelay("login", free_attempts=5, base_seconds=1, max_seconds=60)


def _login_of(credentials: dict) -> str:
    return (credentials.get("username") or credentials.get("email") or "").strip().lower()


def reset_link_validity(seconds: int | None = None) -> str:
    """How long a reset link lives, in Polish with the right plural ("24 godziny", "2 dni")."""
    seconds = int(settings.PASSWORD_RESET_TIMEOUT if seconds is None else seconds)
    day, hour = 24 * 60 * 60, 60 * 60
    if seconds >= 2 * day and seconds % day == 0:
        count = seconds // day
        return ngettext("%(count)d dzień", "%(count)d dni", count) % {"count": count}
    if seconds >= hour and seconds % hour == 0:
        count = seconds // hour
        return ngettext("%(count)d godzinę", "%(count)d godziny", count) % {"count": count}
    count = max(1, (seconds + 59) // 60)
    return ngettext("%(count)d minutę", "%(count)d minuty", count) % {"count": count}


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

    def get_reset_password_from_key_url(self, key: str) -> str:
        """Links in e-mails point at ``PORTAL_URL``, never at the Host a request claimed."""
        from notifications.services import portal_url

        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return portal_url(path.replace("UID-KEY", quote(key)))

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's mails go through the outbox like every other: stored, sent by the worker,
        retried while the mail server is down. The request answers the same either way."""
        from notifications.models import Message
        from notifications.services import message_queue, portal_url, render_plain

        from .models import User

        user = context.get("user")
        ctx = {
            **{key: value for key, value in context.items() if key != "request"},
            "email": email,
            "portal_url": portal_url(""),
            "validity": reset_link_validity(),
        }
        subject = render_plain(f"{template_prefix}_subject.txt", ctx)
        message_queue(
            channel=Message.Channel.EMAIL,
            to_address=email,
            subject=self.format_email_subject(" ".join(subject.split())),
            body=render_plain(f"{template_prefix}_message.txt", ctx),
            recipient=user if isinstance(user, User) else None,
        )
