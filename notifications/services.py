"""The one way other apps send a resident a message.

Until the outbox (issue "Korespondencja and e-delivery") lands, this renders the e-mail and
sends it after the surrounding transaction commits. The outbox will keep this signature and
store the message instead, so callers do not change.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string


def notify_user(*, user, template: str, context: dict, related=None) -> None:
    """E-mail ``user`` the message rendered from ``<template>_subject.txt`` / ``_body.txt``."""
    if not user.email:
        return
    context = {**context, "user": user}
    subject = render_to_string(f"{template}_subject.txt", context).strip()
    body = render_to_string(f"{template}_body.txt", context)
    recipient = user.email
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
    )
