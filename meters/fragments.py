"""Template fragments a page repeats with the same content, rendered once per page."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString


class WindowStatuses:
    """``meters/_window_status.html`` rendered once per distinct (readings enabled, window).

    An owner of 40 premises sees 40 communities on the start page and a card per premises on
    Liczniki; their windows are mostly the same, and the include (a date and a translation)
    was most of those pages' meter rendering.
    """

    template_name = "meters/_window_status.html"

    def __init__(self):
        self._rendered: dict[tuple, SafeString] = {}

    def __call__(self, community, window) -> SafeString:
        key = (community.meter_readings_enabled, window)
        html = self._rendered.get(key)
        if html is None:
            html = render_to_string(self.template_name, {"community": community, "window": window})
            self._rendered[key] = html
        return html


# A pk no row has: the URL is reversed once with it and each row's pk put in its place.
_PK_PLACEHOLDER = 9_876_543_210_123


def pk_url(name: str):
    """``pk -> reverse(name, args=[pk])`` with one ``reverse()`` for a whole list (Liczniki made
    two per meter: 100 for a page of an owner of 40 premises)."""
    head, tail = reverse(name, args=[_PK_PLACEHOLDER]).split(str(_PK_PLACEHOLDER))
    return lambda pk: f"{head}{pk}{tail}"
