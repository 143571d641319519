from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from lib.contributions import demo_seed


class OfficeConfig(AppConfig):
    name = "office"
    verbose_name = _("Biuro")
    # The roles come last: they need the permissions of every other app's models.
    contributions = (demo_seed(70, "office.demo.seed"),)

    def ready(self):
        from .roles import groups_sync_after_migrate

        # After every migrate, so the permissions of apps added later are included.
        post_migrate.connect(groups_sync_after_migrate, dispatch_uid="office_groups_sync")
