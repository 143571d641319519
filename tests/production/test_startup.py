"""Start-up with DEBUG off fails loudly on a missing or half configuration."""

import builtins

import pytest

from portal.checks import pdf_library_check

from .helpers import PRODUCTION_ENV, settings_in_subprocess


def test_documented_production_variables_start_and_pass_check_deploy():
    env = {
        **PRODUCTION_ENV,
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    }
    code, value, output = settings_in_subprocess(env, "settings.PORTAL_URL", check=True)
    assert code == 0, output
    assert value == "https://strefa.example.pl"
    # HSTS preload is the security settings' decision (not settable on this branch yet).
    warnings = [line for line in output.splitlines() if "(security." in line or "(strefa." in line]
    assert all("W021" in line for line in warnings), warnings


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS must list"),
        ({"PORTAL_URL": ""}, "PORTAL_URL must be set"),
        ({"PORTAL_URL": "http://strefa.example.pl"}, "must use https://"),
        ({"DEFAULT_FROM_EMAIL": ""}, "DEFAULT_FROM_EMAIL must be set"),
        # Unset, these fell back to mail printed to the log and limits in one process's memory.
        ({"EMAIL_URL": ""}, "EMAIL_URL must be set"),
        ({"CACHE_URL": ""}, "CACHE_URL must be set"),
        ({"DEFAULT_FROM_EMAIL": "Strefa <strefa@localhost>"}, "is a local address"),
        ({"STORAGE_URL": "s3://"}, "S3 storage needs a bucket"),
        ({"AWS_STORAGE_BUCKET_NAME": "strefa", "AWS_ACCESS_KEY_ID": "key"}, "needs both"),
        # Keys and endpoint without a bucket used to fall back to local disk in silence.
        (
            {
                "AWS_ACCESS_KEY_ID": "key",
                "AWS_SECRET_ACCESS_KEY": "secret",
                "AWS_S3_ENDPOINT_URL": "https://s3.example.pl",
            },
            "but no bucket",
        ),
        ({"AWS_S3_REGION_NAME": "waw"}, "but no bucket"),
        ({"SENTRY_DSN": "https://k@sentry.example.pl/1"}, "sentry-sdk is not installed"),
    ],
)
def test_half_configuration_fails_at_start_up(change, message):
    pytest.importorskip("portal.startup")
    if "SENTRY_DSN" in change:
        try:
            import sentry_sdk  # noqa: F401

            pytest.skip("sentry-sdk is installed here")
        except ImportError:
            pass
    env = {**PRODUCTION_ENV, **change}
    env = {key: value for key, value in env.items() if value != ""}
    code, _value, output = settings_in_subprocess(env)
    assert code != 0
    assert "ImproperlyConfigured" in output and message in output


def test_http_portal_url_is_allowed_on_loopback_for_a_local_trial():
    env = {**PRODUCTION_ENV, "PORTAL_URL": "http://127.0.0.1:8000"}
    code, value, output = settings_in_subprocess(env, "settings.PORTAL_URL")
    assert code == 0, output


def test_email_timeout_comes_from_email_url_or_its_own_variable():
    env = {**PRODUCTION_ENV, "EMAIL_URL": "smtp+tls://u:p@smtp.example.pl:587?timeout=7"}
    assert settings_in_subprocess(env, "settings.EMAIL_TIMEOUT")[1] == 7
    env = {**PRODUCTION_ENV, "EMAIL_URL": "smtp://smtp.example.pl:25", "EMAIL_TIMEOUT": "3"}
    assert settings_in_subprocess(env, "settings.EMAIL_TIMEOUT")[1] == 3
    assert settings_in_subprocess(PRODUCTION_ENV, "settings.EMAIL_TIMEOUT")[1] == 10


def test_persistent_database_connections_in_production():
    value = settings_in_subprocess(PRODUCTION_ENV, "settings.DATABASES['default']")[1]
    assert value["CONN_MAX_AGE"] == 60 and value["CONN_HEALTH_CHECKS"] is True
    env = {**PRODUCTION_ENV, "CONN_MAX_AGE": "0"}
    assert settings_in_subprocess(env, "settings.DATABASES['default']")[1]["CONN_MAX_AGE"] == 0


def test_missing_pdf_library_is_a_system_check_error(settings, monkeypatch):
    settings.DEBUG = False
    real_import = builtins.__import__

    def no_weasyprint(name, *args, **kwargs):
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_weasyprint)
    [error] = pdf_library_check()
    assert error.id == "strefa.E001" and "libpango" in error.msg


def test_pdf_library_present_passes(settings):
    settings.DEBUG = False
    assert pdf_library_check() == []


def test_empty_sms_backend_means_the_console_backend():
    # .env.example: "leave SMS_BACKEND empty for the console backend".
    env = {**PRODUCTION_ENV, "SMS_BACKEND": ""}
    code, value, output = settings_in_subprocess(env, "settings.SMS_BACKEND")
    assert code == 0, output
    assert value == "notifications.sms.ConsoleSmsBackend"
