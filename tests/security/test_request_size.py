"""A request body larger than any form of Strefa takes is refused before it is read.

Django streams uploaded files of any size to temporary files before a view (or the CSRF check,
or the login page) sees them, so an anonymous visitor could fill the server's disk with a few
requests of gigabytes each. The portal refuses them up front with a Polish page; the proxy in
front (docs/operations.md) lets through everything the portal's forms accept.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

from correspondence.forms import MAX_ATTACHMENTS
from documents.validators import MAX_DOCUMENT_SIZE
from failures.forms import MAX_PHOTOS
from portal.images import MAX_UPLOAD_BYTES

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
TOO_BIG = str(settings.MAX_REQUEST_BYTES + 1)


def test_anonymous_upload_of_gigabytes_to_the_login_page_is_refused_unread(client):
    # The body is tiny; the declared length is what the portal must not start reading.
    response = client.post(
        "/logowanie/",
        {"login": "10000001", "password": "x"},
        CONTENT_LENGTH=str(5 * 2**30),
    )
    page = response.content.decode()
    assert response.status_code == 413
    assert "Przesłane dane są za duże" in page
    assert "Request Entity Too Large" not in page


def test_resident_sending_too_big_photos_gets_a_polish_page_in_the_layout(resident_client):
    response = resident_client.post(
        "/awarie/zglos/", {"description": "Cieknie kran."}, CONTENT_LENGTH=TOO_BIG
    )
    page = response.content.decode()
    assert response.status_code == 413
    assert "Przesłane dane są za duże" in page
    assert "najwyżej 105 MB" in page
    assert 'class="tabs"' in page  # the resident keeps the navigation


def test_the_cap_lets_through_the_largest_form_of_the_portal():
    # Five photos of a failure (or five attachments of a message) at their own size limit, or
    # in admin five documents attached to a letter or an announcement, plus the form's text
    # fields and the multipart framing.
    largest = max(
        max(MAX_PHOTOS, MAX_ATTACHMENTS) * MAX_UPLOAD_BYTES, MAX_ATTACHMENTS * MAX_DOCUMENT_SIZE
    )
    assert largest + 2**20 <= settings.MAX_REQUEST_BYTES


def test_the_documented_proxy_limit_is_above_the_portals_own():
    """The proxy must not answer first with its own English 413 page."""
    text = (ROOT / "docs" / "operations.md").read_text()
    megabytes = int(re.search(r"client_max_body_size (\d+)m;", text).group(1))
    assert megabytes * 2**20 > settings.MAX_REQUEST_BYTES


def test_api_keeps_its_json_answer_for_a_too_big_batch(client):
    response = client.post(
        "/api/v1/communities/1/charges/batch/",
        data=b"{}",
        content_type="application/json",
        CONTENT_LENGTH=TOO_BIG,
        HTTP_AUTHORIZATION="Bearer zly.klucz",
    )
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
