"""Apps contribute to the shared screens through their AppConfig (lib/contributions.py)."""

import pytest
from django.apps import apps
from django.test import RequestFactory

from accounts.export import personal_data_export
from lib import contributions as registry
from lib.contributions import data_export, home_panel, role_policy, tab
from office.roles import policy, role_actions
from portal.home import home_panels
from portal.navigation import available_tabs


@pytest.fixture
def fresh_registry():
    def clear():
        registry.contributions.cache_clear()
        available_tabs.cache_clear()
        policy.cache_clear()

    clear()
    yield
    clear()


def fake_panel(request):
    return {"template": "fake.html", "from": "test"}


def fake_section(user):
    return {"login": user.username}


def test_every_declared_contribution_is_collected_in_order():
    for kind in ("tab", "home_panel", "demo_seed", "data_export", "dashboard", "role_policy"):
        declared = {
            (config.label, item.path, item.name or "")
            for config in apps.get_app_configs()
            for item in getattr(config, "contributions", ())
            if item.kind == kind
        }
        collected = registry.contributions(kind)
        assert declared == {
            (i.app_label, i.path, "" if kind == "tab" else i.name) for i in collected
        }
        assert [i.order for i in collected] == sorted(i.order for i in collected)
    # The order the screens had when these were lists in portal/ and office/.
    assert [t.namespace for t in available_tabs()] == [
        "finance",
        "premises",
        "meters",
        "failures",
        "correspondence",
        "community",
        "documents",
    ]
    assert [i.app_label for i in registry.contributions("home_panel")] == [
        "finance",
        "correspondence",
        "failures",
        "community",
        "meters",
    ]
    assert [i.app_label for i in registry.contributions("demo_seed")] == [
        "finance",
        "meters",
        "failures",
        "correspondence",
        "community",
        "documents",
        "office",
    ]
    assert [i.app_label for i in registry.contributions("dashboard")] == [
        "accounts",
        "meters",
        "failures",
        "notifications",
        "finance",
    ]
    assert [i.name for i in registry.contributions("data_export")] == [
        "profile",
        "ownerships",
        "community_roles",
        "finance",
        "meter_readings",
        "failure_reports",
        "letters",
        "messages_to_office",
        "delivery_consents",
        "votes",
        "resignation_requests",
    ]


def test_a_contribution_in_an_app_config_reaches_every_screen(
    monkeypatch, fresh_registry, db, django_user_model
):
    config = apps.get_app_config("documents")
    monkeypatch.setattr(
        config,
        "contributions",
        (
            *config.contributions,
            tab(5, "Nowa", namespace="documents"),
            home_panel(1, "tests.test_contributions.fake_panel"),
            data_export(999, "extra", "tests.test_contributions.fake_section"),
            role_policy("tester", [("newmodel", frozenset({"view"}))]),
        ),
    )
    registry.contributions.cache_clear()
    user = django_user_model.objects.create(username="eksport")
    request = RequestFactory().get("/")
    request.user = user

    assert available_tabs()[0].label == "Nowa"
    assert home_panels(request)[0] == {"template": "fake.html", "from": "test"}
    assert personal_data_export(user)["extra"] == {"login": "eksport"}
    assert role_actions("tester", "documents", "newmodel") == frozenset({"view"})
