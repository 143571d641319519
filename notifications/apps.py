from django.apps import AppConfig

from lib.contributions import ALL, dashboard, role_policy


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Powiadomienia (e-mail i SMS)"
    contributions = (
        dashboard(40, "notifications.dashboard.admin_stats"),
        role_policy("staff", [("*", ALL)]),
    )
