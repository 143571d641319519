"""Uploads on S3-compatible storage: what one app server stores, another one serves."""

import uuid

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils.module_loading import import_string

from portal.startup import storage_from_url

from .helpers import PRODUCTION_ENV, settings_in_subprocess

CREDENTIALS = {"access_key": "testing", "secret_key": "testing"}


def _storage(config):
    return import_string(config["BACKEND"])(**config.get("OPTIONS", {}))


@pytest.fixture
def bucket(moto_s3):
    name = f"strefa-{uuid.uuid4().hex[:8]}"
    boto3.client(
        "s3",
        endpoint_url=moto_s3,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    ).create_bucket(Bucket=name)
    return name


def test_storage_url_configures_private_s3_storage():
    config = storage_from_url(
        "s3://KEY:SE%2FCRET@strefa-media/uploads?endpoint_url=http://127.0.0.1:9000"
        "&region_name=eu-central-1",
        media_root="/srv/media",
        aws={},
    )
    assert config["BACKEND"] == "storages.backends.s3.S3Storage"
    options = config["OPTIONS"]
    assert options["bucket_name"] == "strefa-media" and options["location"] == "uploads"
    assert (options["access_key"], options["secret_key"]) == ("KEY", "SE/CRET")
    assert options["endpoint_url"] == "http://127.0.0.1:9000"
    assert options["default_acl"] is None and options["querystring_auth"] is True
    assert options["file_overwrite"] is False


def test_default_storage_is_local_disk():
    assert storage_from_url("", media_root="/srv/media", aws={})["BACKEND"].endswith(
        "FileSystemStorage"
    )


def test_settings_take_storage_from_aws_variables():
    env = {
        **PRODUCTION_ENV,
        "AWS_STORAGE_BUCKET_NAME": "strefa",
        "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
        "AWS_ACCESS_KEY_ID": "k",
        "AWS_SECRET_ACCESS_KEY": "s",
    }
    code, value, output = settings_in_subprocess(env, "settings.STORAGES['default']")
    assert code == 0, output
    assert value["BACKEND"] == "storages.backends.s3.S3Storage"
    assert value["OPTIONS"]["endpoint_url"] == "http://127.0.0.1:9000"


def test_file_stored_by_one_server_is_read_by_another(moto_s3, bucket):
    url = f"s3://testing:testing@{bucket}/media?endpoint_url={moto_s3}&region_name=us-east-1"
    first = _storage(storage_from_url(url, media_root="", aws={}))
    second = _storage(storage_from_url(url, media_root="", aws={}))
    name = first.save("failures/2026/photo.jpg", ContentFile(b"\xff\xd8\xff fake jpeg"))
    assert second.exists(name)
    with second.open(name, "rb") as handle:
        assert handle.read() == b"\xff\xd8\xff fake jpeg"
    # Never public: the URL is signed.
    assert "X-Amz-Signature" in second.url(name) or "Signature" in second.url(name)


@pytest.mark.django_db
def test_resident_photo_uploaded_to_s3_is_served_by_the_access_checked_view(
    moto_s3, bucket, settings, resident_client, resident, premises
):
    """The failure photo view streams an S3 object like a local file."""
    from failures.models import FailurePhoto
    from failures.services import failure_create

    url = f"s3://testing:testing@{bucket}/media?endpoint_url={moto_s3}&region_name=us-east-1"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": storage_from_url(url, media_root="", aws={}),
    }
    report = failure_create(
        reporter=resident,
        building=premises.building,
        premises=premises,
        description="Cieknie kran",
        contact_phone="601200300",
    )
    photo = FailurePhoto(report=report)
    photo.image.save("x.jpg", ContentFile(b"\xff\xd8\xff jpeg bytes"), save=False)
    photo.thumbnail.save("t.jpg", ContentFile(b"\xff\xd8\xff thumb"), save=False)
    photo.save()
    assert storages["default"].exists(photo.image.name)
    assert not photo.image.name.startswith("/")
    response = resident_client.get(photo_url(photo))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\xff\xd8\xff jpeg bytes"


def photo_url(photo):
    from django.urls import reverse

    return reverse("failures:photo", args=[photo.report_id, photo.pk])
