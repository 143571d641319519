from django.db.models import Case, IntegerField, Sum, Value, When, Window

from premises.selectors import premises_for_request

from .selectors import letters_for_user


def home_panel(request):
    """Start page: how many letters are unread and the latest one (one query).

    The unread count rides on the latest letter as a window over all of the user's letters, so
    PostgreSQL counts them and the page reads one row however many letters a landlord has. The
    user's roles behind ``letters_for_user`` were read for the holding starts already
    (``held_roles_for_user`` remembers them for the request).
    """
    user = request.user
    if not user.is_authenticated:
        return None
    premises_for_request(request)  # the request's scope: plain ids in the letters' filter
    unread = Case(
        When(is_unread=True, then=Value(1)), default=Value(0), output_field=IntegerField()
    )
    latest = (
        letters_for_user(user)
        .select_related(None)
        .annotate(unread_total=Window(Sum(unread)))
        .only("pk", "subject", "published_at")
        .first()
    )
    if latest is None:
        return None
    return {
        "template": "correspondence/_home_panel.html",
        "unread": latest.unread_total,
        "latest": latest,
    }
