"""Reads of failure reports. Residents see the failures of the buildings they live in."""

from django.db.models import Prefetch, QuerySet

from premises.selectors import premises_for_user

from .models import FailureComment, FailurePhoto, FailureReport, FailureStatusChange


def _in_buildings_of(user, premises: list | None) -> QuerySet[FailureReport]:
    """Reports in the buildings of ``premises`` (the user's premises already read in this
    request) or, without them, of ``premises_for_user`` as a subquery.

    A plain list of ids lets PostgreSQL use the report indexes; the nested building subquery
    made it scan every report for an owner of many premises (issue 17). The subquery reads
    the premises' building ids directly: no join and no DISTINCT over buildings, about a
    third less for Django to build (the detail and photo pages).
    """
    if premises is None:
        scope = premises_for_user(user).values("building_id")
        return FailureReport.objects.filter(building_id__in=scope)
    return FailureReport.objects.filter(building_id__in={p.building_id for p in premises})


def failures_for_user(user, premises: list | None = None) -> QuerySet[FailureReport]:
    """Reports in every building where the user currently holds premises, newest first.

    ``premises``: the user's premises already fetched in this request (``held_premises_for_user``).
    Deliberately no ``select_related("reporter")``: neighbours never see who reported.
    """
    return _in_buildings_of(user, premises).select_related("building", "premises").newest_first()


def failure_list_for_user(user, premises: list | None = None) -> QuerySet[FailureReport]:
    """The Awarie list: reports with their photos (one extra query for any number of them)."""
    return failures_for_user(user, premises).prefetch_related(
        Prefetch("photos", queryset=FailurePhoto.objects.order_by("added_by_office", "pk"))
    )


def failure_detail_for_user(user) -> QuerySet[FailureReport]:
    """One report's page: its status history and the comments marked visible to residents.

    Comments are loaded without their author: residents see only "Biuro" or "Zarząd wspólnoty".
    """
    return failure_list_for_user(user).prefetch_related(
        Prefetch(
            "status_changes", queryset=FailureStatusChange.objects.order_by("changed_at", "pk")
        ),
        Prefetch(
            "comments",
            queryset=FailureComment.objects.filter(visible_to_residents=True)
            .only("report_id", "author_role", "body", "created_at")
            .order_by("created_at", "pk"),
            to_attr="public_comments",
        ),
    )


def failure_photos_for_user(user) -> QuerySet[FailurePhoto]:
    return FailurePhoto.objects.filter(report__in=failures_for_user(user).order_by())


def open_failures_for_user(user, premises: list | None = None) -> QuerySet[FailureReport]:
    """Open reports, newest first, with their premises (the start page shows no building)."""
    return _in_buildings_of(user, premises).open().select_related("premises").newest_first()


def _reporting_premises(user) -> QuerySet:
    return premises_for_user(user).filter(building__community__failure_reports_enabled=True)


def can_report_failures(user, premises: list | None = None) -> bool:
    """Whether the user holds premises in a community that takes failure reports online.

    ``premises``: the user's premises already fetched in this request (with their community),
    so the answer needs no query.
    """
    if premises is not None:
        return any(item.building.community.failure_reports_enabled for item in premises)
    return _reporting_premises(user).exists()


def failure_places_for_user(user) -> list[tuple[object, list]]:
    """Where the user may report a failure: per building, its common part and their premises.

    Only buildings of communities that have failure reporting switched on.
    """
    grouped: dict[int, tuple[object, list]] = {}
    premises = _reporting_premises(user).order_by("building__street", "building__pk", "number")
    for item in premises:
        grouped.setdefault(item.building_id, (item.building, []))[1].append(item)
    return list(grouped.values())
