"""Start page panels: each app may contribute one through its AppConfig (``home_panel``).

A provider is ``home_panel(request) -> dict | None``; the dict has ``template`` (the partial to
include) and anything the partial needs. Providers must run a fixed number of queries.
"""

from lib.contributions import contributions


def home_panels(request) -> list[dict]:
    panels = []
    for item in contributions("home_panel"):
        panel = item.load()(request)
        if panel:
            panels.append(panel)
    return panels
