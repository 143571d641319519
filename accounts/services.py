"""Writes on accounts: issuing logins, activation, deactivation, password changes."""

import secrets
import string
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from correspondence.services import consents_follow_email_change

from .models import ResignationRequest, User

# No characters that are easy to confuse on paper (0/O, 1/l/I).
_PASSWORD_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")
INITIAL_PASSWORD_LENGTH = 12


@dataclass(frozen=True)
class IssuedCredentials:
    user: User
    password: str


def login_generate() -> str:
    """A new unique login: 8 digits, easy to read over the phone and never reused."""
    while True:
        login = f"{secrets.randbelow(90_000_000) + 10_000_000}"
        if not User.objects.filter(username=login).exists():
            return login


def password_generate() -> str:
    while True:
        password = "".join(
            secrets.choice(_PASSWORD_ALPHABET) for _ in range(INITIAL_PASSWORD_LENGTH)
        )
        has_all = (
            any(c.islower() for c in password)
            and any(c.isupper() for c in password)
            and any(c.isdigit() for c in password)
        )
        if has_all:
            return password


@transaction.atomic
def login_issue(*, users: list[User]) -> list[IssuedCredentials]:
    """Give each person a fresh initial password; the account waits for the signed statement.

    The plain password exists only in the returned value: it is shown once and printed on the
    acknowledgement, never stored.
    """
    now = timezone.now()
    issued = []
    for user in users:
        password = password_generate()
        user.set_password(password)
        user.must_change_password = True
        user.is_active = False
        user.login_issued_at = now
        user.statement_received_at = None
        user.deactivated_at = None
        user.deactivation_reason = ""
        user.save()
        issued.append(IssuedCredentials(user=user, password=password))
    return issued


@transaction.atomic
def statement_mark_received(*, users: list[User]) -> list[User]:
    """Activate the accounts whose signed acknowledgement came back. Returns those activated."""
    now = timezone.now()
    activated = []
    for user in users:
        if user.login_issued_at is None or user.is_active:
            continue
        user.statement_received_at = now
        user.is_active = True
        user.deactivated_at = None
        user.save()
        activated.append(user)
    return activated


@transaction.atomic
def account_deactivate(*, user: User, reason: str = "") -> User:
    """Resignation: the person can no longer log in; ownerships and history stay."""
    user.is_active = False
    user.deactivated_at = timezone.now()
    user.deactivation_reason = reason
    user.save()
    return user


@transaction.atomic
def password_set(*, user: User, password: str) -> User:
    """The user chose their own password (change or reset): the forced change is satisfied."""
    user.set_password(password)
    user.must_change_password = False
    user.save()
    return user


@transaction.atomic
def contact_update(*, user: User, email: str, phone: str) -> User:
    """New contact data; e-delivery consents given for the old e-mail follow the new one."""
    previous_email = User.objects.filter(pk=user.pk).values_list("email", flat=True).get()
    user.email = email
    user.phone = phone
    user.save(update_fields=["email", "phone"])
    consents_follow_email_change(user=user, old_email=previous_email, new_email=email)
    return user


@transaction.atomic
def password_reset_issue(*, users: list[User]) -> list[IssuedCredentials]:
    """The office sets a new password to print and hand over (the person forgot theirs).

    The account keeps its state (an active account stays active) and the person must choose
    their own password at the next login.
    """
    now = timezone.now()
    issued = []
    for user in users:
        password = password_generate()
        user.set_password(password)
        user.must_change_password = True
        if user.login_issued_at is None:
            user.login_issued_at = now
        user.save()
        issued.append(IssuedCredentials(user=user, password=password))
    return issued


@transaction.atomic
def resignation_request(*, user: User, reason: str = "") -> ResignationRequest:
    """The resident's statement of resignation; the account works until the office handles it.

    Raises ``ValidationError`` (Polish) while an earlier request of the user is still open.
    """
    if ResignationRequest.objects.open().filter(user=user).exists():
        raise ValidationError(_("Twój wniosek o rezygnację już czeka na biuro."), code="open")
    try:
        with transaction.atomic():
            return ResignationRequest.objects.create(user=user, reason=reason.strip())
    except IntegrityError:
        # A double submit raced past the check above; the constraint keeps one open request.
        raise ValidationError(
            _("Twój wniosek o rezygnację już czeka na biuro."), code="open"
        ) from None


@transaction.atomic
def resignation_handle(
    *, requests: list[ResignationRequest], handled_by: User
) -> list[ResignationRequest]:
    """The office deactivates the accounts and marks the open requests as handled."""
    now = timezone.now()
    handled = []
    for request in requests:
        if request.handled_at is not None:
            continue
        account_deactivate(user=request.user, reason=str(_("Rezygnacja ze Strefy Klienta")))
        request.handled_at = now
        request.handled_by = handled_by
        request.save(update_fields=["handled_at", "handled_by"])
        handled.append(request)
    return handled
