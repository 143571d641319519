from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class OfficeConfig(AppConfig):
    name = "office"
    verbose_name = _("Biuro")

    def ready(self):
        from .roles import groups_sync_after_migrate

        # After every migrate, so the permissions of apps added later are included.
        post_migrate.connect(groups_sync_after_migrate, dispatch_uid="office_groups_sync")
