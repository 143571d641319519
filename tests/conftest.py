"""Shared fixtures: the three users every access test needs, the office roles, the demo data,
and the browser set-up. Factories and row helpers live in ``tests/factories/``."""

import os
import shutil

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by tests
# around it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import io

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import RequestFactory, override_settings

from office.services import community_role_assign
from premises.models import CommunityRole

from .factories import (
    PASSWORD,
    BuildingFactory,
    CommunityFactory,
    CompanyFactory,
    OwnershipFactory,
    PremisesFactory,
    UserFactory,
)
from .factories import demo as demo_data


def pytest_sessionstart(session):
    """Compile the Polish catalogue (plural forms) when the .po is newer than the .mo.

    Runs before any test translates a string, so every test sees the compiled forms; `make
    test` compiles too, this keeps a bare `pytest` right. Under pytest-xdist only the
    controller compiles (before the workers start), so two workers never write the .mo at once.
    """
    if hasattr(session.config, "workerinput"):
        return
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


@pytest.fixture(scope="session")
def _demo_snapshot(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo data, seeded once per test run (per xdist worker) and kept in memory.

    Seeded in a transaction that is rolled back, so other tests see an empty database; its
    files are kept in a folder of their own and copied for each test (``tests/factories/demo``).
    """
    media = tmp_path_factory.mktemp("demo") / "media"
    dump = io.StringIO()
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        call_command(
            "dumpdata", exclude=["contenttypes", "auth.permission", "sessions"], stdout=dump
        )
        transaction.set_rollback(True)
    cache.clear()
    return demo_data.snapshot(dump.getvalue()), media


@pytest.fixture
def demo(db, _demo_snapshot, settings):
    """The demo data (``seed_demo``) in this test's database and media folder."""
    objects, media = _demo_snapshot
    demo_data.load(objects)
    if media.exists():
        shutil.copytree(media, settings.MEDIA_ROOT, dirs_exist_ok=True)


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


# --- office roles: an administrator, staff of community A, a board member of A; B is foreign


@pytest.fixture
def other_community(stranger):
    """Community B: the stranger's, with their premises, building and ownership."""
    return stranger.ownerships.get().premises.building.community


@pytest.fixture
def office_admin(db):
    return UserFactory(username="administrator", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_a(community):
    user = UserFactory(username="pracownik", first_name="Ewa", last_name="Biurowa", is_staff=True)
    community_role_assign(user=user, community=community, role=CommunityRole.Role.OFFICE_STAFF)
    return user


@pytest.fixture
def board_a(community):
    user = UserFactory(username="zarzad", first_name="Jan", last_name="Zarządca")
    community_role_assign(
        user=user, community=community, role=CommunityRole.Role.BOARD, function="prezes zarządu"
    )
    user.refresh_from_db()
    return user


@pytest.fixture
def staff_client(client, staff_a):
    client.force_login(staff_a)
    return client


@pytest.fixture
def board_client(client, board_a):
    client.force_login(board_a)
    return client


@pytest.fixture
def admin_client_(client, office_admin):
    client.force_login(office_admin)
    return client


@pytest.fixture
def rf_request():
    """A request as the admin sees it, for a given user."""

    def make(user, path="/admin/"):
        request = RequestFactory().get(path)
        request.user = user
        return request

    return make
