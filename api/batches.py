"""Pushing charges and payments: the rows go through the very rules of the file imports.

A batch is checked whole by ``finance.imports`` (premises, category, period, amount, fund,
"the same charge" by ``finance.imports.charge_identity``, bank references) and applied by
``finance.services.import_apply``: all rows or none, in one transaction, in bulk. A row that
is already booked is "unchanged", so sending the same batch again changes nothing.
"""

import hashlib
import json
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from finance.imports import (
    SOURCE_API,
    Accounts,
    ImportPreview,
    ImportRow,
    charge_rows_check,
    finish_bank,
    parse_amount,
    parse_date,
)
from finance.models import ImportBatch, Payment
from finance.services import ImportRejected, import_apply, lock_communities
from lib.imports import RowError, fold
from lib.statements import BankTransaction, Statement
from premises.imports import premises_number_key
from premises.models import Community, Premises

from .errors import ERROR_CODES, FIELD_CODES, error_code
from .models import ExternalRef

MAX_ROWS = 10_000


@dataclass
class BatchResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    batch_id: int | None = None
    errors: list[dict] = field(default_factory=list)
    ids: dict[str, int] = field(default_factory=dict)  # external id → Strefa id (pushes by id)


def _digest(rows) -> str:
    return hashlib.sha256(json.dumps(rows, sort_keys=True, default=str).encode()).hexdigest()


# The largest id a key (a PostgreSQL bigint) can hold: a larger number names no row, and the
# database must not be asked for it (SQLite cannot even bind it).
MAX_ID = 2**63 - 1


