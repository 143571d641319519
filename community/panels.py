"""Start page: current announcements and the votes waiting for the user."""

from .selectors import home_items_for_user, tab_name

PANEL_ANNOUNCEMENTS = 3


def home_panel(request):
    user = request.user
    # One query: the latest announcements (with the unread marker) and the open votes.
    announcements, awaiting = home_items_for_user(user, announcements=PANEL_ANNOUNCEMENTS)
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
