"""Start page: current announcements and the votes waiting for the user."""

from .selectors import announcements_for_user, resolutions_awaiting_vote, tab_name

PANEL_ANNOUNCEMENTS = 3


def home_panel(request):
    user = request.user
    # Two queries: the latest announcements (with the unread marker) and open votes.
    announcements = list(announcements_for_user(user).prefetch_related(None)[:PANEL_ANNOUNCEMENTS])
    awaiting = list(resolutions_awaiting_vote(user))
    if not announcements and not awaiting:
        return None
    return {
        "template": "community/_home_panel.html",
        "announcements": announcements,
        "awaiting": awaiting,
        # "Spółdzielnia" for members of cooperatives only (no extra query: both lists carry
        # their community).
        "heading": tab_name([item.community for item in (*announcements, *awaiting)]),
    }