def _strefa_id(value) -> int | None:
    """``premises_id`` as sent, when it is a whole number some row could have."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID:
        return value
    return None


def _text(value) -> str:
    """A cell as text; NUL characters (which PostgreSQL cannot store) are dropped."""
    return "" if value is None else str(value).replace("\x00", "").strip()


def one_push_at_a_time(community_ids) -> None:
    """Pushes into a community wait for each other, as the admin's imports do (the row lock
    of ``finance.services``); call inside the push's transaction, before reading what exists.

    Two equal batches sent at once (a retry after a timeout, a double click): the second is
    checked after the first has committed, sees its rows and answers "unchanged" – never a
    second announcement or letter, never a constraint error.
    """
    lock_communities(community_ids)


@dataclass
class PremisesLookup:
    by_id: dict[int, Premises]
    by_external_id: dict[str, Premises]

    def pks(self) -> list[int]:
        return sorted({p.pk for p in [*self.by_id.values(), *self.by_external_id.values()]})


def _premises_by_id(community: Community, rows: list[dict]) -> PremisesLookup:
    """Premises the rows name by Strefa id (``premises_id``) or by the integrator's id
    (``premises_external_id``), only within ``community``: one query, two with external ids."""
    ids, external_ids = set(), set()
    for row in rows:
        value = _strefa_id(row.get("premises_id"))
        if value is not None:
            ids.add(value)
        external_id = _text(row.get("premises_external_id"))
        if external_id:
            external_ids.add(external_id)
    refs = {}
    if external_ids:
        refs = dict(
            ExternalRef.objects.filter(
                community=community, kind=ExternalRef.Kind.PREMISES, external_id__in=external_ids
            ).values_list("external_id", "object_id")
        )
    found = {
        p.pk: p
        for p in Premises.objects.filter(
            pk__in=ids | set(refs.values()), building__community=community
        ).select_related("building")
    }
    return PremisesLookup(
        by_id={pk: found[pk] for pk in ids if pk in found},
        by_external_id={e: found[pk] for e, pk in refs.items() if pk in found},
    )


def _premises_error(row: dict, lookup: PremisesLookup) -> tuple[Premises | None, str]:
    external_id = _text(row.get("premises_external_id"))
    if external_id:
        premises = lookup.by_external_id.get(external_id)
        if premises is None:
            return None, RowError(
                "premises_not_found",
                _("Lokal o identyfikatorze zewnętrznym „%(id)s” nie istnieje w tej wspólnocie.")
                % {"id": external_id},
            )
        return premises, ""
    value = row.get("premises_id")
    if value is None:
        return None, ""
    if _strefa_id(value) not in lookup.by_id:
        return None, RowError(
            "premises_not_found",
            _("Lokal o identyfikatorze %(id)s nie istnieje w tej wspólnocie.") % {"id": value},
        )
    return lookup.by_id[value], ""


def _result(preview: ImportPreview, *, key, rows_total: int) -> BatchResult:
    result = BatchResult()
    for row in preview.rows:
        for message in row.errors:
            result.errors.append(
                {"row": row.line, "code": error_code(message), "message": str(message)}
            )
    for message in preview.file_errors:
        result.errors.append({"row": None, "code": "conflict_retry", "message": message})
    if result.errors:
        return result
    objects = preview.to_create
    result.unchanged = rows_total - len(objects)
    if objects:
        try:
            batch = import_apply(preview=preview, user=key.created_by)
        except ImportRejected as rejected:
            for message in rejected.preview.file_errors:
                result.errors.append({"row": None, "code": "conflict_retry", "message": message})
            result.unchanged = 0
            return result
        result.batch_id = batch.pk
        result.created = len(objects)
    return result


@transaction.atomic
def charges_push(*, key, community: Community, rows: list[dict]) -> BatchResult:
    """Book the new charges of ``rows`` (all or none); booked ones count as unchanged."""
    one_push_at_a_time([community.pk])
    preview = ImportPreview(
        kind=ImportBatch.Kind.CHARGES,
        file_name=_("API – %(key)s") % {"key": key.name},
        sha256=_digest(rows),
        community=community,
        communities={community.pk},
    )
    by_id = _premises_by_id(community, rows)
    import_rows = []
    for index, row in enumerate(rows):
        cells = {
            "lokal": _text(row.get("number")),
            "budynek": _text(row.get("building")),
            "kategoria": _text(row.get("category")),
            "okres": _text(row.get("period")),
            "kwota": _text(row.get("amount")),
            "termin": _text(row.get("due_date")),
            "fundusz": _text(row.get("fund")),
            "tytul": _text(row.get("title")),
            "external_id": _text(row.get("external_id")),
        }
        premises, error = _premises_error(row, by_id)
        if premises is not None:
            cells["lokal"], cells["budynek"] = premises.number, premises.building.street
        import_row = ImportRow(line=index, cells=cells)
        if error:
            import_row.errors.append(error)
        import_rows.append(import_row)
    charge_rows_check(import_rows, community)
    preview.rows = import_rows
    return _result(preview, key=key, rows_total=len(rows))


def _parse(row_errors: list[str], parser, value):
    try:
        return parser(value)
    except ValueError as error:
        row_errors.append(str(error))
        return None


@transaction.atomic
def payments_push(*, key, community: Community, rows: list[dict]) -> BatchResult:
    """Book the new payments of ``rows`` (all or none), one per bank reference."""
    one_push_at_a_time([community.pk])
    preview = ImportPreview(
        kind=ImportBatch.Kind.BANK_CSV,
        file_name=_("API – %(key)s") % {"key": key.name},
        sha256=_digest(rows),
        community=community,
        communities={community.pk},
    )
    by_id = _premises_by_id(community, rows)
    transactions, chosen = [], {}
    for index, row in enumerate(rows):
        transaction = BankTransaction(
            line=index,
            reference=_text(row.get("bank_reference"))[:100],
            title=_text(row.get("title")),
            payer_name=_text(row.get("payer_name")),
            payer_account=_text(row.get("payer_account")),
            account=_text(row.get("account")),
        )
        errors = transaction.errors
        if not _text(row.get("date")):
            errors.append(RowError("missing_date_or_amount", _("Brak daty wpłaty.")))
        else:
            transaction.booked_on = _parse(errors, parse_date, _text(row.get("date")))
        transaction.amount = _parse(errors, parse_amount, _text(row.get("amount")))
        if transaction.amount is not None and transaction.amount <= 0:
            errors.append(RowError("non_positive_amount", _("Kwota wpłaty musi być dodatnia.")))
        premises, error = _premises_error(row, by_id)
        if error:
            errors.append(error)
        if premises is not None:
            chosen[index] = premises
        transactions.append(transaction)
    statement = Statement(format="api", transactions=transactions)
    finish_bank(preview, statement, Accounts([community.pk]), community.pk, source=SOURCE_API)
    for row in preview.rows:
        premises = chosen.get(row.line)
        if row.obj is not None and premises is not None:
            row.obj.premises = premises
            row.obj.match = Payment.Match.MANUAL
    return _result(preview, key=key, rows_total=len(rows))


def readings_push(*, key, community: Community, rows: list[dict]) -> BatchResult:
    """Remote readings by meter serial number, by the rules of the readings file import.

    ``meters.services.readings_apply`` checks every row against the meter's readings and the
    batch's earlier rows and inserts them in bulk (a fixed number of queries), all or none.
    A row may name its premises by ``premises_external_id``: the meter is sought only there.
    """
    from meters.imports import ImportReport, _parse_row
    from meters.models import Meter
    from meters.services import readings_apply

    lookup = _premises_by_id(community, rows)
    report = ImportReport()
    for index, row in enumerate(rows):
        parsed = _parse_row(
            index,
            {
                "numer_licznika": _text(row.get("serial_number")),
                "data_odczytu": _text(row.get("read_on")),
                "stan": _text(row.get("value")),
            },
        )
        if _text(row.get("premises_external_id")):
            premises, error = _premises_error(row, lookup)
            if premises is None:
                parsed.error = parsed.error or error
            else:
                parsed.premises_id = premises.pk
        report.rows.append(parsed)
    meters = Meter.objects.filter(premises__building__community=community)
    readings_apply(report=report, meters=meters, user=key.created_by, dry_run=False)
    result = BatchResult()
    for row in report.rows:
        if row.error:
            result.errors.append(
                {"row": row.line, "code": error_code(row.error), "message": str(row.error)}
            )
    if not result.errors:
        result.created = report.new_count
        result.unchanged = len(report.rows) - report.new_count
    return result


REGISTER_FIELDS = (
    "street",
    "postal_code",
    "city",
    "number",
    "kind",
    "area",
    "persons",
    "share",
    "bank_account",
    "login",
    "first_name",
    "last_name",
    "email",
    "phone",
    "address",
    "role",
    "valid_from",
    "valid_to",
    "recipient",
)


@transaction.atomic
def register_push(*, key, community: Community, rows: list[dict]) -> BatchResult:
    """Buildings, premises, people and ownerships of one community, by the register import.

    The rows go through ``premises.register`` (the admin's register file import: NRB, postal
    code and phone validators, shares, logins): found by street, number and person, else
    created; the whole batch or nothing, in bulk (a fixed number of queries per batch). A row's
    ``premises_external_id`` names its premises from then on in every batch.
    """
    from accounts.models import User
    from office.roles import people_in_communities
    from premises.register import register_import, register_rows_from_dicts
    from premises.resources import COLUMNS, _col

    one_push_at_a_time([community.pk])
    records = [{**row, "community": community.name, "community_nip": community.nip} for row in rows]
    result = BatchResult()
    _register_external_ids_check(rows, result)
    if result.errors:
        return result
    try:
        with transaction.atomic():
            outcome = register_import(
                rows=register_rows_from_dicts(records),
                scope_ids=[community.pk],
                people=people_in_communities(User.objects.all(), [community.pk], to_change=True),
                may_create_communities=False,
                apply=True,
            )
            _register_errors(outcome, result, {_col(k): k for k in COLUMNS})
            if not result.errors:
                _register_external_ids(community, rows, result)
            if result.errors:
                raise _Rollback
    except _Rollback:
        return result
    result.created = outcome.new_count
    result.unchanged = len(rows) - result.created
    return result


class _Rollback(Exception):
    pass


def _register_external_ids_check(rows: list[dict], result: BatchResult) -> None:
    """One external id per premises within the batch, and never one for two premises."""
    by_id: dict[str, tuple] = {}
    by_premises: dict[tuple, str] = {}
    for index, row in enumerate(rows):
        external_id = _text(row.get("premises_external_id"))
        if not external_id:
            continue
        place = (fold(_text(row.get("street"))), premises_number_key(_text(row.get("number"))))
        if len(external_id) > 100 or by_id.setdefault(external_id, place) != place:
            result.errors.append(
                {
                    "row": index,
                    "code": "external_id_conflict",
                    "message": _(
                        "Identyfikator lokalu „%(id)s” jest w paczce podany dla dwóch lokali."
                    )
                    % {"id": external_id[:100]},
                }
            )
        elif by_premises.setdefault(place, external_id) != external_id:
            result.errors.append(
                {
                    "row": index,
                    "code": "external_id_conflict",
                    "message": _("Lokal ma w paczce dwa różne identyfikatory zewnętrzne."),
                }
            )


def _register_external_ids(community: Community, rows: list[dict], result: BatchResult) -> None:
    """Link the rows' premises to their external ids (after the import, same transaction)."""
    wanted = {}
    for index, row in enumerate(rows):
        external_id = _text(row.get("premises_external_id"))
        if external_id:
            place = (fold(_text(row.get("street"))), premises_number_key(_text(row.get("number"))))
            wanted.setdefault(place, (index, external_id))
    if not wanted:
        return
    places = {
        (fold(p.building.street), premises_number_key(p.number)): p.pk
        for p in Premises.objects.filter(building__community=community).select_related("building")
    }
    refs = ExternalRef.objects.filter(community=community, kind=ExternalRef.Kind.PREMISES)
    by_external = dict(refs.values_list("external_id", "object_id"))
    by_object = {pk: e for e, pk in by_external.items()}
    new = []
    for place, (index, external_id) in wanted.items():
        premises_id = places.get(place)
        known = by_external.get(external_id)
        if premises_id is None:
            continue  # not created: the row had an error, reported already
        if known == premises_id:
            continue
        if known is not None or premises_id in by_object:
            result.errors.append(
                {
                    "row": index,
                    "code": "external_id_conflict",
                    "message": _(
                        "Identyfikator „%(id)s” należy już do innego lokalu albo lokal ma już "
                        "inny identyfikator zewnętrzny."
                    )
                    % {"id": external_id},
                }
            )
            continue
        new.append(
            ExternalRef(
                community=community,
                kind=ExternalRef.Kind.PREMISES,
                external_id=external_id,
                object_id=premises_id,
            )
        )
    if not result.errors:
        ExternalRef.objects.bulk_create(new)


