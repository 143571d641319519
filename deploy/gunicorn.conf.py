"""gunicorn settings for Strefa: `gunicorn -c deploy/gunicorn.conf.py portal.wsgi`.

Everything can be changed by environment variables (systemd EnvironmentFile, .env).
"""

import multiprocessing
import os
import sys
from pathlib import Path

# The checkout, for the settings' own checks of numbers read from the environment.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from portal.startup import EnvValues  # noqa: E402 (after the path it is found on)


class _Environ:
    def str(self, name, default=""):
        return os.environ.get(name, default)


values = EnvValues(_Environ())
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: each serves one request at a time; 2 × cores + 1 is the usual start.
workers = values.int("WEB_CONCURRENCY", default=multiprocessing.cpu_count() * 2 + 1, min_value=1)
threads = values.int("GUNICORN_THREADS", default=1, min_value=1)
# Long enough for a statement PDF or an import preview; bulk work runs in the task worker.
timeout = values.int("GUNICORN_TIMEOUT", default=60, min_value=1, unit="seconds")
graceful_timeout = values.int("GUNICORN_GRACEFUL_TIMEOUT", default=30, unit="seconds")
keepalive = 5
# Recycle workers now and then (slow memory growth of PDF and image libraries); 0: never.
max_requests = values.int("GUNICORN_MAX_REQUESTS", default=1000)
if values.problems:
    # One line per variable, as the settings do, instead of gunicorn's traceback.
    sys.exit(
        "ImproperlyConfigured: Strefa is not fully configured:\n- " + "\n- ".join(values.problems)
    )
max_requests_jitter = 100
# The TLS proxy in front of gunicorn: trust its X-Forwarded-* headers only.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108


def on_starting(server):
    """Refuse to start on a half configuration (settings raise) or a failing system check
    (e.g. WeasyPrint missing), before any worker accepts a request."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django
    from django.core.management import call_command

    from portal.startup import settings_or_exit

    settings_or_exit()
    django.setup()
    call_command("check", fail_level="ERROR")
