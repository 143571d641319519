"""Office roles in Django admin: who may do what, and in which communities.

Three roles:

* office administrator: a superuser or a member of the "Administrator biura" group; everything,
  in every community;
* office staff: ``CommunityRole(role="staff")``; the office's work (register, money, meters,
  failures, letters, community pages, documents) in the communities assigned to them;
* board member: ``CommunityRole(role="board")``; announcements, resolutions, documents,
  failures (read and comment), the community's info and its balance list (read and export),
  only in their own community.

The permissions of each role are contributed by each app in its AppConfig (``role_policy`` in
``lib/contributions.py``) by model name, so models added by later migrations are covered;
``groups_sync`` writes them into one Django group per role after
every ``migrate`` and ``roles_sync_user`` puts a person into the groups of their roles. Which
rows a person sees is decided per model from their ``CommunityRole`` rows (``community_ids_for``).
"""

from functools import cache

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from lib.contributions import VIEW, contributions
from premises.models import Community, CommunityRole, Ownership

ADMIN_GROUP = "Administrator biura"
STAFF_GROUP = "Pracownik biura"
BOARD_GROUP = "Zarząd wspólnoty"

STAFF = "staff"
BOARD = "board"
ROLE_GROUPS = {STAFF: STAFF_GROUP, BOARD: BOARD_GROUP}


@cache
def policy() -> dict[str, list[tuple[str, str, frozenset]]]:
    """``{role: [(app_label, model_name or "*", actions), ...]}``, from the apps' contributions;
    the first matching line wins."""
    lines: dict[str, list[tuple[str, str, frozenset]]] = {}
    for item in contributions("role_policy"):
        lines.setdefault(item.name, []).extend(
            (item.app_label, model, frozenset(actions)) for model, actions in item.lines
        )
    return lines


def role_actions(role: str, app_label: str, model_name: str) -> frozenset:
    """What a role may do with a model (empty if nothing)."""
    for app, model, actions in policy().get(role, []):
        if app == app_label and model in ("*", model_name):
            return actions
    return frozenset()


def _history_base(model):
    """simple_history's Historical<Model> is judged like the model it records."""
    instance_type = getattr(model, "instance_type", None)
    return instance_type or model


def is_office_admin(user) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_office_is_admin", None)
    if cached is None:
        cached = user.groups.filter(name=ADMIN_GROUP).exists()
        user._office_is_admin = cached
    return cached


def speaks_for_board(user, community_id: int) -> bool:
    """A board member of the community who is not also its office staff or an office
    administrator: their notes are signed "Zarząd wspólnoty"."""
    if user is None or is_office_admin(user):
        return False
    roles = community_roles(user).get(community_id, set())
    return BOARD in roles and STAFF not in roles


def community_roles(user) -> dict[int, set[str]]:
    """``{community_id: {"staff", "board"}}`` for the user; cached on the user object."""
    cached = getattr(user, "_office_roles", None)
    if cached is None:
        cached = {}
        if user.is_authenticated and user.is_active and user.is_staff:
            for community_id, role in CommunityRole.objects.filter(user=user).values_list(
                "community_id", "role"
            ):
                cached.setdefault(community_id, set()).add(role)
        user._office_roles = cached
    return cached


def community_ids_for(user, model, action: str | None = None) -> list[int] | None:
    """Communities in which ``user`` may do ``action`` (any action if None) with ``model``.

    ``None`` means every community (office administrator).
    """
    if is_office_admin(user):
        return None
    model = _history_base(model)
    opts = model._meta
    ids = []
    for community_id, roles in community_roles(user).items():
        for role in roles:
            actions = role_actions(role, opts.app_label, opts.model_name)
            if (action is None and actions) or (action in actions):
                ids.append(community_id)
                break
    return sorted(ids)


def communities_for(user, model, action: str | None = None):
    """The Community queryset behind :func:`community_ids_for`, for forms and import views."""
    ids = community_ids_for(user, model, action)
    return Community.objects.all() if ids is None else Community.objects.filter(pk__in=ids)


