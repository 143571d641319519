"""Pushing communities and announcements, idempotent by the integrator's external ids.

A row whose external id is known updates that object when a field differs, else it is
"unchanged"; a new id creates the object. The whole batch is checked first (Django's model
validation, the same as the admin's forms) and saved in one transaction, or nothing is.
Announcements are told to residents by ``community.services.announcement_notify`` – the
admin's own path, so e-mail and SMS follow the same consent rules (``notifications.notify``).
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from lib.imports import fold
from premises.models import Community

from .batches import BatchResult, _text, one_push_at_a_time
from .errors import ERROR_CODES, field_error_code
from .keys import community_ids
from .models import ExternalRef

COMMUNITY_FIELDS = (
    "name",
    "kind",
    "nip",
    "regon",
    "street",
    "postal_code",
    "city",
    "bank_account",
    "office_hours",
)


def _add(result: BatchResult, row, code: str, message: str) -> None:
    result.errors.append({"row": row, "code": code, "message": str(message)})


def _model_errors(result: BatchResult, index: int, error: ValidationError, labels) -> None:
    """Django's validation errors of a row, each with the code of its field (see errors)."""
    for field_name, errors in error.error_dict.items():
        for problem in errors:
            message = " ".join(problem.messages)
            label = labels.get(field_name)
            _add(
                result,
                index,
                field_error_code(field_name, problem.code),
                f"{label}: {message}" if label else message,
            )


def _external_ids(result: BatchResult, rows: list[dict]) -> list[str | None]:
    """The rows' external ids; a missing or repeated one is a row error (and None)."""
    ids, seen = [], set()
    for index, row in enumerate(rows):
        external_id = _text(row.get("external_id"))
        if not external_id or len(external_id) > 100:
            _add(
                result,
                index,
                "external_id_missing",
                _("Podaj identyfikator z systemu biura (external_id, do 100 znaków)."),
            )
            ids.append(None)
        elif external_id in seen:
            _add(
                result,
                index,
                "duplicate_in_batch",
                _("Identyfikator „%(id)s” powtarza się w paczce.") % {"id": external_id},
            )
            ids.append(None)
        else:
            seen.add(external_id)
            ids.append(external_id)
    return ids


def _labels(model) -> dict[str, str]:
    return {
        f.name: str(f.verbose_name) for f in model._meta.get_fields() if hasattr(f, "verbose_name")
    }


@transaction.atomic
def communities_push(*, key, rows: list[dict]) -> BatchResult:
    """Create or update communities by external id; new ones join the key's communities.

    Only a key of the office administrator creates communities (as in admin). A community of
    Strefa gets its external id by sending its Strefa ``id`` with the first push.
    """
    from office.roles import is_office_admin
    from premises.selectors import company_current

    result = BatchResult()
    scope = set(community_ids(key))
    one_push_at_a_time(scope)
    external_ids = _external_ids(result, rows)
    refs = {
        ref.external_id: ref
        for ref in ExternalRef.objects.filter(
            kind=ExternalRef.Kind.COMMUNITY, external_id__in=[e for e in external_ids if e]
        )
    }
    linked = set(
        ExternalRef.objects.filter(
            kind=ExternalRef.Kind.COMMUNITY, object_id__in=scope
        ).values_list("object_id", flat=True)
    )
    existing = Community.objects.in_bulk(scope)
    labels = _labels(Community)
    planned = []
    for index, (row, external_id) in enumerate(zip(rows, external_ids, strict=True)):
        if external_id is None:
            continue
        ref = refs.get(external_id)
        strefa_id = row.get("id")
        if ref is not None:
            if ref.object_id not in scope:
                _add(
                    result,
                    index,
                    "community_not_found",
                    _("Wspólnota „%(id)s” nie należy do wspólnot tego klucza.")
                    % {"id": external_id},
                )
                continue
            community, link = existing[ref.object_id], False
        elif strefa_id is not None:
            if (
                not isinstance(strefa_id, int)
                or isinstance(strefa_id, bool)
                or strefa_id not in scope
            ):
                _add(
                    result,
                    index,
                    "community_not_found",
                    _("Wspólnota o identyfikatorze %(id)s nie należy do wspólnot tego klucza.")
                    % {"id": strefa_id},
                )
                continue
            if strefa_id in linked:
                _add(
                    result,
                    index,
                    "external_id_conflict",
                    _("Wspólnota o identyfikatorze %(id)s ma już inny identyfikator zewnętrzny.")
                    % {"id": strefa_id},
                )
                continue
            community, link = existing[strefa_id], True
        else:
            if not is_office_admin(key.created_by):
                _add(
                    result,
                    index,
                    "not_permitted",
                    _("Nowe wspólnoty zakłada administrator biura (klucz jego konta)."),
                )
                continue
            company = company_current()
            if company is None:
                _add(
                    result,
                    index,
                    "no_company",
                    _("Najpierw wprowadź dane zarządcy (licencjobiorcy) w panelu biura."),
                )
                continue
            community, link = Community(company=company), True
        changed = False
        for name in COMMUNITY_FIELDS:
            if name in row:
                value = _text(row.get(name))
                if name in ("nip", "bank_account"):
                    value = "".join(value.replace("-", "").split())
                if getattr(community, name) != value:
                    setattr(community, name, value)
                    changed = True
        try:
            community.full_clean()
        except ValidationError as error:
            _model_errors(result, index, error, labels)
            continue
        planned.append((external_id, community, changed, link))
    if result.errors:
        return result
    try:
        with transaction.atomic():
            _communities_save(key, planned, result)
    except IntegrityError:
        # Another key gave the same new external id at the same moment.
        return BatchResult(errors=[_conflict_retry()])
    key._community_ids = None
    return result


