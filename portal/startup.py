"""Configuration checks that make a start fail loudly on a malformed or half configuration.

Pure functions of the settings' values (no Django imports at module level), called from
``portal/settings.py``; the messages are for operators (English). ``settings_or_exit`` shows
them as they are, without a traceback, when ``manage.py`` or gunicorn starts.
"""

import re
import warnings
from importlib.util import find_spec
from urllib.parse import parse_qs, unquote, urlsplit

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
# The environment variable behind each key of the ``aws`` dict (messages name the variable).
AWS_VARIABLES = {
    "bucket_name": "AWS_STORAGE_BUCKET_NAME",
    "access_key": "AWS_ACCESS_KEY_ID",
    "secret_key": "AWS_SECRET_ACCESS_KEY",
    "endpoint_url": "AWS_S3_ENDPOINT_URL",
    "region_name": "AWS_S3_REGION_NAME",
    "addressing_style": "AWS_S3_ADDRESSING_STYLE",
}


# django-environ's words for true; anything else it reads as false, so a typo ("ture") would
# switch a setting off in silence.
TRUE_WORDS = frozenset({"true", "on", "ok", "y", "yes", "1"})
FALSE_WORDS = frozenset({"false", "off", "no", "n", "0"})
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# Django REST framework's throttle rate: requests per s, m, h or d (only the first letter counts).
RATE = re.compile(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)")


class EnvValues:
    """Numbers, switches and lists read from the environment through ``env`` (django-environ),
    checked: a malformed value is recorded in ``problems`` (one line naming the variable and
    what it takes) and the default used meanwhile, so the settings refuse them all at once at
    the start, where django-environ would raise a bare ValueError, or a job would fail later.

    An empty value (``NAME=`` in a copied .env.example) is the default, as if unset.
    """

    def __init__(self, env):
        self.env = env
        self.problems: list[str] = []

    def raw(self, name: str) -> str:
        return self.env.str(name, default="").strip()

    def refuse(self, name: str, value: str, expected: str) -> None:
        """``name`` may say which part of a variable it is, e.g. "EMAIL_URL timeout"."""
        self.problems.append(f"{name}={value!r} is not valid: expected {expected}.")

    def int(self, name, *, default, min_value=0, max_value=None, unit=""):
        value = self.raw(name)
        if not value:
            return default
        if value.isascii() and re.fullmatch(r"[+-]?[0-9]+", value):
            number = int(value)
            if number >= min_value and (max_value is None or number <= max_value):
                return number
        self.refuse(name, value, _range("a whole number", unit, min_value, max_value))
        return default

    def float(self, name, *, default, min_value=0, max_value=None, unit="", value=None):
        """``value``: a value taken from elsewhere (a URL's option) instead of ``name``."""
        value = self.raw(name) if value is None else str(value).strip()
        if not value:
            return default
        try:
            number = float(value)
        except ValueError:
            number = None
        ok = number is not None and number == number and number >= min_value  # NaN ≠ NaN
        if ok and (max_value is None or number <= max_value):
            return number
        self.refuse(name, value, _range("a number", unit, min_value, max_value))
        return default

    def bool(self, name, *, default):
        value = self.raw(name).lower()
        if not value:
            return default
        if value in TRUE_WORDS or value in FALSE_WORDS:
            return value in TRUE_WORDS
        self.refuse(name, self.raw(name), "true or false")
        return default

    def hosts(self, name, *, default):
        """Host names (``ALLOWED_HOSTS``): a URL there would make every request a 400."""
        hosts = self.env.list(name, default=default)
        if any("/" in host or not host.strip() for host in hosts):
            self.refuse(
                name,
                self.raw(name),
                "host names without scheme or path, comma-separated, e.g. strefa.example.pl",
            )
            return default
        return hosts

    def admins(self, name):
        """``Name <a@example.pl>,b@example.pl`` as Django's ``ADMINS``."""
        admins = []
        for entry in self.env.list(name, default=[]):
            address = entry.split("<")[-1].strip(" >")
            if "@" not in address or " " in address:
                self.refuse(
                    name, self.raw(name), "e-mail addresses, e.g. Dział IT <it@example.pl>,b@x.pl"
                )
                return []
            admins.append((entry.split("<")[0].strip() or address, address))
        return admins

    def rate(self, name, *, default):
        value = self.raw(name)
        if not value:
            return default
        if RATE.fullmatch(value):
            return value
        self.refuse(name, value, "requests per period, e.g. 600/min, 100/hour, 10/s")
        return default

    def log_level(self, name, *, default):
        value = self.raw(name)
        if not value:
            return default
        if value.upper() in LOG_LEVELS:
            return value.upper()
        self.refuse(name, value, "one of " + ", ".join(LOG_LEVELS))
        return default

    def database(self, name, *, default):
        """``DATABASE_URL`` as Django's database: django-environ returns no engine for an
        address it cannot read, which Django reports only on the first query."""
        url = self.raw(name) or default
        with warnings.catch_warnings():  # django-environ's warning prints the password
            warnings.simplefilter("ignore")
            config = self.env.db_url_config(url)
        if not config.get("ENGINE"):
            self.refuse(
                name,
                url.split("@")[-1],
                "a database URL, e.g. postgres://strefa:password@127.0.0.1:5432/strefa",
            )
            return self.env.db_url_config(default)
        return config


