from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = "Finanse"

    def ready(self):
        from . import signals  # noqa: F401 (registers the ledger totals receivers)
