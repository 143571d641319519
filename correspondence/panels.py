from .selectors import letters_for_user


def home_panel(request):
    """Start page: how many letters are unread and the latest one (two queries)."""
    user = request.user
    if not user.is_authenticated:
        return None
    letters = letters_for_user(user)
    latest = letters.first()
    if latest is None:
        return None
    return {
        "template": "correspondence/_home_panel.html",
        "unread": letters.filter(is_unread=True).count(),
        "latest": latest,
    }