def _range(kind: str, unit: str, low, high) -> str:
    kind = f"{kind} of {unit}" if unit else kind
    if high is None:
        return f"{kind} from {low}"
    return f"{kind} from {low} to {high}"


def storage_from_url(url: str, *, media_root: str, aws: dict) -> dict:
    """``STORAGES["default"]`` from ``STORAGE_URL`` (and the ``AWS_*`` variables in ``aws``).

    - empty or ``file://`` → local disk at ``MEDIA_ROOT`` (one app server only);
    - ``s3://[KEY:SECRET@]bucket[/prefix][?endpoint_url=…&region_name=…&addressing_style=…]``
      → django-storages' S3 backend (AWS S3, MinIO, Ceph, OVH, Scaleway…). Files stay private:
      no public ACL, signed URLs only; Strefa serves them through access-checked views anyway.
    """
    if not url and not aws.get("bucket_name"):
        # No fixed location: the storage follows MEDIA_ROOT.
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    parts = urlsplit(url or "s3://")
    if parts.scheme == "file":
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": unquote(parts.path) or media_root},
        }
    if parts.scheme != "s3":
        raise ValueError(
            f"STORAGE_URL scheme {parts.scheme!r} is not supported (use s3:// or file://)"
        )
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    options = {
        "bucket_name": parts.hostname or aws.get("bucket_name") or "",
        "access_key": unquote(parts.username or "") or aws.get("access_key") or "",
        "secret_key": unquote(parts.password or "") or aws.get("secret_key") or "",
        "endpoint_url": query.get("endpoint_url") or aws.get("endpoint_url") or None,
        "region_name": query.get("region_name") or aws.get("region_name") or None,
        "location": parts.path.strip("/"),
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": False,
    }
    if query.get("addressing_style") or aws.get("addressing_style"):
        options["addressing_style"] = query.get("addressing_style") or aws.get("addressing_style")
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


def production_config_errors(
    *,
    allowed_hosts: list[str],
    portal_url: str,
    default_from_email: str,
    storage: dict,
    aws: dict | None = None,
    unset: list[str] = (),
) -> list[str]:
    """What is missing or inconsistent for running with DEBUG off; empty when all is well."""
    errors = []
    if "EMAIL_URL" in unset:
        errors.append(
            "EMAIL_URL must be set (e.g. smtp+tls://user:pass@smtp.example.pl:587): without it "
            "e-mails are only printed to the log (consolemail:// says so on purpose)."
        )
    if "CACHE_URL" in unset:
        errors.append(
            "CACHE_URL must be set to a cache shared by all workers (rediscache://host:6379/1 "
            "or dbcache://strefa_cache): rate limits would be kept in each process's memory."
        )
    if not allowed_hosts:
        errors.append("ALLOWED_HOSTS must list the portal's host name(s) when DEBUG is off.")
    if not portal_url:
        errors.append("PORTAL_URL must be set (e.g. https://strefa.example.pl): links in e-mails.")
    else:
        url = urlsplit(portal_url)
        if url.scheme not in {"http", "https"} or not url.hostname:
            errors.append(f"PORTAL_URL {portal_url!r} is not an absolute http(s) address.")
        elif url.scheme != "https" and url.hostname not in LOOPBACK_HOSTS:
            errors.append(f"PORTAL_URL {portal_url!r} must use https:// in production.")
    address = default_from_email.rsplit("<", 1)[-1].rstrip(">").strip()
    if not default_from_email or "@" not in address:
        errors.append(
            "DEFAULT_FROM_EMAIL must be set to the sender address, e.g. Strefa <strefa@example.pl>."
        )
    elif address.endswith("@localhost"):
        errors.append(
            f"DEFAULT_FROM_EMAIL {default_from_email!r} is a local address; mail would be refused."
        )
    if not storage.get("BACKEND", "").endswith("S3Storage"):
        given = [AWS_VARIABLES.get(key, key) for key, value in (aws or {}).items() if value]
        if given:
            errors.append(
                f"S3 settings are set ({', '.join(given)}) but no bucket: set "
                "AWS_STORAGE_BUCKET_NAME or STORAGE_URL=s3://bucket to keep uploads in S3, or "
                "remove them to keep uploads on local disk (MEDIA_ROOT)."
            )
    else:
        options = storage.get("OPTIONS", {})
        if not options.get("bucket_name"):
            errors.append(
                "S3 storage needs a bucket: STORAGE_URL=s3://bucket or AWS_STORAGE_BUCKET_NAME."
            )
        if bool(options.get("access_key")) != bool(options.get("secret_key")):
            errors.append(
                "S3 storage needs both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                "(or neither, with credentials from the instance's role)."
            )
        if not (find_spec("storages") and find_spec("boto3")):
            errors.append(
                "S3 storage is configured but django-storages[s3] (boto3) is not installed."
            )
    return errors


def settings_or_exit() -> None:
    """Load the settings; on a configuration error print its message and exit with status 1.

    Called first by ``manage.py`` (every command, the worker, the timers' jobs) and by gunicorn's
    start (``deploy/gunicorn.conf.py``): the operator reads which variable to fix and how,
    instead of forty lines of Python's stack ending in it.
    """
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.INSTALLED_APPS  # noqa: B018 (imports the settings module)
    except ImproperlyConfigured as exc:
        raise SystemExit(f"ImproperlyConfigured: {exc}") from None
