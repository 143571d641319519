"""The OpenAPI schema, its documentation page, and a schemathesis run against the schema."""

import re

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from api.errors import ERROR_CODES
from tests.factories import make_report

from ..factories import OwnershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_schema_lists_the_endpoints(client):
    response = client.get("/api/schema/", headers={"Accept": "application/json"})
    assert response.status_code == 200
    paths = set(response.json()["paths"])
    assert {
        "/api/v1/communities/{community_id}/charges/batch/",
        "/api/v1/communities/{community_id}/payments/batch/",
        "/api/v1/readings/",
        "/api/v1/failures/",
        "/api/v1/failures/{id}/",
        "/api/v1/threads/",
        "/api/v1/consents/",
        "/api/v1/resolutions/",
        "/api/v1/resignations/",
        "/api/v1/communities/batch/",
        "/api/v1/communities/{community_id}/announcements/batch/",
    } <= paths
    schemas = response.json()["components"]["schemas"]
    code = schemas["RowError"]["properties"]["code"]
    enum = schemas[code["allOf"][0]["$ref"].rsplit("/", 1)[1]]["enum"]
    assert enum == list(ERROR_CODES)
    assert "`conflict_with_booked`" in code["description"]
    assert response.json()["info"]["title"] == "Strefa – API integracji"


def test_docs_page_served_from_package_under_strict_csp(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "<style" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # no inline scripts
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "https://" not in html  # nothing from a CDN
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()
    assert "/api/schema/" in script.content.decode()


@pytest.fixture
def _keep_test_connection():
    """Like Django's test client: a WSGI request must not close the test's DB connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.usefixtures("_keep_test_connection")
def test_schemathesis_no_server_errors_and_schema_conformance(
    settings, key_a, community_a, premises_a, building_a
):
    settings.STREFA_API_RATE = "100000/min"
    resident = UserFactory()
    OwnershipFactory(user=resident, premises=premises_a)
    make_report(resident, building=building_a)
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    headers = {"Authorization": f"Bearer {key_a}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8
    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=15,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            response = case.call(headers=headers)
            case.validate_response(
                response, checks=[not_a_server_error, response_schema_conformance]
            )

        check()


def test_schema_is_built_once_then_served_from_the_cache(client, monkeypatch):
    """Building the schema costs ~130 ms of CPU; anonymous repeats must not rebuild it."""
    from drf_spectacular.generators import SchemaGenerator

    builds = []
    real_get_schema = SchemaGenerator.get_schema

    def counting_get_schema(self, *args, **kwargs):
        builds.append(1)
        return real_get_schema(self, *args, **kwargs)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counting_get_schema)
    first = client.get("/api/schema/", headers={"Accept": "application/json"})
    second = client.get("/api/schema/", headers={"Accept": "application/json"})
    assert len(builds) == 1
    assert second.json() == first.json()
    assert second.json()["info"]["title"] == "Strefa – API integracji"
    assert second["Content-Type"] == first["Content-Type"]
    for lang in ("pl", "xx", "xx" * 20):  # the only language, or a made-up one: no new build
        client.get(f"/api/schema/?lang={lang}", headers={"Accept": "application/json"})
    assert len(builds) == 1
    # YAML (the default format) is its own rendering, also built once.
    yaml_first = client.get("/api/schema/")
    yaml_second = client.get("/api/schema/")
    assert len(builds) == 2
    assert yaml_second.content == yaml_first.content
    assert "title: Strefa – API integracji" in yaml_second.content.decode()


def test_schema_version_parameter_cannot_poison_the_cached_schema(client):
    client.get("/api/schema/?version=zmieniona", headers={"Accept": "application/json"})
    response = client.get("/api/schema/", headers={"Accept": "application/json"})
    assert response.json()["info"]["version"] == "1"


def test_schema_is_rate_limited_per_visitor_with_a_polish_json_429(client, settings):
    settings.API_SCHEMA_RATE_LIMIT = (2, 60)
    for _ in range(2):
        assert client.get("/api/schema/", REMOTE_ADDR="198.51.100.7").status_code == 200
    refused = client.get("/api/schema/", REMOTE_ADDR="198.51.100.7")
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/json"
    assert refused.json()["detail"] == (
        "Zbyt wiele pobrań schematu API z tego adresu. Spróbuj ponownie za minutę."
    )
    assert refused["Retry-After"] == "60"
    # Another visitor is not affected.
    other = client.get("/api/schema/", REMOTE_ADDR="203.0.113.9")
    assert other.status_code == 200
    assert "Strefa – API integracji" in other.content.decode()


def test_docs_page_is_rate_limited_per_visitor_with_a_polish_json_429(client, settings):
    """The documentation page and its script follow the schema's rule (own count per visitor)."""
    settings.API_SCHEMA_RATE_LIMIT = (2, 60)
    assert client.get("/api/docs/", REMOTE_ADDR="198.51.100.7").status_code == 200
    assert client.get("/api/docs/?script=", REMOTE_ADDR="198.51.100.7").status_code == 200
    refused = client.get("/api/docs/", REMOTE_ADDR="198.51.100.7")
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/json"
    assert refused.json()["detail"] == (
        "Zbyt wiele wyświetleń dokumentacji API z tego adresu. Spróbuj ponownie za minutę."
    )
    assert refused["Retry-After"] == "60"
    # The page's own loads do not use up the schema downloads of the same visitor.
    assert client.get("/api/schema/", REMOTE_ADDR="198.51.100.7").status_code == 200
    other = client.get("/api/docs/", REMOTE_ADDR="203.0.113.9")
    assert other.status_code == 200
    assert "swagger-ui" in other.content.decode()
