"""Writes of the finance app: applying imports, booking and assigning payments."""

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from imports.services import upload_claim
from premises.models import Community, Premises

from .imports import ImportPreview
from .models import Charge, Fund, ImportBatch, LedgerTotal, Payment

_REFRESH_CHUNK = 2_000  # premises per statement (bound parameters stay few on every database)


@transaction.atomic(savepoint=False)
def ledger_totals_refresh(*, premises_ids=None) -> None:
    """Recount ``LedgerTotal`` of the given premises from the ledger; None recounts every
    premises without locks (seeds, repairs: while nobody books).

    The one function that writes the ledger totals; call it in the transaction of every write
    to charges or payments (single saves do it through ``finance.signals``). The premises rows
    are locked first and the sums read after the lock, so of two transactions booking for the
    same premises the later one recounts with the earlier one's rows: no lost update.
    """
    if premises_ids is None:
        _ledger_totals_recount(None)
        return
    ids = sorted({pk for pk in premises_ids if pk is not None})
    for start in range(0, len(ids), _REFRESH_CHUNK):
        chunk = ids[start : start + _REFRESH_CHUNK]
        if connection.features.has_select_for_update:  # SQLite serialises writes anyway
            list(
                Premises.objects.select_for_update(no_key=True)
                .filter(pk__in=chunk)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
        _ledger_totals_recount(chunk)


def _ledger_totals_recount(ids: list[int] | None) -> None:
    totals, charge, payment = (
        LedgerTotal._meta.db_table,
        Charge._meta.db_table,
        Payment._meta.db_table,
    )
    if ids is None:
        where, params = "premises_id IS NOT NULL", []
        LedgerTotal.objects.all().delete()
    else:
        where = f"premises_id IN ({', '.join(['%s'] * len(ids))})"
        params = list(ids)
        LedgerTotal.objects.filter(premises_id__in=ids).delete()
    operating = Fund.OPERATING.value
    sql = f"""
        INSERT INTO {totals} (premises_id, fund, charges, payments)
        SELECT premises_id, fund, SUM(charges), SUM(payments) FROM (
            SELECT premises_id, fund, SUM(amount) AS charges, 0 AS payments
            FROM {charge} WHERE {where} GROUP BY premises_id, fund
            UNION ALL
            SELECT premises_id, CASE WHEN fund = '' THEN '{operating}' ELSE fund END,
                   0, SUM(amount)
            FROM {payment} WHERE {where}
            GROUP BY premises_id, CASE WHEN fund = '' THEN '{operating}' ELSE fund END
        ) t GROUP BY premises_id, fund
    """  # noqa: S608 (table names from model meta, values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, params + params)


class ImportRejected(Exception):
    """The file has errors (or changed under us); nothing was saved."""

    def __init__(self, preview: ImportPreview):
        super().__init__(preview.file_errors)
        self.preview = preview


def lock_communities(ids) -> None:
    """One import at a time per community (rows locked in a fixed order: no deadlock)."""
    ids = sorted(i for i in ids if i is not None)
    if ids:
        list(Community.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))


@transaction.atomic
def import_apply(*, preview: ImportPreview, user, upload=None) -> ImportBatch:
    """Save every new row of a clean preview, or nothing at all.

    The caller builds ``preview`` right before applying; rows booked meanwhile by someone else
    are caught by the unique constraints (bank reference, charge per premises/category/period/
    title, one batch per upload), and then the whole import is rolled back.
    """
    if preview.has_errors:
        raise ImportRejected(preview)
    lock_communities(preview.communities)
    objects = preview.to_create
    try:
        with transaction.atomic():
            batch = ImportBatch.objects.create(
                kind=preview.kind,
                community=preview.community,
                file_name=preview.file_name[:255],
                file_sha256=preview.sha256,
                rows_created=len(objects),
                rows_skipped=preview.skipped_count,
                created_by=user,
                upload=upload,
            )
            for obj in objects:
                obj.import_batch = batch
            model = Charge if preview.kind == ImportBatch.Kind.CHARGES else Payment
            _bulk_create_audited(objects, model, batch=batch, user=user)
            ledger_totals_refresh(premises_ids=[obj.premises_id for obj in objects])
    except IntegrityError:
        preview.file_errors.append(
            _("Część pozycji zaimportowano w międzyczasie; nic nie zapisano, spróbuj ponownie.")
        )
        raise ImportRejected(preview) from None
    return batch


IMPORT_BATCH_SIZE = 2000


