"""One login for everyone: Django admin's own login form is replaced by the portal's allauth login.

The admin login page only sends people to ``/logowanie/`` (rate limits, two-factor login), and
staff and board accounts must switch on two-factor login before they open the admin.
"""

from functools import cache

from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import redirect, render
from django.urls import get_script_prefix, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode


def _safe_next(request) -> str:
    candidate = request.GET.get(REDIRECT_FIELD_NAME) or request.POST.get(REDIRECT_FIELD_NAME)
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("admin:index")


def admin_login(request, extra_context=None):
    """``/admin/login/``: never checks a password itself; the portal's login does."""
    next_url = _safe_next(request)
    user = request.user
    if user.is_authenticated:
        if user.is_active and user.is_staff:
            return redirect(next_url)
        # A resident (or a staff account whose access was withdrawn) asked for the admin.
        return render(request, "accounts/admin_no_access.html", status=403)
    return redirect(f"{reverse('account_login')}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")


def admin_password_change(request, extra_context=None):
    """``/admin/password_change/``: the one password change, rate-limited and validated."""
    return redirect("accounts:password_change")


def mfa_required_for(user) -> bool:
    """Staff and board accounts (everyone who opens the admin) must use two-factor login."""
    return bool(getattr(settings, "STREFA_STAFF_MFA_REQUIRED", True)) and user.is_staff


def has_totp(user) -> bool:
    return is_mfa_enabled(user, types=[Authenticator.Type.TOTP])


def session_used_mfa(request) -> bool:
    """Did this session give a code from the app (at login or confirming since)?"""
    return any(
        record.get("method") == "mfa"
        for record in get_authentication_records(request, request.user)
    )


@cache
def _admin_index(script_prefix: str, urlconf: str) -> str:
    return reverse("admin:index")


def admin_index_path() -> str:
    """``/admin/``, worked out once rather than on every signed-in request."""
    return _admin_index(get_script_prefix(), settings.ROOT_URLCONF)


class StaffMfaRequiredMiddleware:
    """Staff reach the admin only with two-factor login switched on and used in this session.

    Without it they are sent to the page that explains and enrols; with it but a session that
    never gave a code (e.g. one opened before it was required), to the code prompt.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and request.path.startswith(admin_index_path())
            and mfa_required_for(user)
        ):
            if not has_totp(user):
                return redirect("accounts:mfa_required")
            if not session_used_mfa(request):
                query = urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
                return redirect(f"{reverse('mfa_reauthenticate')}?{query}")
        return self.get_response(request)
