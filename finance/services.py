"""Writes of the finance app: applying imports, booking and assigning payments."""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from premises.models import Premises

from .imports import ImportPreview
from .models import Charge, ImportBatch, Payment
from .selectors import due_date_for


class ImportRejected(Exception):
    """The file has errors (or changed under us); nothing was saved."""

    def __init__(self, preview: ImportPreview):
        super().__init__(preview.file_errors)
        self.preview = preview


@transaction.atomic
def import_apply(*, preview: ImportPreview, user) -> ImportBatch:
    """Save every new row of a clean preview, or nothing at all.

    The caller builds ``preview`` again right before applying (inside no transaction of its
    own), so a row imported meanwhile by someone else is seen; the unique bank transaction id
    catches the rest, and then the whole import is rolled back.
    """
    if preview.has_errors:
        raise ImportRejected(preview)
    objects = preview.to_create
    batch = ImportBatch.objects.create(
        kind=preview.kind,
        community=preview.community,
        file_name=preview.file_name[:255],
        file_sha256=preview.sha256,
        rows_created=len(objects),
        rows_skipped=preview.skipped_count,
        created_by=user,
    )
    for obj in objects:
        obj.import_batch = batch
    model = Charge if preview.kind == ImportBatch.Kind.CHARGES else Payment
    try:
        with transaction.atomic():
            bulk_create_with_history(objects, model, batch_size=500, default_user=user)
    except IntegrityError:
        preview.file_errors.append(
            _("Część transakcji zaimportowano w międzyczasie; nic nie zapisano, spróbuj ponownie.")
        )
        raise ImportRejected(preview) from None
    return batch


@transaction.atomic
def charge_book(
    *,
    premises: Premises,
    category: str,
    period: datetime.date,
    amount: Decimal,
    title: str = "",
    due_date: datetime.date | None = None,
    fund: str = "",
) -> Charge:
    """Book one charge; a correction is a negative amount. Due date defaults to the due day."""
    period = period.replace(day=1)
    return Charge.objects.create(
        premises=premises,
        category=category,
        fund=fund or Charge.fund_for_category(category),
        title=title or f"{Charge.Category(category).label} {period:%m/%Y}",
        period=period,
        due_date=due_date or due_date_for(premises.building.community, period),
        amount=amount,
    )


@transaction.atomic
def payment_assign(*, payment: Payment, premises: Premises) -> Payment:
    """Assign an unmatched payment to a premises (once; assigned payments stay as booked)."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.premises_id is not None:
        raise ValueError(_("Ta wpłata jest już przypisana do lokalu."))
    payment.premises = premises
    payment.save(update_fields=["premises"])
    return payment
