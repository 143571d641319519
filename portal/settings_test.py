"""Settings for the test suite: the production settings with test-only overrides."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("PORTAL_URL", "http://127.0.0.1:8000")
os.environ.setdefault("DEFAULT_FROM_EMAIL", "Strefa <strefa@example.com>")
os.environ.setdefault("EMAIL_URL", "consolemail://")  # replaced by locmem below
os.environ.setdefault("CACHE_URL", "locmemcache://")

from portal.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
SMS_BACKEND = "notifications.sms.MemorySmsBackend"
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_PROXY_SSL_HEADER = None
SECURE_SSL_REDIRECT = False
ACCOUNT_RATE_LIMITS = False
MEDIA_ROOT = Path(os.environ.get("TEST_MEDIA_ROOT", "/tmp/strefa-test-media"))  # noqa: F405,S108
# Local disk that follows MEDIA_ROOT (tests change it per test).
STORAGES["default"] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Admin tests log staff in with force_login; tests/security enable the two-factor requirement.
STREFA_STAFF_MFA_REQUIRED = False
# Tests run over plain HTTP, where browsers refuse "__Host-" cookies.
SESSION_COOKIE_NAME = "sessionid"
CSRF_COOKIE_NAME = "csrftoken"
# The suite posts many forms as a few users; tests/security/test_resident_rate_limits.py sets
# its own limits.
RESIDENT_RATE_LIMITS = dict.fromkeys(RESIDENT_RATE_LIMITS, (10000, 3600))  # noqa: F405
