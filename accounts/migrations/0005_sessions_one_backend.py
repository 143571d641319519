"""Signed-in sessions move to the one authentication backend (accounts.backends).

Django keeps the dotted path of the backend that logged a session in and signs the user out when
that path is no longer configured: without this, everyone signed in would be signed out by the
upgrade.
"""

from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import migrations
from django.utils import timezone

BEFORE = (
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
)
NOW = "accounts.backends.AuthenticationBackend"


def _move(apps, schema_editor, old: tuple[str, ...], new: str) -> None:
    Session = apps.get_model("sessions", "Session")
    store = SessionStore()  # the same signing salt as portal.sessions.SessionStore
    live = Session.objects.using(schema_editor.connection.alias).filter(
        expire_date__gt=timezone.now()
    )
    for session in live.iterator():
        data = store.decode(session.session_data)
        if data.get(BACKEND_SESSION_KEY) in old:
            data[BACKEND_SESSION_KEY] = new
            session.session_data = store.encode(data)
            session.save(update_fields=["session_data"])


def forwards(apps, schema_editor):
    _move(apps, schema_editor, BEFORE, NOW)


def backwards(apps, schema_editor):
    _move(apps, schema_editor, (NOW,), BEFORE[1])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_credentials_sheet"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
