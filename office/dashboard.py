"""The office dashboard on the admin start page: a few numbers an office checks every morning.

Each app contributes its figures through its AppConfig (``dashboard`` in
``lib/contributions.py``): ``admin_stats(request, scope) -> dict | None`` returning
``{"title": str, "rows": [{"label": str, "value": int | str, "url": str | None}]}``; None hides
the section (the user may not see its data). Every provider runs one query, scoped with
``scope(queryset, model, lookup)`` to the communities the user works for.
"""

from functools import partial

from lib.contributions import contributions

from .roles import community_ids_for


def scoped(user, queryset, model, lookup: str):
    """``queryset`` cut to the communities in which ``user`` may see ``model``."""
    ids = community_ids_for(user, model)
    if ids is None:
        return queryset
    return queryset.filter(**{f"{lookup}__in": ids})


def dashboard_sections(request) -> list[dict]:
    scope = partial(scoped, request.user)
    sections = []
    for item in contributions("dashboard"):
        section = item.load()(request, scope)
        if section:
            sections.append(section)
    return sections
