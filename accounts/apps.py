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

    def ready(self):
        from django.core.signals import request_finished, request_started

        from .backends import session_user_forget

        # The user read with a request's session is that request's only (accounts.backends).
        request_started.connect(session_user_forget, dispatch_uid="strefa-session-user-start")
        request_finished.connect(session_user_forget, dispatch_uid="strefa-session-user-end")
