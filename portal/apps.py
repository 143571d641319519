from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.db.backends.signals import connection_created

        from lib.collation import register_sqlite

        from .navigation import remember_community_kind

        user_logged_in.connect(remember_community_kind, dispatch_uid="strefa_nav_cooperative")
        connection_created.connect(register_sqlite, dispatch_uid="strefa_pl_collation")

        from lib.page_cache import install as watch_writes

        connection_created.connect(watch_writes, dispatch_uid="strefa_page_cache")

        from . import checks  # noqa: F401 (registers the system checks)
        from .files import use_checked_file_urls

        use_checked_file_urls()
