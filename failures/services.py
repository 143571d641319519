"""Writes of failure reports: reporting, status changes (with notification) and photos."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lib.phones import normalize_phone
from lib.resubmission import earlier_submission
from notifications.services import notify as notify_person
from portal.images import ProcessedImage

from .models import (
    FailureComment,
    FailureNumberCounter,
    FailurePhoto,
    FailureReport,
    FailureStatusChange,
)

NUMBER_FORMAT = "AW/{year}/{seq:05d}"


def _next_number(year: int) -> str:
    """The next report number of ``year``; the counter row is locked until the commit."""
    FailureNumberCounter.objects.get_or_create(year=year)
    counter = FailureNumberCounter.objects.select_for_update().get(year=year)
    counter.last = F("last") + 1
    counter.save(update_fields=["last"])
    counter.refresh_from_db(fields=["last"])
    return NUMBER_FORMAT.format(year=year, seq=counter.last)


@transaction.atomic
def failure_photo_add(
    *, report: FailureReport, image: ProcessedImage, added_by, added_by_office: bool = False
) -> FailurePhoto:
    """Store an already sanitised image (``portal.images.process_uploaded_image``)."""
    return FailurePhoto.objects.create(
        report=report,
        image=image.image,
        thumbnail=image.thumbnail,
        width=image.width,
        height=image.height,
        added_by=added_by,
        added_by_office=added_by_office,
    )


@transaction.atomic
def failure_register(
    *,
    report: FailureReport,
    created_by,
    photos: Iterable[ProcessedImage] = (),
    at: datetime.datetime | None = None,
) -> FailureReport:
    """Number and save a new, unsaved report (built by the resident form or in admin)."""
    at = at or timezone.now()
    report.full_clean(exclude=["number"])
    report.number = _next_number(timezone.localtime(at).year)
    report.status = FailureReport.Status.REPORTED
    report.created_at = report.status_changed_at = at
    report.save()
    FailureStatusChange.objects.create(
        report=report,
        from_status="",
        to_status=FailureReport.Status.REPORTED,
        changed_at=at,
        changed_by=created_by,
    )
    is_office = created_by is not None and created_by.pk != report.reporter_id
    for image in photos:
        failure_photo_add(
            report=report, image=image, added_by=created_by, added_by_office=is_office
        )
    return report


@transaction.atomic
def failure_create(
    *,
    reporter,
    building,
    premises=None,
    description: str,
    contact_phone: str,
    photos: Iterable[ProcessedImage] = (),
    at: datetime.datetime | None = None,
) -> FailureReport:
    """A resident reports a failure in one of their premises or a building's common part.

    The same report sent again moments later (a double click) is the first one, photos and all.
    """
    contact_phone = normalize_phone(contact_phone)
    same = FailureReport.objects.filter(
        reporter=reporter,
        building=building,
        premises=premises,
        description=description,
        contact_phone=contact_phone,
    )
    already = earlier_submission(same, author=reporter, at=at or timezone.now())
    if already is not None:
        return already
    report = FailureReport(
        reporter=reporter,
        building=building,
        premises=premises,
        description=description,
        contact_phone=contact_phone,
    )
    return failure_register(report=report, created_by=reporter, photos=photos, at=at)


@transaction.atomic
def failure_change_status(
    *,
    report: FailureReport,
    to_status: str,
    comment: str = "",
    changed_by,
    at: datetime.datetime | None = None,
    notify: bool = True,
) -> FailureStatusChange:
    """Move a report to its next status, log it, and tell the reporter after the commit."""
    # Lock the row so two office users cannot both move it from the same status.
    locked = FailureReport.objects.select_for_update().get(pk=report.pk)
    if not locked.can_change_to(to_status):
        raise ValidationError(
            _("Zgłoszenia o statusie „%(current)s” nie można zmienić na „%(new)s”.")
            % {
                "current": locked.get_status_display(),
                "new": FailureReport.Status(to_status).label
                if to_status in FailureReport.Status.values
                else to_status,
            },
            code="invalid_transition",
        )
    at = at or timezone.now()
    change = FailureStatusChange.objects.create(
        report=locked,
        from_status=locked.status,
        to_status=to_status,
        changed_at=at,
        comment=comment.strip(),
        changed_by=changed_by,
    )
    locked.status = to_status
    locked.status_changed_at = at
    locked.save(update_fields=["status", "status_changed_at"])
    report.status, report.status_changed_at = locked.status, locked.status_changed_at
    if notify:
        notify_person(
            user=locked.reporter,
            template="failures/email/status_changed",
            context={"report": locked, "change": change},
            related=locked,
            community=locked.building.community,
            unsubscribable=False,  # news of the person's own report, not a mailing
        )
    return change


@transaction.atomic
def failure_comment_add(
    *,
    report: FailureReport,
    author,
    body: str,
    visible_to_residents: bool = False,
    by_board: bool = False,
) -> FailureComment:
    """Add a note to a report: internal unless ``visible_to_residents``. ``by_board`` signs it
    "Zarząd wspólnoty" (the caller knows the author's office roles), else "Biuro"."""
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Wpisz treść komentarza.")}, code="empty")
    comment = FailureComment(
        report=report,
        author=author,
        author_role=(
            FailureComment.AuthorRole.BOARD if by_board else FailureComment.AuthorRole.OFFICE
        ),
        body=body,
        visible_to_residents=visible_to_residents,
    )
    comment.full_clean()
    comment.save()
    return comment
