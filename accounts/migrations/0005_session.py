"""Sessions move to ``accounts.Session`` (Django's, with the user's id beside the signed data).

Live sessions are copied over, each with its user's id, and with the one authentication backend
(accounts.backends) in place of the two listed before: Django signs a session out when the
backend that logged it in is no longer configured, so without this the upgrade would sign
everyone out. Backwards, they are copied back into Django's table.
"""

import django.db.models.deletion
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import migrations, models
from django.utils import timezone

BEFORE = (
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
)
NOW = "accounts.backends.AuthenticationBackend"


def _copy(source, target, db_alias, backends: dict[str, str], with_user: bool) -> None:
    store = SessionStore()  # Django's and accounts.sessions' share the signing salt
    users = set()
    if with_user:
        User = target._meta.get_field("user").related_model
        users = set(User.objects.using(db_alias).values_list("pk", flat=True))
    copies = []
    live = source.objects.using(db_alias).filter(expire_date__gt=timezone.now())
    for session in live.iterator():
        data = store.decode(session.session_data)
        if data.get(BACKEND_SESSION_KEY) in backends:
            data[BACKEND_SESSION_KEY] = backends[data[BACKEND_SESSION_KEY]]
        copy = target(
            session_key=session.session_key,
            session_data=store.encode(data) if data else session.session_data,
            expire_date=session.expire_date,
        )
        if with_user and data.get(SESSION_KEY) is not None:
            user_id = int(data[SESSION_KEY]) if str(data[SESSION_KEY]).isdigit() else None
            copy.user_id = user_id if user_id in users else None
        copies.append(copy)
    target.objects.using(db_alias).bulk_create(copies, batch_size=1000, ignore_conflicts=True)


def forwards(apps, schema_editor):
    _copy(
        apps.get_model("sessions", "Session"),
        apps.get_model("accounts", "Session"),
        schema_editor.connection.alias,
        dict.fromkeys(BEFORE, NOW),
        with_user=True,
    )


def backwards(apps, schema_editor):
    _copy(
        apps.get_model("accounts", "Session"),
        apps.get_model("sessions", "Session"),
        schema_editor.connection.alias,
        {NOW: BEFORE[1]},
        with_user=False,
    )


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_credentials_sheet'),
        ('sessions', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='Session',
            fields=[
                ('session_key', models.CharField(max_length=40, primary_key=True, serialize=False, verbose_name='session key')),
                ('session_data', models.TextField(verbose_name='session data')),
                ('expire_date', models.DateTimeField(db_index=True, verbose_name='expire date')),
                ('user', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='użytkownik')),
            ],
            options={
                'verbose_name': 'sesja',
                'verbose_name_plural': 'sesje',
                'abstract': False,
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
