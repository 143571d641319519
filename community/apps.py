from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lib.contributions import ALL, VIEW, data_export, demo_seed, home_panel, role_policy, tab


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = "Wspólnota: ogłoszenia i uchwały"
    contributions = (
        tab(60, _("Wspólnota")),
        home_panel(40, "community.panels.home_panel"),
        demo_seed(50, "community.demo.seed"),
        data_export(100, "votes", "community.export.votes_section"),
        role_policy("staff", [("*", ALL)]),
        role_policy("board", [("announcement", ALL), ("resolution", ALL), ("*", VIEW)]),
    )
