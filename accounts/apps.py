from django.apps import AppConfig

from lib.contributions import ALL, dashboard, data_export, role_policy


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Konta użytkowników"
    contributions = (
        data_export(10, "profile", "accounts.export.profile_section"),
        data_export(110, "resignation_requests", "accounts.export.resignations_section"),
        dashboard(10, "accounts.dashboard.admin_stats"),
        # People are deactivated, never deleted: their history and ownerships stay.
        role_policy("staff", [("user", frozenset({"view", "add", "change"})), ("*", ALL)]),
    )
