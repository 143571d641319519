"""The resident tabs. A tab appears once its app serves an ``index`` URL."""

from dataclasses import dataclass
from functools import cache

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Tab:
    namespace: str
    label: str
    url: str


_TABS = [
    ("finance", _("Finanse")),
    ("premises", _("Lokale")),
    ("meters", _("Liczniki")),
    ("failures", _("Awarie")),
    ("correspondence", _("Korespondencja")),
    ("community", _("Wspólnota")),
    ("documents", _("Dokumenty")),
]


@cache
def available_tabs() -> tuple[Tab, ...]:
    tabs = []
    for namespace, label in _TABS:
        try:
            tabs.append(Tab(namespace, label, reverse(f"{namespace}:index")))
        except NoReverseMatch:
            continue
    return tuple(tabs)
