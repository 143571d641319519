"""Configuration checks that make a production start fail loudly on a half configuration.

Pure functions of the settings' values (no Django imports), called at the end of
``portal/settings.py`` when DEBUG is off; the messages are for operators (English).
"""

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
