"""URL helpers with no Strefa app in them."""

from django.urls import NoReverseMatch, reverse


def reverse_or_none(name: str, query: str = "") -> str | None:
    """The URL of ``name`` (plus ``?query``), or None if no such URL is served."""
    try:
        return reverse(name) + (f"?{query}" if query else "")
    except NoReverseMatch:
        return None
