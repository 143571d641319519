"""The resident tabs, contributed by the apps (``tab`` in their AppConfig). A tab appears once
its app serves an ``index`` URL."""

from dataclasses import dataclass, replace
from functools import cache

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from lib.contributions import contributions
from premises.models import Community
from premises.selectors import communities_for_user


@dataclass(frozen=True)
class Tab:
    namespace: str
    label: str
    url: str


@cache
def available_tabs() -> tuple[Tab, ...]:
    tabs = []
    for item in contributions("tab"):
        try:
            tabs.append(Tab(item.name, item.label, reverse(f"{item.name}:index")))
        except NoReverseMatch:
            continue
    return tuple(tabs)


# Whether every community of the signed-in resident is a cooperative, decided once at login
# (so no page pays a query for it): their community tab is then called "Spółdzielnia".
COOPERATIVE_SESSION_KEY = "strefa_nav_cooperative"


def member_of_cooperatives_only(user) -> bool:
    kinds = set(communities_for_user(user).values_list("kind", flat=True))
    return kinds == {Community.Kind.COOPERATIVE}


def remember_community_kind(sender, request, user, **kwargs):
    """user_logged_in receiver: store the tab label's choice in the new session."""
    if request is not None and hasattr(request, "session"):
        request.session[COOPERATIVE_SESSION_KEY] = member_of_cooperatives_only(user)


def tabs_for(request) -> tuple[Tab, ...]:
    tabs = available_tabs()
    session = getattr(request, "session", None)
    if session is None or not session.get(COOPERATIVE_SESSION_KEY):
        return tabs
    return tuple(
        replace(tab, label=_("Spółdzielnia")) if tab.namespace == "community" else tab
        for tab in tabs
    )
