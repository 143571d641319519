"""Cache by environment: Redis through django-redis, degrading (never a 500) when it is down."""

import pytest
from django.core.cache import caches

from tests.factories import PASSWORD, UserFactory

from .helpers import PRODUCTION_ENV, settings_in_subprocess

REDIS_DB = 5  # this suite's Redis database number
PRODUCTION_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key", "reset_password": "20/m/ip,5/m/key"}


def test_rediscache_url_configures_django_redis_that_ignores_outages():
    env = {**PRODUCTION_ENV, "CACHE_URL": f"rediscache://127.0.0.1:6379/{REDIS_DB}"}
    code, caches_setting, err = settings_in_subprocess(env, "settings.CACHES")
    assert code == 0, err
    default = caches_setting["default"]
    assert default["BACKEND"] == "lib.cache.DegradingRedisCache"
    assert default["LOCATION"] == f"redis://127.0.0.1:6379/{REDIS_DB}"
    assert default["OPTIONS"]["IGNORE_EXCEPTIONS"] is True


def _redis_cache(location):
    from portal.settings import _cache_config

    return {"default": _cache_config(location)}


def _login(client, user, password=PASSWORD):
    return client.post("/logowanie/", {"login": user.username, "password": password}, follow=True)


@pytest.mark.django_db
def test_login_works_with_redis_cache_and_rate_limits(client, settings):
    settings.CACHES = _redis_cache(f"rediscache://127.0.0.1:6379/{REDIS_DB}")
    settings.ACCOUNT_RATE_LIMITS = PRODUCTION_RATE_LIMITS
    caches["default"].clear()
    user = UserFactory(first_name="Anna")
    response = _login(client, user)
    assert response.status_code == 200
    assert 'user-menu__name"> (Anna ' in response.content.decode()
    caches["default"].clear()


@pytest.mark.django_db
def test_login_works_when_redis_is_down(client, settings):
    # Nothing listens on port 1: every cache call fails and must be ignored.
    settings.CACHES = _redis_cache(f"rediscache://127.0.0.1:1/{REDIS_DB}")
    settings.ACCOUNT_RATE_LIMITS = PRODUCTION_RATE_LIMITS
    user = UserFactory(first_name="Anna")
    wrong = _login(client, user, "zle-haslo-123")
    assert "Nieprawidłowy login lub hasło." in wrong.content.decode()
    response = _login(client, user)
    assert response.status_code == 200
    assert 'user-menu__name"> (Anna ' in response.content.decode()
