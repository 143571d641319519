"""Private pages and files are never cached; feature, resource and transport policies are set."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

# The production variables the README documents for a deployment behind one TLS proxy.
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "strefa.example.pl",
    "CSRF_TRUSTED_ORIGINS": "https://strefa.example.pl",
    "PORTAL_URL": "https://strefa.example.pl",
    "DEFAULT_FROM_EMAIL": "Strefa <strefa@example.pl>",
    "EMAIL_URL": "smtp+tls://strefa:secret@smtp.example.pl:587",
    "CACHE_URL": "rediscache://127.0.0.1:6379/1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
    "TRUSTED_PROXY_COUNT": "1",
    "DJANGO_SETTINGS_MODULE": "portal.settings",
}


def _run(*args):
    # Only the documented variables: nothing from the test run (DATABASE_URL, async flags…).
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "TMPDIR"}}
    env.update(PRODUCTION_ENV)
    return subprocess.run(  # noqa: S603 (fixed arguments, our own interpreter)
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_with_the_documented_production_variables():
    result = _run("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_use_host_cookies_hsts_preload_and_the_proxy_count():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE, "
        "s.SECURE_HSTS_PRELOAD, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.ALLAUTH_TRUSTED_PROXY_COUNT)"
    )
    result = _run("-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "__Host-sessionid",
        "__Host-csrftoken",
        "True",
        "True",
        "True",
        "1",
    ]


@pytest.mark.parametrize("path", ["/", "/finanse/", "/profil/", "/lokale/"])
def test_every_page_of_a_logged_in_person_is_no_store(resident_client, path):
    response = resident_client.get(path)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_statement_pdf_is_no_store(resident_client, premises):
    response = resident_client.get(reverse("finance:statement", args=[premises.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]


def test_permissions_and_resource_policy_on_every_page(client, resident_client):
    for response in [client.get("/logowanie/"), resident_client.get("/")]:
        policy = response["Permissions-Policy"]
        assert "camera=()" in policy and "geolocation=()" in policy
        assert response["Cross-Origin-Resource-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
