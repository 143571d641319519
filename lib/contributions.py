"""What each app adds to the shared screens, declared on the app's own ``AppConfig``.

An app lists its contributions in a ``contributions`` tuple on its AppConfig (pretix's
``nav_event`` and data shredders play this part there); the shared screens walk every installed
app and never name one, so adding an app means editing only that app:

* ``tab(order, label)``: a resident tab (shown once the app serves an ``index`` URL);
* ``home_panel(order, path)``: a start-page panel, ``home_panel(request) -> dict | None``;
* ``demo_seed(order, path)``: a demo data step, ``seed(ctx)``, run after the register exists;
* ``data_export(order, key, path)``: a section of the personal data export, ``section(user)``;
* ``dashboard(order, path)``: figures of the office dashboard,
  ``admin_stats(request, scope) -> dict | None`` (``scope(queryset, model, lookup)`` keeps
  the rows of the communities the user works for);
* ``role_policy(role, lines)``: what an office role may do with the app's models, ``lines``
  being ``(model_name or "*", actions)``; the first matching line wins.

``order`` places the contribution among those of the other apps (lower first).
"""

from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.utils.module_loading import import_string

ALL = frozenset({"view", "add", "change", "delete"})
VIEW = frozenset({"view"})


@dataclass(frozen=True)
class Contribution:
    kind: str
    order: int = 0
    path: str = ""  # dotted path of the callable
    name: str = ""  # the export section's key, the tab's namespace, the policy's role
    label: str = ""  # the tab's label (lazy gettext)
    lines: tuple = ()  # role_policy: ((model_name, actions), ...)
    app_label: str = ""  # filled in when collected

    def load(self):
        return _load(self.path)


def tab(order: int, label, namespace: str = "") -> Contribution:
    return Contribution("tab", order, name=namespace, label=label)


def home_panel(order: int, path: str) -> Contribution:
    return Contribution("home_panel", order, path=path)


def demo_seed(order: int, path: str) -> Contribution:
    return Contribution("demo_seed", order, path=path)


def data_export(order: int, key: str, path: str) -> Contribution:
    return Contribution("data_export", order, path=path, name=key)


def dashboard(order: int, path: str) -> Contribution:
    return Contribution("dashboard", order, path=path)


def role_policy(role: str, lines) -> Contribution:
    return Contribution("role_policy", name=role, lines=tuple(lines))


@cache
def _load(path: str):
    return import_string(path)


@cache
def contributions(kind: str) -> tuple[Contribution, ...]:
    """Every installed app's contributions of ``kind``, by ``order`` then app order."""
    found = []
    for position, config in enumerate(apps.get_app_configs()):
        for item in getattr(config, "contributions", ()):
            if item.kind != kind:
                continue
            item = Contribution(
                kind=item.kind,
                order=item.order,
                path=item.path,
                name=item.name or (config.label if kind == "tab" else ""),
                label=item.label,
                lines=item.lines,
                app_label=config.label,
            )
            found.append((item.order, position, item))
    return tuple(item for _order, _position, item in sorted(found, key=lambda t: t[:2]))
