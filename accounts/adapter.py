from urllib.parse import quote

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .services import password_set


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
