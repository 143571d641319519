from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lib.contributions import ALL, data_export, demo_seed, home_panel, role_policy, tab


class CorrespondenceConfig(AppConfig):
    name = "correspondence"
    verbose_name = "Korespondencja"
    contributions = (
        tab(50, _("Korespondencja")),
        home_panel(20, "correspondence.panels.home_panel"),
        demo_seed(40, "correspondence.demo.seed"),
        data_export(70, "letters", "correspondence.export.letters_section"),
        data_export(80, "messages_to_office", "correspondence.export.messages_section"),
        data_export(90, "delivery_consents", "correspondence.export.consents_section"),
        role_policy("staff", [("*", ALL)]),
    )
