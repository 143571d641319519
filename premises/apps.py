from django.apps import AppConfig


class PremisesConfig(AppConfig):
    name = "premises"
    verbose_name = "Rejestr nieruchomości"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import Company
        from .selectors import company_cache_clear

        # The cached licence holder must never outlive an edit in admin.
        post_save.connect(company_cache_clear, sender=Company, dispatch_uid="company_cache_save")
        post_delete.connect(
            company_cache_clear, sender=Company, dispatch_uid="company_cache_delete"
        )
