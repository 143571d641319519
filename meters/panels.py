from .selectors import reading_status_for_user


def home_panel(request) -> dict | None:
    """Whether the reading window is open and which meters still lack a reading (1 query)."""
    status = reading_status_for_user(request.user)
    if status is None:
        return None
    return {
        "template": "meters/_home_panel.html",
        "communities": status.communities,
        "missing": status.missing,
        "any_open": status.any_open,
    }
