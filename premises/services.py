"""Writes on the register done by the office."""

from django.db import transaction
from django.utils import timezone

from .models import Ownership


@transaction.atomic
def ownership_add(*, user, premises, role: str, valid_from=None) -> Ownership:
    """Record that a person holds a premises (owner, co-owner, tenant, member) from a day."""
    return Ownership.objects.create(
        user=user, premises=premises, role=role, valid_from=valid_from or timezone.localdate()
    )
