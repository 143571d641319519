"""Shared fixtures: the three users every access test needs, and the browser set-up."""

import os
import shutil

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by tests
# around it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest
from django.conf import settings
from django.core.management import call_command

from .factories import (
    PASSWORD,
    BuildingFactory,
    CommunityFactory,
    CompanyFactory,
    OwnershipFactory,
    PremisesFactory,
    UserFactory,
)


def pytest_sessionstart(session):
    """Compile the Polish catalogue (plural forms) when the .po is newer than the .mo.

    Runs before any test translates a string, so every test sees the compiled forms; `make
    test` compiles too, this keeps a bare `pytest` right.
    """
    for locale_path in settings.LOCALE_PATHS:
        po = locale_path / "pl" / "LC_MESSAGES" / "django.po"
        mo = po.with_suffix(".mo")
        if po.exists() and (not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime):
            call_command("compilemessages", locale=["pl"], verbosity=0)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (cached company, rate-limit counters)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
    shutil.rmtree(tmp_path / "media", ignore_errors=True)


@pytest.fixture
def company(db):
    return CompanyFactory()


@pytest.fixture
def community(company):
    return CommunityFactory(company=company)


@pytest.fixture
def building(community):
    return BuildingFactory(community=community)


@pytest.fixture
def premises(building):
    return PremisesFactory(building=building, number="12")


@pytest.fixture
def resident(premises):
    """A resident owning one premises."""
    user = UserFactory(first_name="Anna", last_name="Nowak")
    OwnershipFactory(user=user, premises=premises)
    return user


@pytest.fixture
def neighbour(building):
    """Another resident of the same building, with their own premises."""
    user = UserFactory(first_name="Jan", last_name="Sąsiad")
    OwnershipFactory(user=user, premises=PremisesFactory(building=building, number="14"))
    return user


@pytest.fixture
def stranger(company):
    """A resident of another community, who owns data that must never leak."""
    user = UserFactory(first_name="Obcy", last_name="Mieszkaniec")
    other = BuildingFactory(community=CommunityFactory(company=company, name="WM Obca"))
    OwnershipFactory(user=user, premises=PremisesFactory(building=other, number="99"))
    return user


@pytest.fixture
def resident_client(client, resident):
    client.force_login(resident)
    return client


@pytest.fixture
def password():
    return PASSWORD


# --- Browser tests (Playwright driving Debian's Chromium) ---------------------------------

CHROMIUM = os.environ.get("STREFA_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


def pytest_collection_modifyitems(config, items):
    """Without Chromium, browser tests are skipped locally; CI requires them, so it stops."""
    browser_items = [item for item in items if "browser" in item.keywords]
    if not browser_items or os.path.exists(CHROMIUM):
        return
    if os.environ.get("STREFA_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"Browser tests are required but {CHROMIUM} is missing.")
    for item in browser_items:
        item.add_marker(pytest.mark.skip(reason="Chromium not installed"))


@pytest.fixture
def live_login(live_server, page):
    """Log a user in through the real login page; returns a function(user) -> page."""

    def login(user, password=PASSWORD):
        page.goto(f"{live_server.url}/logowanie/")
        page.get_by_label("Login").fill(user.username)
        page.get_by_label("Hasło").fill(password)
        page.get_by_role("button", name="Zaloguj się").click()
        return page

    return login
