from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lib.contributions import (
    ALL,
    VIEW,
    dashboard,
    data_export,
    demo_seed,
    home_panel,
    role_policy,
    tab,
)


class FailuresConfig(AppConfig):
    name = "failures"
    verbose_name = _("Awarie")
    contributions = (
        tab(40, _("Awarie")),
        home_panel(30, "failures.panels.home_panel"),
        demo_seed(30, "failures.demo.seed"),
        data_export(60, "failure_reports", "failures.export.failures_section"),
        dashboard(30, "failures.dashboard.admin_stats"),
        role_policy("staff", [("*", ALL)]),
        role_policy(
            "board",
            [
                ("failurestatuschange", frozenset({"view", "add"})),
                ("failurecomment", frozenset({"view", "add"})),
                ("*", VIEW),
            ],
        ),
    )
