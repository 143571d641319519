"""Keep ``LedgerTotal`` right on every single save or delete of a charge or payment.

Bulk writes (imports, API batches, ``seed_scale``) send no signals; they call
``finance.services.ledger_totals_refresh`` themselves.
"""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from .models import Charge, Payment
from .services import ledger_totals_refresh


@receiver(pre_save, sender=Charge)
@receiver(pre_save, sender=Payment)
def _remember_previous_premises(sender, instance, **kwargs):
    """A payment moved to another premises (or back to the queue) changes both premises."""
    if instance._state.adding or instance.pk is None:
        return
    instance._ledger_previous_premises_id = (
        sender._default_manager.filter(pk=instance.pk).values_list("premises_id", flat=True).first()
    )


@receiver(post_save, sender=Charge)
@receiver(post_save, sender=Payment)
@receiver(post_delete, sender=Charge)
@receiver(post_delete, sender=Payment)
def _refresh_ledger_totals(sender, instance, **kwargs):
    previous = instance.__dict__.pop("_ledger_previous_premises_id", None)
    ledger_totals_refresh(premises_ids=[instance.premises_id, previous])
