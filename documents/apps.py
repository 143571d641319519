from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lib.contributions import ALL, demo_seed, role_policy, tab


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "Dokumenty"
    contributions = (
        tab(70, _("Dokumenty")),
        demo_seed(60, "documents.demo.seed"),
        role_policy("staff", [("*", ALL)]),
        role_policy("board", [("*", ALL)]),
    )
