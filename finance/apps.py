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


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = "Finanse"
    contributions = (
        tab(10, _("Finanse")),
        home_panel(10, "finance.panels.home_panel"),
        demo_seed(10, "finance.demo.seed"),
        data_export(40, "finance", "finance.export.finance_section"),
        dashboard(50, "finance.dashboard.admin_stats"),
        role_policy("staff", [("*", ALL)]),
        # The board reads and exports the balance list ("Salda lokali"); no letters, no money.
        role_policy("board", [("premisesaccount", VIEW)]),
    )

    def ready(self):
        from . import signals  # noqa: F401 (registers the ledger totals receivers)
