"""The WSGI entry point gunicorn loads (issue 17: a full garbage collection scanned every
startup object and stalled about one request in 100 by 111 ms)."""

import os
import subprocess
import sys
from pathlib import Path


def test_wsgi_app_freezes_its_startup_objects_with_the_views_loaded():
    script = (
        "import gc, sys, portal.wsgi; "
        "views = ('accounts.views', 'finance.views'); "
        "print(gc.get_freeze_count(), *(m in sys.modules for m in views))"
    )
    env = {**os.environ, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "portal.settings"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(  # noqa: S603 (our own interpreter, a fixed script)
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    frozen, accounts_views, finance_views = result.stdout.split()
    assert int(frozen) > 50_000  # modules, models, URL patterns: the collector skips them
    assert accounts_views == finance_views == "True"