def _bulk_create_audited(objects, model, *, batch: ImportBatch, user) -> None:
    """The rows of one import and their history entries ("created", by ``user``), in bulk.

    The history is copied in one ``INSERT … SELECT`` from the rows just saved with this
    batch: the same entries simple_history's ``bulk_create_with_history`` writes, without
    building a second Python object per row (most of a 100 000-row import's time).
    """
    history = model.history.model
    tracked = {field.attname: field for field in history.tracked_fields}
    base_columns = {field.attname: field.column for field in model._meta.concrete_fields}
    insert, select, params = [], [], []
    now = timezone.now()
    for field in history._meta.concrete_fields:
        name = field.attname
        if name == history._meta.pk.attname:
            continue
        insert.append(connection.ops.quote_name(field.column))
        if name in tracked and name in base_columns:
            select.append(connection.ops.quote_name(base_columns[name]))
        elif name == "history_date":
            select.append("%s")
            params.append(now)
        elif name == "history_change_reason":
            select.append("%s")
            params.append("")
        elif name == "history_type":
            select.append("%s")
            params.append("+")
        elif name == "history_user_id":
            select.append("%s")
            params.append(user.pk if user is not None else None)
        else:  # a history field this copy does not know: let simple_history write it
            bulk_create_with_history(
                objects, model, batch_size=IMPORT_BATCH_SIZE, default_user=user
            )
            return
    model.objects.bulk_create(objects, batch_size=IMPORT_BATCH_SIZE)
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    quote = connection.ops.quote_name
    params = [connection.ops.adapt_datetimefield_value(p) if p is now else p for p in params]
    # Table and column names come from the models' metadata, quoted; values are parameters.
    sql = "INSERT INTO {} ({}) SELECT {} FROM {} WHERE {} = %s".format(  # noqa: S608
        quote(history._meta.db_table),
        ", ".join(insert),
        ", ".join(select),
        quote(model._meta.db_table),
        quote(base_columns["import_batch_id"]),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, batch.pk])


@transaction.atomic
def import_apply_upload(*, token: str, user, kind: str, build, lock_ids=()) -> ImportBatch:
    """Apply the stored upload behind a preview token, once.

    ``build(upload)`` makes the preview from the stored file; ``lock_ids`` are communities
    locked before it is built (a charges import knows its community up front), so two
    confirmations of the same or of two equal files run one after the other and the second
    sees the first one's rows. Raises ``UploadGone`` or ``ImportRejected``; nothing is saved
    then.
    """
    upload = upload_claim(token=token, kind=kind, user=user)
    lock_communities(lock_ids)
    preview = build(upload)
    if not lock_ids and preview.communities:
        # A bank statement names its community only once read: lock it and read the file
        # again, so that another export of the same account confirmed at the same moment
        # (an MT940 file in one tab, the CSV in another) is seen booked, not booked twice.
        lock_communities(preview.communities)
        preview = build(upload)
    batch = import_apply(preview=preview, user=user, upload=upload)
    # The rows are booked; the file itself is no longer needed on the server.
    type(upload).objects.filter(pk=upload.pk).update(content=b"")
    return batch


@transaction.atomic
def payment_assign(*, payment: Payment, premises: Premises | None, user=None) -> Payment:
    """Assign a payment to a premises, re-assign it or take it back to the unassigned queue.

    Only within the community the money was paid to. Every change is a history entry
    (simple_history) with who did it and from which premises to which.
    """
    payment = (
        Payment.objects.select_for_update(of=("self",))
        .select_related("premises__building")
        .get(pk=payment.pk)
    )
    community_id = payment.community_id or (
        payment.premises.building.community_id if payment.premises_id else None
    )
    if (
        premises is not None
        and community_id is not None
        and premises.building.community_id != community_id
    ):
        raise ValueError(_("Ten lokal należy do innej wspólnoty niż rachunek tej wpłaty."))
    if payment.premises_id == (premises.pk if premises else None):
        return payment
    before = str(payment.premises) if payment.premises_id else _("nieprzypisana")
    after = str(premises) if premises else _("nieprzypisana")
    payment.premises = premises
    if community_id is None and premises is not None:
        payment.community_id = premises.building.community_id
    else:
        payment.community_id = community_id
    payment.match = Payment.Match.MANUAL if premises is not None else ""
    payment._change_reason = _("Przypisanie wpłaty: %(before)s → %(after)s") % {
        "before": before,
        "after": after,
    }
    if user is not None:
        payment._history_user = user
    payment.save(update_fields=["premises", "community", "match"])
    return payment
