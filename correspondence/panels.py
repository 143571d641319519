from django.db.models import Exists, FilteredRelation, OuterRef, Q
from django.utils import timezone

from premises.models import Ownership
from premises.selectors import premises_for_request

from .models import Letter, LetterOpening
from .selectors import in_windows, owner_windows


def home_panel(request):
    """Start page: how many letters are unread and the latest one (one query).

    The page has read the user's premises already; the letters addressed to the user or to one
    of those premises come in one query, each with the user's owner roles on its premises, and
    ``letters_for_user``'s rule (``owner_windows``) picks the visible ones here. Building the
    list's nested query cost more than running it (issue 17), and this way the start page does
    not read the user's roles in a query of its own.
    """
    user = request.user
    if not user.is_authenticated:
        return None
    held_ids = [premises.pk for premises in premises_for_request(request)]
    mine = FilteredRelation(
        "premises__ownerships",
        condition=Q(
            premises__ownerships__user=user,
            premises__ownerships__role__in=Ownership.OWNER_ROLES,
        ),
    )
    rows = (
        Letter.objects.published()
        .filter(Q(recipient=user) | Q(premises_id__in=held_ids))
        .annotate(
            mine=mine,
            is_unread=~Exists(LetterOpening.objects.filter(letter=OuterRef("pk"), user=user)),
        )
        .order_by("-published_at", "-pk")
        .values_list(
            "pk",
            "subject",
            "published_at",
            "premises_id",
            "recipient_id",
            "is_unread",
            "mine__premises_id",
            "mine__valid_from",
            "mine__valid_to",
        )
    )
    rows = list(rows)  # one row per letter and owner role of the user on its premises
    windows = owner_windows(
        {(p, start, end) for *_, p, start, end in rows if p is not None},
        today=timezone.localdate(),
        held_ids=set(held_ids),
    )
    latest, unread, seen = None, 0, set()
    for pk, subject, published_at, premises_id, recipient_id, is_unread, *_ in rows:
        if pk in seen:
            continue
        seen.add(pk)
        if recipient_id != user.pk and not in_windows(published_at, windows.get(premises_id, ())):
            continue
        if latest is None:
            latest = Letter(pk=pk, subject=subject, published_at=published_at)
        unread += is_unread
    if latest is None:
        return None
    return {"template": "correspondence/_home_panel.html", "unread": unread, "latest": latest}
