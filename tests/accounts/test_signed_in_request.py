"""What every signed-in request reads before its page: the session and the user (issue 17).

One plain SQL statement reads both now (accounts.sessions, accounts.backends): through the ORM
the two reads cost three times their two round trips. These tests hold them to what Django's own
reads answer, and to the rule that only the signed session data says who is signed in.
"""

import datetime
import importlib
from unittest import mock

import pytest
from django.apps import apps
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user
from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore
from django.contrib.sessions.models import Session as DjangoSession
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.backends import AuthenticationBackend, user_by_pk
from accounts.models import Session, User
from accounts.sessions import SessionStore

from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

BACKEND = "accounts.backends.AuthenticationBackend"


def _session_for(user, backend=BACKEND, store_class=SessionStore):
    store = store_class()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = backend
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store


def _request_user(session_key):
    request = RequestFactory().get("/")
    request.session = SessionStore(session_key)
    return get_user(request)


def test_a_signed_in_request_reads_its_session_and_user_in_one_query_without_the_orm():
    user = UserFactory()
    store = _session_for(user)
    with (
        mock.patch.object(SQLCompiler, "execute_sql", side_effect=AssertionError("ORM")),
        CaptureQueriesContext(connection) as queries,
    ):
        signed_in = _request_user(store.session_key)
    assert signed_in == user and signed_in.username == user.username
    assert len(queries) == 1


def test_a_signed_in_page_runs_one_query_for_session_and_user_together(client):
    user = UserFactory()
    client.force_login(user)
    assert Session.objects.get(session_key=client.session.session_key).user_id == user.pk
    client.get("/o-aplikacji/")  # the company row is cached from here on
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/o-aplikacji/").context["user"] == user
    assert len(queries) == 1


def test_only_the_signed_session_data_says_who_is_signed_in():
    """The user id kept beside the data is a join hint: pointing it elsewhere changes nothing."""
    anna, jan = UserFactory(), UserFactory()
    store = _session_for(anna)
    Session.objects.filter(session_key=store.session_key).update(user=jan)
    assert _request_user(store.session_key) == anna
    Session.objects.filter(session_key=store.session_key).update(user=None)
    assert _request_user(store.session_key) == anna


def test_the_user_read_with_a_session_serves_that_request_only(client):
    anna = UserFactory()
    client.force_login(anna)
    client.get("/o-aplikacji/")  # reads Anna with her session
    User.objects.filter(pk=anna.pk).update(first_name="Zmieniona")
    assert AuthenticationBackend().get_user(anna.pk).first_name == "Zmieniona"


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


def _django_session(user, backend):
    """A session as Django's own store kept it before the upgrade."""
    return _session_for(user, backend, store_class=DjangoSessionStore)


def test_signed_in_sessions_move_over_on_upgrade_and_nobody_is_signed_out():
    """Migration accounts/0005: live sessions from Django's table, with their user's id and the
    one backend; an expired one stays behind."""
    migration = importlib.import_module("accounts.migrations.0005_session")
    anna, jan, ola = UserFactory(), UserFactory(), UserFactory()
    by_django = _django_session(anna, "django.contrib.auth.backends.ModelBackend")
    by_allauth = _django_session(jan, "allauth.account.auth_backends.AuthenticationBackend")
    foreign = _django_session(ola, "somewhere.else.Backend")
    expired = _django_session(ola, "django.contrib.auth.backends.ModelBackend")
    DjangoSession.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(minutes=1)
    )
    anonymous = DjangoSessionStore()
    anonymous["jezyk"] = "pl"
    anonymous.create()
    assert not _request_user(by_django.session_key).is_authenticated

    migration.forwards(apps, mock.Mock(connection=connection))

    assert _request_user(by_django.session_key) == anna
    assert _request_user(by_allauth.session_key) == jan
    assert Session.objects.get(session_key=by_django.session_key).user_id == anna.pk
    assert SessionStore(foreign.session_key)[BACKEND_SESSION_KEY] == "somewhere.else.Backend"
    assert dict(SessionStore(anonymous.session_key).items()) == {"jezyk": "pl"}
    assert Session.objects.get(session_key=anonymous.session_key).user_id is None
    assert not Session.objects.filter(session_key=expired.session_key).exists()

    DjangoSession.objects.all().delete()
    migration.backwards(apps, mock.Mock(connection=connection))
    back = DjangoSessionStore(by_django.session_key)
    assert back[BACKEND_SESSION_KEY] == "allauth.account.auth_backends.AuthenticationBackend"
    assert back[SESSION_KEY] == str(anna.pk)


def test_one_backend_logs_in_and_checks_permissions(client):
    user = UserFactory(is_staff=True)
    assert client.login(username=user.username, password="Zle-haslo-123") is False
    assert client.login(username=user.username, password=PASSWORD) is True
    assert client.session[BACKEND_SESSION_KEY] == BACKEND
    assert AuthenticationBackend().has_perm(user, "accounts.view_user") is False


def test_logging_in_on_the_login_page_keeps_the_user_beside_the_session(client):
    user = UserFactory()
    response = client.post(
        "/logowanie/", {"login": user.username, "password": PASSWORD}, follow=True
    )
    assert response.wsgi_request.user == user
    session = Session.objects.get(session_key=client.session.session_key)
    assert session.user_id == user.pk

    client.post("/wyloguj/")
    assert not Session.objects.filter(pk=session.pk).exists()
    assert client.get("/profil/")["Location"].startswith("/logowanie/")