def _register_errors(outcome, result: BatchResult, columns: dict[str, str]) -> None:
    """The import's errors with a code per column (``errors.FIELD_CODES``), never per text."""
    required_only = {"street", "number", "last_name", "first_name", "community"}
    for message in outcome.file_errors:
        result.errors.append({"row": None, "code": "invalid", "message": str(message)})
    for row in outcome.rows:
        for error in row.errors:
            if error.code in ERROR_CODES and error.code != "invalid":
                code = error.code  # the import's own code (e.g. community_not_found)
            elif not error.column:
                code = "invalid"
            else:
                name = columns.get(error.column, error.column)
                if name in required_only or error.code in ("blank", "null", "required"):
                    code = "required_field"
                else:
                    code = FIELD_CODES.get(name, "invalid_field")
            result.errors.append({"row": row.line - 1, "code": code, "message": str(error)})


@transaction.atomic
def letters_push(*, key, community: Community, rows: list[dict]) -> BatchResult:
    """Letters to premises' recipients with PDF attachments, published by the letter service.

    Idempotent by the integrator's ``external_id`` (per community); the recipient is the
    premises' designated one, the channel (e-delivery or post) is decided by
    ``correspondence.services`` exactly as for letters written in admin. All or nothing, in
    bulk (``letters_create_published``): a fixed number of queries per batch.
    """
    import base64
    import binascii

    from django.core.files.base import ContentFile

    from correspondence.models import Letter
    from correspondence.selectors import premises_recipients
    from correspondence.services import LetterDraft, letters_create_published
    from documents.validators import validate_pdf_file

    one_push_at_a_time([community.pk])
    by_id = _premises_by_id(community, rows)
    recipients = premises_recipients(by_id.pks())
    known = dict(
        ExternalRef.objects.filter(
            community=community,
            kind=ExternalRef.Kind.LETTER,
            external_id__in=[_text(r.get("external_id"))[:100] for r in rows],
        ).values_list("external_id", "object_id")
    )
    # What was sent under a known id: a resend must say the same (the letter is delivered).
    sent = {
        pk: (premises_id, kind, subject, body)
        for pk, premises_id, kind, subject, body in Letter.objects.filter(
            pk__in=known.values(), community=community
        ).values_list("pk", "premises_id", "kind", "subject", "body")
    }
    result, planned, seen = BatchResult(), [], set()

    def error(index, code, message):
        result.errors.append({"row": index, "code": code, "message": message})

    for index, row in enumerate(rows):
        external_id = _text(row.get("external_id"))[:100]
        if not external_id:
            error(index, "external_id_missing", _("Brak identyfikatora pisma (external_id)."))
            continue
        if external_id in seen:
            error(index, "duplicate_in_batch", _("Ten identyfikator pisma powtarza się w paczce."))
            continue
        seen.add(external_id)
        premises, message = _premises_error(row, by_id)
        if external_id in known:
            content = (
                premises.pk if premises else None,
                _text(row.get("kind")) or Letter.Kind.INFORMATION,
                _text(row.get("subject")),
                _text(row.get("body")),
            )
            if sent.get(known[external_id], content) != content:
                error(
                    index,
                    "external_id_conflict",
                    _(
                        "Pismo o identyfikatorze „%(id)s” wysłano już z inną treścią lub do "
                        "innego lokalu; wysłanego pisma nie można zmienić – nowe pismo wyślij "
                        "z nowym identyfikatorem."
                    )
                    % {"id": external_id},
                )
            continue
        if premises is None and message:
            error(index, "premises_not_found", message)
            continue
        if premises is None:
            error(
                index,
                "premises_missing",
                _("Podaj lokal (premises_id albo premises_external_id)."),
            )
            continue
        recipient = recipients.get(premises.pk)
        if recipient is None:
            error(index, "no_recipient", _("Lokal nie ma właściciela, do którego można pisać."))
            continue
        kind = _text(row.get("kind")) or Letter.Kind.INFORMATION
        if kind not in Letter.Kind.values:
            error(index, "invalid_kind", _("Nieznany rodzaj pisma „%(kind)s”.") % {"kind": kind})
            continue
        subject = _text(row.get("subject"))
        if not subject or len(subject) > 200:
            error(index, "invalid_subject", _("Podaj temat pisma (do 200 znaków)."))
            continue
        attachments = []
        for item in row.get("attachments") or []:
            name = _text(item.get("name") if isinstance(item, dict) else "")[:200] or "pismo.pdf"
            try:
                content = base64.b64decode(
                    _text(item.get("content_base64") if isinstance(item, dict) else ""),
                    validate=True,
                )
                validate_pdf_file(ContentFile(content, name=name))
            except (binascii.Error, ValueError):
                error(
                    index,
                    "invalid_attachment",
                    _("Załącznik „%(name)s” nie jest poprawnym base64.") % {"name": name},
                )
                break
            except ValidationError as problem:
                error(index, "invalid_attachment", " ".join(problem.messages))
                break
            attachments.append((name, content))
        else:
            planned.append((external_id, premises, recipient, kind, subject, row, attachments))
    if result.errors:
        return result
    with transaction.atomic():
        letters = letters_create_published(
            community=community,
            drafts=[
                LetterDraft(
                    premises=premises,
                    recipient=recipient,
                    kind=kind,
                    subject=subject,
                    body=_text(row.get("body")),
                    attachments=attachments,
                )
                for _external_id, premises, recipient, kind, subject, row, attachments in planned
            ],
            created_by=key.created_by,
        )
        ExternalRef.objects.bulk_create(
            [
                ExternalRef(
                    community=community,
                    kind=ExternalRef.Kind.LETTER,
                    external_id=item[0],
                    object_id=letter.pk,
                )
                for item, letter in zip(planned, letters, strict=True)
            ],
            batch_size=500,
        )
    result.created = len(planned)
    result.unchanged = len(rows) - len(planned)
    return result
