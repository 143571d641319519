"""Importing the real settings in a fresh interpreter, as the operator's server would."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The variables a documented production start needs; each test removes or changes one.
PRODUCTION_ENV = {
    "SECRET_KEY": "production-test-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "strefa.example.pl",
    "PORTAL_URL": "https://strefa.example.pl",
    "DEFAULT_FROM_EMAIL": "Strefa <strefa@example.pl>",
    "EMAIL_URL": "smtp+tls://strefa:secret@smtp.example.pl:587",
    "CACHE_URL": "rediscache://127.0.0.1:6379/1",
    "DEBUG": "false",
}


def _environment(env: dict) -> dict:
    """This process's environment without the configuration under test, plus ``env``."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    for name in [
        "DEBUG",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "PORTAL_URL",
        "DEFAULT_FROM_EMAIL",
        "CACHE_URL",
        "EMAIL_URL",
        "EMAIL_TIMEOUT",
        "DATABASE_URL",
        "STORAGE_URL",
        "AWS_STORAGE_BUCKET_NAME",
        "AWS_S3_ENDPOINT_URL",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_S3_REGION_NAME",
        "AWS_S3_ADDRESSING_STYLE",
        "SENTRY_DSN",
        "CONN_MAX_AGE",
        "SMS_BACKEND",
        "SMSAPI_TOKEN",
    ]:
        base.pop(name, None)
    base.update(env)
    base["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    return base


def command_in_subprocess(env: dict, *command: str) -> tuple[int, str]:
    """Run ``command`` (e.g. ``manage.py check``, gunicorn) in the checkout as an operator would,
    with ``env``; returns (returncode, stderr + stdout)."""
    result = subprocess.run(  # noqa: S603 (our own interpreter and scripts, fixed arguments)
        [sys.executable, *command] if command[0].endswith(".py") else list(command),
        env=_environment(env),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    return result.returncode, result.stderr + result.stdout


def settings_in_subprocess(env: dict, expression: str = "None", *, check: bool = False):
    """Import ``portal.settings`` with ``env`` (nothing inherited from .env) and print a value.

    Returns (returncode, parsed JSON value or None, stderr).
    """
    base = _environment(env)
    code = (
        "import json, django\n"
        "from django.conf import settings\n"
        "django.setup()\n"
        + (
            "from django.core.management import call_command\n"
            "call_command('check', '--deploy', '--fail-level', 'ERROR')\n"
            if check
            else ""
        )
        + f"print('RESULT=' + json.dumps({expression}, default=str))\n"
    )
    result = subprocess.run(  # noqa: S603 (our own interpreter, fixed code)
        [sys.executable, "-c", code],
        env=base,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    value = None
    for line in result.stdout.splitlines():
        if line.startswith("RESULT="):
            value = json.loads(line.removeprefix("RESULT="))
    return result.returncode, value, result.stderr + result.stdout
