from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lib.contributions import ALL, dashboard, data_export, demo_seed, home_panel, role_policy, tab


class MetersConfig(AppConfig):
    name = "meters"
    verbose_name = "Liczniki i odczyty"
    contributions = (
        tab(30, _("Liczniki")),
        home_panel(50, "meters.panels.home_panel"),
        demo_seed(20, "meters.demo.seed"),
        data_export(50, "meter_readings", "meters.export.meters_section"),
        dashboard(20, "meters.dashboard.admin_stats"),
        role_policy("staff", [("*", ALL)]),
    )
