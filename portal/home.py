"""Start page panels. Each tab app may contribute one panel through ``<app>/panels.py``.

A provider is ``home_panel(request) -> dict | None``; the dict has ``template`` (the partial to
include) and anything the partial needs. Providers must run a fixed number of queries.
"""

from django.utils.module_loading import import_string

PANEL_PROVIDERS = [
    "finance.panels.home_panel",
    "correspondence.panels.home_panel",
    "failures.panels.home_panel",
    "community.panels.home_panel",
    "meters.panels.home_panel",
]


def home_panels(request) -> list[dict]:
    panels = []
    for path in PANEL_PROVIDERS:
        panel = import_string(path)(request)
        if panel:
            panels.append(panel)
    return panels
