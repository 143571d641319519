"""One rule for a form that arrives twice: a double click, a reload that sends it again, a slow
connection where the person clicks once more.

The second arrival of the same content from the same person within ``RESUBMIT_WINDOW`` is the
same submission: the service returns what the first one saved instead of saving it again, so the
office gets one failure report and the resident one e-mail. Readings and votes have rules of
their own (one reading per meter and day, one ballot per premises).
"""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

RESUBMIT_WINDOW = datetime.timedelta(minutes=10)


def earlier_submission(
    submissions: QuerySet, *, author, at: datetime.datetime, field: str = "created_at"
):
    """The newest of ``submissions`` (already filtered to the same content) made up to
    ``RESUBMIT_WINDOW`` before ``at``, or None.

    Call it inside the service's transaction: it first locks the author's row, so a second
    request of the same person waits for the first to commit and then finds what it saved
    (PostgreSQL; SQLite's transactions take the write lock when they begin)."""
    list(get_user_model().objects.select_for_update().filter(pk=author.pk).values_list("pk"))
    return (
        submissions.filter(**{f"{field}__gte": at - RESUBMIT_WINDOW, f"{field}__lte": at})
        .order_by("-pk")
        .first()
    )
