from django.db.models import Case, IntegerField, Sum, Value, When, Window

from .selectors import letters_for_user


def home_panel(request):
    """Start page: how many letters are unread and the latest one (one query).

    The unread count rides on the latest letter as a window over all of the user's letters,
    so the start page does not run the letters query twice.
    """
    user = request.user
    if not user.is_authenticated:
        return None
    unread = Case(
        When(is_unread=True, then=Value(1)), default=Value(0), output_field=IntegerField()
    )
    latest = letters_for_user(user).annotate(unread_total=Window(Sum(unread))).first()
    if latest is None:
        return None
    return {
        "template": "correspondence/_home_panel.html",
        "unread": latest.unread_total,
        "latest": latest,
    }
