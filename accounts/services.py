"""Writes on accounts: issuing logins, activation, deactivation, password changes."""

import logging
import secrets
import string
from dataclasses import dataclass

from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher, make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from correspondence.services import consents_follow_email_change

from .models import CredentialsSheet, ResignationRequest, User

logger = logging.getLogger(__name__)

# No characters that are easy to confuse on paper (0/O, 1/l/I).
_PASSWORD_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")
INITIAL_PASSWORD_LENGTH = 12
# An initial password is random (57 symbols ** 12 = 70 bits), shown once and replaced at the
# first login, so a cheaper PBKDF2 is enough for it: 500 people are hashed in seconds instead
# of minutes. Django re-hashes it with the full iteration count at the first login.
INITIAL_PASSWORD_ITERATIONS = 20_000
# Up to this many people the office gets the passwords and the PDF in the same response;
# more are prepared by the worker (a PDF page per person takes a noticeable time).
ISSUE_INLINE_MAX = 25


@dataclass(frozen=True)
class IssuedCredentials:
    user: User
    password: str


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


def initial_password_hash(password: str) -> str:
    hasher = get_hasher("default")
    if isinstance(hasher, PBKDF2PasswordHasher):
        iterations = min(hasher.iterations, INITIAL_PASSWORD_ITERATIONS)
        return hasher.encode(password, hasher.salt(), iterations=iterations)
    return make_password(password, hasher=hasher)


def _credentials_with_statement(users: list[User]) -> tuple[list[IssuedCredentials], bytes, dict]:
    """New passwords, their hashes and the acknowledgement PDF, before anything is saved.

    Raises whatever the PDF library raises (missing, broken): the caller then saves nothing.
    """
    from .pdf import acknowledgement_pdf  # WeasyPrint is imported only when a PDF is made

    issued = [IssuedCredentials(user=user, password=password_generate()) for user in users]
    hashes = {item.user.pk: initial_password_hash(item.password) for item in issued}
    return issued, acknowledgement_pdf(issued), hashes


def login_issue(*, users: list[User]) -> tuple[list[IssuedCredentials], bytes]:
    """Give each person a fresh initial password; the account waits for the signed statement.

    All or nothing: the PDF is made first, then the passwords are saved in one transaction;
    if the PDF cannot be made nobody's password changes. The plain password exists only in
    the returned value and the PDF: shown once and printed, never stored.
    """
    issued, pdf, hashes = _credentials_with_statement(users)
    now = timezone.now()
    with transaction.atomic():
        for item in issued:
            user = item.user
            user.password = hashes[user.pk]
            user.must_change_password = True
            user.is_active = False
            user.login_issued_at = now
            user.statement_received_at = None
            user.deactivated_at = None
            user.deactivation_reason = ""
            user.save()
    return issued, pdf


def login_issue_selection(*, users: list[User], include_active: set[int]) -> list[User]:
    """Who gets a login: accounts that are not active, and active ones only if chosen one by
    one (a new password deactivates them until the statement comes back)."""
    return [user for user in users if not user.is_active or user.pk in include_active]


@transaction.atomic
def credentials_sheet_request(*, users: list[User], created_by: User) -> CredentialsSheet:
    """Many people at once: the worker issues the logins and prepares the PDF to download."""
    from .tasks import credentials_sheet_build

    sheet = CredentialsSheet.objects.create(
        created_by=created_by, user_ids=[user.pk for user in users], people_count=len(users)
    )
    transaction.on_commit(lambda: credentials_sheet_build.enqueue(sheet_id=sheet.pk))
    return sheet


def credentials_sheet_build(*, sheet_id: int) -> CredentialsSheet | None:
    """The worker's part: issue the logins of a pending sheet and store its PDF (together)."""
    sheet = CredentialsSheet.objects.filter(pk=sheet_id, status=CredentialsSheet.Status.PENDING)
    sheet = sheet.first()
    if sheet is None:
        return None
    users = list(User.objects.filter(pk__in=sheet.user_ids).order_by("last_name", "first_name"))
    try:
        with transaction.atomic():
            _issued, pdf = login_issue(users=users)
            sheet.pdf = pdf
            sheet.status = CredentialsSheet.Status.READY
            sheet.ready_at = timezone.now()
            sheet.people_count = len(users)
            sheet.save()
    except Exception as exc:  # the PDF library is missing or broken: nothing was changed
        logger.exception("Credentials sheet %s failed", sheet.pk)
        sheet.status = CredentialsSheet.Status.FAILED
        sheet.error = f"{type(exc).__name__}: {exc}"[:2000]
        sheet.save(update_fields=["status", "error"])
    credentials_sheets_expire()
    return sheet


def credentials_sheets_expire(*, now=None) -> int:
    """Wipe PDFs with passwords once they are older than ``CredentialsSheet.EXPIRES_AFTER``."""
    now = now or timezone.now()
    return CredentialsSheet.objects.filter(
        status=CredentialsSheet.Status.READY,
        created_at__lt=now - CredentialsSheet.EXPIRES_AFTER,
    ).update(status=CredentialsSheet.Status.EXPIRED, pdf=b"")


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
def contact_update(
    *, user: User, email: str, phone: str, email_notifications: bool | None = None
) -> User:
    """New contact data; e-delivery consents given for the old e-mail follow the new one."""
    previous_email = User.objects.filter(pk=user.pk).values_list("email", flat=True).get()
    user.email = email
    user.phone = phone
    fields = ["email", "phone"]
    if email_notifications is not None:
        user.email_notifications = email_notifications
        fields.append("email_notifications")
    user.save(update_fields=fields)
    consents_follow_email_change(user=user, old_email=previous_email, new_email=email)
    return user


def email_notifications_set(*, user: User, on: bool) -> User:
    """Optional e-mail notifications on or off (``notifications.services.notify_channels``)."""
    user.email_notifications = on
    user.save(update_fields=["email_notifications"])
    return user


def password_reset_issue(*, users: list[User]) -> tuple[list[IssuedCredentials], bytes]:
    """The office sets a new password to print and hand over (the person forgot theirs).

    The account keeps its state (an active account stays active) and the person must choose
    their own password at the next login. All or nothing, like ``login_issue``.
    """
    issued, pdf, hashes = _credentials_with_statement(users)
    now = timezone.now()
    with transaction.atomic():
        for item in issued:
            user = item.user
            user.password = hashes[user.pk]
            user.must_change_password = True
            if user.login_issued_at is None:
                user.login_issued_at = now
            user.save()
    return issued, pdf


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
