from django.db.models import DateField, DateTimeField, Exists, IntegerField, OuterRef, Q, Value
from django.utils import timezone

from premises.models import Ownership
from premises.selectors import premises_for_request

from .models import Letter, LetterOpening
from .selectors import in_windows, owner_windows


def home_panel(request):
    """Start page: how many letters are unread and the latest one (one query).

    The page has read the user's premises already; the letters addressed to the user or to one
    of those premises come in one query with the user's owner roles on them, and
    ``letters_for_user``'s rule (``owner_windows``) picks the visible ones here. Building the
    list's nested query cost more than running it (issue 17), and this way the start page does
    not read the user's roles in a query of its own.
    """
    user = request.user
    if not user.is_authenticated:
        return None
    held_ids = [premises.pk for premises in premises_for_request(request)]
    none = {"output_field": DateField()}
    letters = (
        Letter.objects.published()
        .filter(Q(recipient=user) | Q(premises_id__in=held_ids))
        .annotate(is_unread=~Exists(LetterOpening.objects.filter(letter=OuterRef("pk"), user=user)))
        .order_by()
        .values_list(
            "pk", "subject", "published_at", "premises_id", "recipient_id", "is_unread",
            Value(None, **none), Value(None, **none),
        )
    )  # fmt: skip
    # The user's owner roles on those premises ride in the same query (published_at NULL).
    roles = (
        Ownership.objects.filter(
            user=user, role__in=Ownership.OWNER_ROLES, premises_id__in=held_ids
        )
        .order_by()
        .values_list(
            "pk", Value(""), Value(None, output_field=DateTimeField()), "premises_id",
            Value(None, output_field=IntegerField()), Value(False), "valid_from", "valid_to",
        )
    )  # fmt: skip
    rows = list(letters.union(roles, all=True))
    windows = owner_windows(
        [
            (p, start, end)
            for _pk, _s, published_at, p, *_r, start, end in rows
            if published_at is None
        ],
        today=timezone.localdate(),
        held_ids=set(held_ids),
    )
    rows = sorted(
        (row for row in rows if row[2] is not None), key=lambda row: (row[2], row[0]), reverse=True
    )
    latest, unread = None, 0
    for pk, subject, published_at, premises_id, recipient_id, is_unread, *_ in rows:
        if recipient_id != user.pk and not in_windows(published_at, windows.get(premises_id, ())):
            continue
        if latest is None:
            latest = Letter(pk=pk, subject=subject, published_at=published_at)
        unread += is_unread
    if latest is None:
        return None
    return {"template": "correspondence/_home_panel.html", "unread": unread, "latest": latest}
