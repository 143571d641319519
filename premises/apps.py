from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lib.contributions import ALL, VIEW, data_export, role_policy, tab


class PremisesConfig(AppConfig):
    name = "premises"
    verbose_name = "Rejestr nieruchomości"
    contributions = (
        tab(20, _("Lokale")),
        data_export(20, "ownerships", "premises.export.ownerships_section"),
        data_export(30, "community_roles", "premises.export.community_roles_section"),
        role_policy(
            "staff",
            [
                ("company", VIEW),
                ("community", frozenset({"view", "change"})),
                ("communityrole", VIEW),
                ("*", ALL),
            ],
        ),
        # Needed to pick the building of a building-only announcement.
        role_policy("board", [("community", VIEW), ("building", VIEW)]),
    )

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import Company
        from .selectors import company_cache_clear

        # The cached licence holder must never outlive an edit in admin.
        post_save.connect(company_cache_clear, sender=Company, dispatch_uid="company_cache_save")
        post_delete.connect(
            company_cache_clear, sender=Company, dispatch_uid="company_cache_delete"
        )