def _conflict_retry() -> dict:
    return {"row": None, "code": "conflict_retry", "message": str(ERROR_CODES["conflict_retry"])}


def _communities_save(key, planned, result: BatchResult) -> None:
    for external_id, community, changed, link in planned:
        new = community.pk is None
        if new or changed:
            community.save()
        if link:
            ExternalRef.objects.create(
                community=community,
                kind=ExternalRef.Kind.COMMUNITY,
                external_id=external_id,
                object_id=community.pk,
            )
        if new:
            key.communities.add(community)
            result.created += 1
        elif changed:
            result.updated += 1
        else:
            result.unchanged += 1
        result.ids[external_id] = community.pk


ANNOUNCEMENT_FIELDS = ("title", "body", "pinned", "publish_at", "expires_at", "building")


def _when(value, *, default=None):
    """An ISO 8601 date-time (naive: local time), ``default`` when empty; ValueError if bad."""
    if value in (None, ""):
        return default
    parsed = parse_datetime(str(value)) if isinstance(value, str) else None
    if parsed is None:
        raise ValueError
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


@transaction.atomic
def announcements_push(*, key, community: Community, rows: list[dict]) -> BatchResult:
    """Announcements of one community (or one of its buildings), by external id.

    Residents are told once, when the announcement is published (now, or by the periodic job
    at ``publish_at``), exactly as for announcements added in admin.
    """
    from community.models import Announcement, Source
    from community.services import announcement_notify

    result = BatchResult()
    one_push_at_a_time([community.pk])
    external_ids = _external_ids(result, rows)
    refs = dict(
        ExternalRef.objects.filter(
            community=community,
            kind=ExternalRef.Kind.ANNOUNCEMENT,
            external_id__in=[e for e in external_ids if e],
        ).values_list("external_id", "object_id")
    )
    existing = Announcement.objects.filter(community=community).in_bulk(refs.values())
    buildings = {fold(b.street): b for b in community.buildings.all()}
    labels = _labels(Announcement)
    now = timezone.now()
    planned = []
    for index, (row, external_id) in enumerate(zip(rows, external_ids, strict=True)):
        if external_id is None:
            continue
        announcement = existing.get(refs.get(external_id))
        new = announcement is None
        if new:
            announcement = Announcement(
                community=community, source=Source.OFFICE, created_by=key.created_by
            )
        values = {
            "title": _text(row.get("title")),
            "body": _text(row.get("body")),
            "pinned": row.get("pinned", False),
        }
        if not isinstance(values["pinned"], bool):
            _add(result, index, "invalid_field", _("„pinned”: podaj true albo false."))
            continue
        try:
            values["publish_at"] = _when(
                row.get("publish_at"), default=announcement.publish_at if not new else now
            )
            values["expires_at"] = _when(row.get("expires_at"))
        except ValueError:
            _add(
                result,
                index,
                "invalid_date",
                _("Nieprawidłowa data i godzina (np. 2026-12-01T08:00:00+01:00)."),
            )
            continue
        street = _text(row.get("building"))
        values["building"] = None
        if street:
            values["building"] = buildings.get(fold(street))
            if values["building"] is None:
                _add(
                    result,
                    index,
                    "building_not_found",
                    _("Budynek „%(street)s” nie należy do wspólnoty %(community)s.")
                    % {"street": street, "community": community.name},
                )
                continue
        changed = False
        for name, value in values.items():
            if getattr(announcement, name) != value:
                setattr(announcement, name, value)
                changed = True
        try:
            announcement.full_clean(exclude=["created_by"])
        except ValidationError as error:
            _model_errors(result, index, error, labels)
            continue
        planned.append((external_id, announcement, new, changed))
    if result.errors:
        return result
    with transaction.atomic():
        for external_id, announcement, new, changed in planned:
            if new or changed:
                announcement.save()
            if new:
                ExternalRef.objects.update_or_create(
                    community=community,
                    kind=ExternalRef.Kind.ANNOUNCEMENT,
                    external_id=external_id,
                    defaults={"object_id": announcement.pk},
                )
                result.created += 1
            elif changed:
                result.updated += 1
            else:
                result.unchanged += 1
            result.ids[external_id] = announcement.pk
        for _external_id, announcement, new, changed in planned:
            if new or changed:
                announcement_notify(announcement=announcement, now=now)
    return result
