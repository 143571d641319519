"""Changing the contact data, which is also the password-reset channel.

A stolen session must not become a permanent takeover: the view asks for the password (or the
code from the authenticator app) first, and the old address hears about a new one.
"""

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from notifications.models import Message
from notifications.services import message_queue

from .models import User
from .services import contact_update


def mask_email(email: str) -> str:
    """``a***@example.com``: enough for the owner to recognise, little for anyone else."""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


@transaction.atomic
def contact_change(
    *, user: User, email: str, phone: str, email_notifications: bool | None = None
) -> User:
    # From the database: a ModelForm has already written the new value onto ``user``.
    old_email = User.objects.filter(pk=user.pk).values_list("email", flat=True).get()
    user = contact_update(
        user=user, email=email, phone=phone, email_notifications=email_notifications
    )
    if old_email and old_email.strip().lower() != email.strip().lower():
        context = {
            "user": user,
            "new_email": mask_email(email),
            "changed_at": timezone.localtime(),
        }
        message_queue(
            channel=Message.Channel.EMAIL,
            to_address=old_email,
            subject=render_to_string(
                "accounts/email/contact_email_changed_subject.txt", context
            ).strip(),
            body=render_to_string("accounts/email/contact_email_changed_body.txt", context),
            recipient=user,
        )
    return user
