"""A malformed number, switch or list in the environment stops the start with one clear line.

Not a traceback at start-up, and not a ValueError in a job at 6 a.m.: `manage.py` (every
command, the worker and the timers' jobs) and gunicorn refuse to start and name the variable
and what it takes.
"""

import sys
from pathlib import Path

import pytest

from .helpers import PRODUCTION_ENV, command_in_subprocess, settings_in_subprocess

DEV_ENV = {"DEBUG": "true"}


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("PAYMENT_REMINDER_DAYS_BEFORE", "abc", "a whole number of days from 0 to 28"),
        ("PAYMENT_REMINDER_DAYS_BEFORE", "-3", "a whole number of days from 0 to 28"),
        ("NOTIFICATIONS_MAX_ATTEMPTS", "0", "a whole number from 1"),
        ("RATE_LIMIT_MESSAGES_PER_HOUR", "many", "a whole number from 1"),
        ("RATE_LIMIT_API_SCHEMA_PER_MINUTE", "3.5", "a whole number from 1"),
        ("CONN_MAX_AGE", "-1", "a whole number of seconds from 0"),
        ("TRUSTED_PROXY_COUNT", "one", "a whole number from 0"),
        ("PASSWORD_RESET_TIMEOUT", "1d", "a whole number of seconds from 60"),
        ("SECURE_HSTS_SECONDS", "1 year", "a whole number of seconds from 0"),
        ("EMAIL_TIMEOUT", "ten", "a number of seconds from 1"),
        ("EMAIL_URL", "smtp://smtp.example.pl:25?timeout=soon", "a number of seconds from 1"),
        ("SENTRY_TRACES_SAMPLE_RATE", "5", "a number from 0 to 1"),
        ("DB_JIT", "maybe", "true or false"),
        ("STAFF_MFA_REQUIRED", "ture", "true or false"),
        ("STREFA_API_RATE", "lots", "requests per period, e.g. 600/min"),
        ("LOG_LEVEL", "LOUD", "one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        ("ALLOWED_HOSTS", "https://strefa.example.pl", "host names without scheme or path"),
        ("ADMINS", "Dział IT", "e-mail addresses"),
        ("DATABASE_URL", "strefa", "a database URL"),
        ("STORAGE_URL", "ftp://files.example.pl/strefa", "use s3:// or file://"),
    ],
)
def test_malformed_setting_stops_manage_py_with_one_line_naming_it(name, value, expected):
    base = PRODUCTION_ENV if name.startswith("SECURE_") else DEV_ENV  # read with DEBUG off
    code, output = command_in_subprocess({**base, name: value}, "manage.py", "check")
    assert code != 0
    assert "Traceback" not in output, output
    [line] = [line for line in output.splitlines() if name in line]
    # A URL is never printed whole (it may hold a password): only the part that is wrong.
    shown = {"EMAIL_URL": "timeout='soon'", "DATABASE_URL": "'strefa'", "STORAGE_URL": "'ftp'"}
    shown = shown.get(name, repr(value))
    assert shown in line and expected in line, line


def test_several_malformed_settings_are_named_together():
    env = {**DEV_ENV, "PAYMENT_REMINDER_DAYS_BEFORE": "abc", "NOTIFICATIONS_MAX_ATTEMPTS": "x"}
    code, output = command_in_subprocess(env, "manage.py", "check")
    assert code != 0 and "Traceback" not in output
    assert "PAYMENT_REMINDER_DAYS_BEFORE='abc'" in output
    assert "NOTIFICATIONS_MAX_ATTEMPTS='x'" in output


def test_a_half_production_configuration_is_named_without_a_traceback():
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "PORTAL_URL"}
    code, output = command_in_subprocess(env, "manage.py", "migrate", "--noinput")
    assert code != 0 and "Traceback" not in output, output
    assert "PORTAL_URL must be set" in output


@pytest.mark.parametrize(
    ("name", "value", "setting", "expected"),
    [
        ("PAYMENT_REMINDER_DAYS_BEFORE", " 5 ", "PAYMENT_REMINDER_DAYS_BEFORE", 5),
        ("PAYMENT_REMINDER_DAYS_BEFORE", "0", "PAYMENT_REMINDER_DAYS_BEFORE", 0),
        # Empty, as a copied .env.example leaves it: the default.
        ("PAYMENT_REMINDER_DAYS_BEFORE", "", "PAYMENT_REMINDER_DAYS_BEFORE", 3),
        ("STAFF_MFA_REQUIRED", "off", "STREFA_STAFF_MFA_REQUIRED", False),
        ("STAFF_MFA_REQUIRED", "Yes", "STREFA_STAFF_MFA_REQUIRED", True),
        ("STREFA_API_RATE", "100/hour", "STREFA_API_RATE", "100/hour"),
        ("LOG_LEVEL", "warning", "LOGGING['root']['level']", "WARNING"),
        ("ADMINS", "Dział IT <it@example.pl>,b@example.pl", "ADMINS", None),
    ],
)
def test_well_formed_values_are_taken(name, value, setting, expected):
    code, result, output = settings_in_subprocess({**DEV_ENV, name: value}, f"settings.{setting}")
    assert code == 0, output
    if expected is not None:
        assert result == expected
    else:
        assert result == [["Dział IT", "it@example.pl"], ["b@example.pl", "b@example.pl"]]


def test_gunicorn_refuses_to_start_with_one_line(tmp_path):
    gunicorn = Path(sys.executable).parent / "gunicorn"
    env = {**PRODUCTION_ENV, "PAYMENT_REMINDER_DAYS_BEFORE": "abc", "GUNICORN_BIND": "127.0.0.1:0"}
    code, output = command_in_subprocess(
        env, str(gunicorn), "-c", "deploy/gunicorn.conf.py", "portal.wsgi"
    )
    assert code != 0
    assert "Traceback" not in output, output
    assert "PAYMENT_REMINDER_DAYS_BEFORE='abc'" in output


@pytest.mark.parametrize(
    ("name", "value"),
    # (WEB_CONCURRENCY that is no number at all is refused by gunicorn itself, with its own
    # traceback, before this file is read.)
    [("WEB_CONCURRENCY", "0"), ("GUNICORN_TIMEOUT", "-5"), ("GUNICORN_MAX_REQUESTS", "x")],
)
def test_gunicorn_refuses_a_malformed_number_of_its_own_with_one_line(name, value):
    gunicorn = Path(sys.executable).parent / "gunicorn"
    env = {**PRODUCTION_ENV, name: value, "GUNICORN_BIND": "127.0.0.1:0"}
    code, output = command_in_subprocess(
        env, str(gunicorn), "-c", "deploy/gunicorn.conf.py", "portal.wsgi"
    )
    assert code != 0
    assert "Traceback" not in output, output
    assert f"{name}={value!r} is not valid: expected a whole number" in output
