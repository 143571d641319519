import json

import pytest

from portal import health


@pytest.mark.django_db
def test_healthcheck_reports_each_dependency_without_login(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        response = client.get("/healthcheck/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    body = json.loads(response.content)
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok",
        "cache": "ok",
        "storage": "ok",
    }


@pytest.mark.django_db
def test_healthcheck_answers_503_and_names_the_failing_part(client, monkeypatch):
    def broken():
        raise ConnectionError("redis://secret-host refused")

    monkeypatch.setitem(health.CHECKS, "cache", broken)
    response = client.get("/healthcheck/")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "error"
    assert body["checks"]["cache"] == {"status": "error"}
    assert body["checks"]["database"]["status"] == "ok"
    assert "secret-host" not in response.content.decode()


@pytest.mark.django_db
def test_healthcheck_with_redis_down_is_503(client, settings):
    from portal.settings import _cache_config

    settings.CACHES = {"default": _cache_config("rediscache://127.0.0.1:1/5")}
    response = client.get("/healthcheck/")
    assert response.status_code == 503
    assert json.loads(response.content)["checks"]["cache"] == {"status": "error"}


@pytest.mark.django_db
def test_load_balancer_probe_by_the_servers_address_is_answered(client, settings):
    """A load balancer probes each app server by its own address (Host: 10.0.0.5:8000), not the
    portal's name: the health check answers it, while pages keep refusing unknown hosts."""
    settings.ALLOWED_HOSTS = ["strefa.example.pl"]
    response = client.get("/healthcheck/", HTTP_HOST="10.0.0.5:8000")
    assert response.status_code == 200
    assert json.loads(response.content)["status"] == "ok"
    assert client.get("/logowanie/", HTTP_HOST="10.0.0.5:8000").status_code == 400
    assert client.post("/healthcheck/", HTTP_HOST="10.0.0.5:8000").status_code == 400
