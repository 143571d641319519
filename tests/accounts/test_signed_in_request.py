"""What every signed-in request reads before its page: the session and the user (issue 17).

Both reads are plain SQL now (portal.sessions, accounts.backends): through the ORM they cost
three times their round trip. These tests hold them to what Django's own reads answer.
"""

import datetime
import importlib
from unittest import mock

import pytest
from django.apps import apps
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user
from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.backends import AuthenticationBackend, user_by_pk
from accounts.models import User
from portal.sessions import SessionStore

from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

BACKEND = "accounts.backends.AuthenticationBackend"


def _session_for(user, backend=BACKEND) -> SessionStore:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = backend
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store


def _request_user(session_key):
    request = RequestFactory().get("/")
    request.session = SessionStore(session_key)
    return get_user(request)


def test_a_signed_in_request_reads_its_session_and_user_in_two_queries_without_the_orm():
    user = UserFactory()
    store = _session_for(user)
    with (
        mock.patch.object(SQLCompiler, "execute_sql", side_effect=AssertionError("ORM")),
        CaptureQueriesContext(connection) as queries,
    ):
        assert _request_user(store.session_key) == user
    assert len(queries) == 2


def test_the_user_read_answers_what_the_orm_reads_field_by_field():
    user = UserFactory(
        first_name="Zofia",
        correspondence_address="ul. Długa 1\n00-001 Warszawa",
        must_change_password=True,
    )
    User.objects.filter(pk=user.pk).update(
        last_login=timezone.now() - datetime.timedelta(days=3),
        login_issued_at=timezone.now(),
    )
    fast = user_by_pk(user.pk)
    orm = User.objects.get(pk=user.pk)
    for field in User._meta.concrete_fields:
        assert getattr(fast, field.attname) == getattr(orm, field.attname), field.name
    assert timezone.is_aware(fast.last_login)
    assert fast._state.adding is False and fast._state.db == "default"
    fast.first_name = "Zuzanna"
    fast.save(update_fields=["first_name"])  # a row read this way saves like any other
    assert User.objects.get(pk=user.pk).first_name == "Zuzanna"


@pytest.mark.parametrize("key", [10**9, "abc", None, ""])
def test_no_user_for_a_key_that_is_not_one(key):
    assert user_by_pk(key) is None


def test_a_deactivated_user_is_signed_out_on_the_next_request(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get("/profil/").status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = client.get("/profil/")
    assert response.status_code == 302 and response["Location"].startswith("/logowanie/")


def test_a_changed_password_signs_out_other_sessions():
    user = UserFactory()
    store = _session_for(user)
    user.set_password("Zupełnie-nowe-hasło-42")
    user.save()
    assert not _request_user(store.session_key).is_authenticated


def test_the_session_read_answers_its_data_and_nothing_for_an_expired_or_unknown_key():
    user = UserFactory()
    store = _session_for(user)
    store["koszyk"] = "ą"
    store.save()
    loaded = SessionStore(store.session_key)
    assert loaded[SESSION_KEY] == str(user.pk) and loaded["koszyk"] == "ą"

    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    expired = SessionStore(store.session_key)
    assert expired.load() == {} and expired.session_key is None

    unknown = SessionStore("x" * 32)
    assert unknown.load() == {} and unknown.session_key is None


@pytest.mark.parametrize("cookie", ["abc\x00defghijkl", "ABCDEFGHIJKLMNOP", "a" * 5000, "'; --x"])
def test_a_cookie_no_session_could_have_is_no_session_and_no_query(client, cookie):
    client.cookies["sessionid"] = cookie
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/profil/")
    assert response.status_code == 302 and response["Location"].startswith("/logowanie/")
    assert not [q for q in queries if "session" in q["sql"]]


def test_sessions_written_by_django_before_the_change_are_still_read():
    """Same table, same signing salt: nobody is signed out by switching the session engine."""
    user = UserFactory()
    store = DjangoSessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = BACKEND
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    assert _request_user(store.session_key) == user


def test_signed_in_sessions_move_to_the_one_backend_on_upgrade():
    migration = importlib.import_module("accounts.migrations.0005_sessions_one_backend")
    anna, jan, ola = UserFactory(), UserFactory(), UserFactory()
    by_django = _session_for(anna, "django.contrib.auth.backends.ModelBackend")
    by_allauth = _session_for(jan, "allauth.account.auth_backends.AuthenticationBackend")
    foreign = _session_for(ola, "somewhere.else.Backend")
    anonymous = SessionStore()
    anonymous["jezyk"] = "pl"
    anonymous.create()
    for store in (by_django, by_allauth):
        assert not _request_user(store.session_key).is_authenticated

    migration.forwards(apps, mock.Mock(connection=connection))

    assert _request_user(by_django.session_key) == anna
    assert _request_user(by_allauth.session_key) == jan
    assert SessionStore(foreign.session_key)[BACKEND_SESSION_KEY] == "somewhere.else.Backend"
    assert dict(SessionStore(anonymous.session_key).items()) == {"jezyk": "pl"}

    migration.backwards(apps, mock.Mock(connection=connection))
    assert SessionStore(by_django.session_key)[BACKEND_SESSION_KEY] == (
        "allauth.account.auth_backends.AuthenticationBackend"
    )


def test_one_backend_logs_in_and_checks_permissions(client):
    user = UserFactory(is_staff=True)
    assert client.login(username=user.username, password="Zle-haslo-123") is False
    assert client.login(username=user.username, password=PASSWORD) is True
    assert client.session[BACKEND_SESSION_KEY] == BACKEND
    assert AuthenticationBackend().has_perm(user, "accounts.view_user") is False