def people_in_communities(
    queryset: QuerySet[User], community_ids, *, to_change: bool = False
) -> QuerySet[User]:
    """The people of ``queryset`` whom office staff of ``community_ids`` manage (see them,
    change their contact data, issue their logins, import them): those who hold or held
    premises there and the communities' board members; never a superuser, office staff or an
    office administrator, whom only the office administrator manages.

    ``to_change``: only those the staff may also change. A former owner who now holds premises
    (or a board seat) only in other communities belongs to those communities' office: a new
    password or e-mail from here would open their current data to this office.
    """
    holds = Ownership.objects.filter(user=OuterRef("pk"))
    board = CommunityRole.objects.filter(user=OuterRef("pk"), role=CommunityRole.Role.BOARD)
    office = CommunityRole.objects.filter(user=OuterRef("pk"), role=CommunityRole.Role.OFFICE_STAFF)
    here = {"premises__building__community__in": community_ids}
    people = queryset.filter(
        Exists(holds.filter(**here)) | Exists(board.filter(community__in=community_ids))
    ).exclude(Q(is_superuser=True) | Exists(office) | Q(groups__name=ADMIN_GROUP))
    if not to_change:
        return people
    today = timezone.localdate()
    lasting = holds.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
    now_here = Exists(lasting.filter(**here)) | Exists(board.filter(community__in=community_ids))
    elsewhere = Exists(lasting.exclude(**here)) | Exists(board.exclude(community__in=community_ids))
    return people.filter(now_here | ~elsewhere)


def people_managed_by(user, model=User, action: str | None = None) -> QuerySet[User] | None:
    """The people ``user`` may change (:func:`people_in_communities`) in the communities where
    they may do ``action`` with ``model``; None for the office administrator (everybody)."""
    ids = community_ids_for(user, model, action)
    return None if ids is None else people_in_communities(User.objects.all(), ids, to_change=True)


def _policy_permissions(role: str) -> list[Permission]:
    wanted = []
    for model in apps.get_models():
        base = _history_base(model)
        actions = role_actions(role, base._meta.app_label, base._meta.model_name)
        if model is not base:
            # Audit records are read-only for everybody but the administrator.
            actions = actions & VIEW
        wanted.extend(
            (model._meta.app_label, f"{action}_{model._meta.model_name}") for action in actions
        )
    if not wanted:
        return []
    by_key = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.select_related("content_type").filter(
            content_type__app_label__in={app for app, _ in wanted}
        )
    }
    return [by_key[key] for key in wanted if key in by_key]


@transaction.atomic
def groups_sync() -> dict[str, Group]:
    """Create or update the role groups with the permissions defined above (idempotent)."""
    groups = {}
    admin, _ = Group.objects.get_or_create(name=ADMIN_GROUP)
    admin.permissions.set(Permission.objects.all())
    groups[ADMIN_GROUP] = admin
    for role, name in ROLE_GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(_policy_permissions(role))
        groups[name] = group
    return groups


@transaction.atomic
def roles_sync_user(*, user) -> None:
    """Put a person into the groups of their community roles (and out of the others).

    A board member or office staff member needs ``is_staff`` to enter the admin.
    """
    roles = set(CommunityRole.objects.filter(user=user).values_list("role", flat=True))
    wanted = {ROLE_GROUPS[r] for r in roles if r in ROLE_GROUPS}
    groups = {g.name: g for g in Group.objects.filter(name__in=ROLE_GROUPS.values())}
    if len(groups) < len(ROLE_GROUPS):
        groups = {g.name: g for g in groups_sync().values()}
    for name in ROLE_GROUPS.values():
        if name in wanted:
            user.groups.add(groups[name])
        else:
            user.groups.remove(groups[name])
    if roles and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    for attr in ("_perm_cache", "_user_perm_cache", "_group_perm_cache", "_office_roles"):
        user.__dict__.pop(attr, None)


def roles_sync_all() -> int:
    """Sync the groups of everybody holding a community role; returns how many people."""
    users = User.objects.filter(community_roles__isnull=False).distinct()
    count = 0
    for user in users:
        roles_sync_user(user=user)
        count += 1
    return count


def groups_sync_after_migrate(sender, using="default", **kwargs):
    if sender.name != "office":
        return
    groups_sync()
    roles_sync_all()
