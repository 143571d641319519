"""Reads for the Wspólnota tab. Everything builds on the user's premises (``premises_for_user``)."""

import datetime
import re
from dataclasses import dataclass, field
from fractions import Fraction
from types import SimpleNamespace

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
    prefetch_related_objects,
)
from django.db.models.functions import Cast, Concat, RowNumber, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from correspondence.models import Letter, email_failed_for_good
from lib.collation import polish
from lib.workdays import add_weeks_deadline
from premises.models import Community, CommunityRole, Ownership, Premises
from premises.selectors import (
    buildings_for_user,
    communities_for_user,
    held_roles_for_user,
    ownerships_for_user,
    remembered_premises,
)

from .models import (
    CHALLENGE_WEEKS,
    Announcement,
    AnnouncementAttachment,
    AnnouncementRead,
    CoOwnersProxy,
    Counting,
    OutcomeNotice,
    Resolution,
    Vote,
)
from .tally import Tally, owner_units, percent


def tab_name(communities) -> str:
    """ "Spółdzielnia" for members of cooperatives only, else "Wspólnota" (or both)."""
    kinds = {community.kind for community in communities}
    if kinds == {Community.Kind.COOPERATIVE}:
        return _("Spółdzielnia")
    if Community.Kind.COOPERATIVE in kinds:
        return _("Wspólnota i spółdzielnia")
    return _("Wspólnota")


@dataclass
class CommunityScope:
    """The user's communities (office and board with them) and buildings, as read once for the
    Wspólnota tab: the other queries of the page filter on these ids."""

    communities: list[Community]
    community_ids: list[int]
    building_ids: list[int]


def community_scope_for_user(user) -> CommunityScope:
    """The user's communities by name, each with the office (company) and ``board``, and the
    user's buildings, from the user's current roles (2 queries).

    Issue 17: the page then filters announcements and resolutions on plain ids instead of
    nesting the scope's subqueries three times.
    """
    board = (
        CommunityRole.objects.filter(role=CommunityRole.Role.BOARD)
        .select_related("user")
        .order_by(polish("user__last_name"), polish("user__first_name"))
    )
    ownerships = (
        ownerships_for_user(user)
        .select_related("premises__building__community__company")
        .order_by("premises__building__community__name", "premises__building__community_id")
    )
    communities: dict[int, Community] = {}
    buildings = set()
    for ownership in ownerships:
        building = ownership.premises.building
        buildings.add(building.pk)
        communities.setdefault(building.community_id, building.community)
    found = list(communities.values())
    prefetch_related_objects(found, Prefetch("roles", queryset=board, to_attr="board"))
    return CommunityScope(found, sorted(communities), sorted(buildings))


def _scope(user, scope: CommunityScope | None = None) -> tuple:
    """The user's communities and buildings to filter on: plain id lists once they are known
    (``scope``, or the request's premises already read: issue 17, no subquery for Django to
    build or PostgreSQL to plan), otherwise the scoping subqueries."""
    if scope is not None:
        return scope.community_ids, scope.building_ids
    held = remembered_premises(user)
    if held is None:
        return communities_for_user(user), buildings_for_user(user)
    return (
        sorted({p.building.community_id for p in held}),
        sorted({p.building_id for p in held}),
    )


def _current_announcements(user, now=None, scope=None) -> QuerySet[Announcement]:
    """Current announcements for the user's communities or buildings (unordered)."""
    communities, buildings = _scope(user, scope)
    return Announcement.objects.current(now).filter(
        Q(building__isnull=True) | Q(building__in=buildings), community__in=communities
    )


def _is_read(user) -> Exists:
    return Exists(AnnouncementRead.objects.filter(announcement=OuterRef("pk"), user=user))


def announcements_for_user(
    user, now=None, *, scope: CommunityScope | None = None
) -> QuerySet[Announcement]:
    """Current announcements for the user's communities or buildings; pinned first.

    Each has ``is_read`` (the user opened it) and its attachments prefetched.
    """
    return (
        _current_announcements(user, now, scope)
        .annotate(is_read=_is_read(user))
        .select_related("community", "building")
        .prefetch_related("attachments")
        .order_by("-pinned", "-publish_at", "-pk")
    )


def announcement_attachments_for_user(user) -> QuerySet[AnnouncementAttachment]:
    return AnnouncementAttachment.objects.filter(
        announcement__in=announcements_for_user(user).order_by().values("pk")
    )


def _owner_premises_of(user) -> QuerySet[Premises]:
    """Premises in which the user may vote: a current owner, co-owner or member."""
    return Premises.objects.filter(
        Exists(
            ownerships_for_user(user).filter(
                role__in=Ownership.OWNER_ROLES, premises=OuterRef("pk")
            )
        )
    )


def co_owners_proxies(on=None) -> QuerySet[CoOwnersProxy]:
    """Appointments of a co-owners' proxy that act on ``on`` (a date, or an ``OuterRef`` to
    one): valid that day and given by that day's owners, none of whom acquired the premises
    after the appointment was granted. The sellers' proxy does not vote for a buyer, nor an
    appointment made before an heir joined for the heir, even while the office has not ended
    it yet (art. 23 ust. 2b: the co-owners appoint whom they choose)."""
    inner_on = OuterRef(on) if isinstance(on, OuterRef) else on
    newcomers = Ownership.objects.current(inner_on).filter(
        premises=OuterRef("premises"),
        role__in=Ownership.OWNER_ROLES,
        valid_from__gt=OuterRef("granted_on"),
    )
    return CoOwnersProxy.objects.current(on).filter(~Exists(newcomers))


def acting_proxies(on=None, premises=None) -> QuerySet[CoOwnersProxy]:
    """The appointments of ``co_owners_proxies(on)``, the one acting for a premises first: of
    several valid ones the latest (``premises``: a premises, ids or an ``OuterRef``)."""
    proxies = co_owners_proxies(on)
    if premises is not None:
        lookup = "premises__in" if isinstance(premises, list | set | tuple) else "premises"
        proxies = proxies.filter(**{lookup: premises})
    return proxies.order_by("premises_id", "-valid_from", "-pk")


# Why a person may not vote online for a premises (``vote_refusal``).
NOT_OWNER, PROXY_VOTES, PROXY_REQUIRED = "not_owner", "proxy_votes", "proxy_required"
# Another ballot already speaks for the voting unit (``binding_ballot``).
BOUND = "bound"


def vote_refusal(
    *,
    counting: str,
    user_id: int,
    owner_ids,
    proxy_id: int | None,
    bound: bool = False,
    original_owner: bool = False,
) -> str | None:
    """The one rule of who votes for a premises, for the vote itself (``vote_cast``, paper
    ballots) and for what the resident is asked (the waiting votes, the forms): ``None`` when
    ``user_id`` may vote, else why not.

    ``owner_ids``: the premises' owners (co-owners, members) that day; ``proxy_id``: the
    co-owners' proxy acting that day (``acting_proxies``), if any. While a proxy acts only the
    proxy votes (art. 23 ust. 2b); one owner – one vote, co-owners without one cannot vote; in a
    cooperative every member votes in person (art. 36 § 1 prawa spółdzielczego).

    ``bound``: a ballot of the premises' voting unit already binds it and this one would not
    change it (``binding_ballot``): another co-owner's for the premises, or one cast for
    another premises of the same owners (one owner – one vote) or member (one member – one
    vote). A vote is changed by its voter for the premises it was cast for.

    ``original_owner``: the premises never had an owner on record (``_owned_before``): it is
    still the original owner's (the developer's), who votes through the proxy the office
    records for it; with all such premises as one owner (``binding_ballot``).
    """
    if counting == Counting.PER_MEMBER:
        proxy_id = None
    if not owner_ids and not (original_owner and proxy_id is not None):
        return NOT_OWNER  # a proxy of nobody: the ballot would never count (``entitled_votes``)
    if proxy_id is None or proxy_id != user_id:
        if user_id not in owner_ids:
            return NOT_OWNER
        if proxy_id is not None:
            return PROXY_VOTES
        if counting == Counting.PER_OWNER and len(set(owner_ids)) > 1:
            return PROXY_REQUIRED
    if bound:
        return BOUND
    return None


def entitled_votes(on: datetime.date | None = None) -> QuerySet[Vote]:
    """Ballots of people entitled to vote for their premises on ``on``: an owner (co-owner,
    member) of the premises that day, or the co-owners' proxy recorded for it.

    A former owner's ballot lapses once the premises is sold: the owner on the voting day
    decides (the buyer may vote; until then the premises has no vote).

    A proxy's ballot counts if the appointment acted on the day it was cast
    (``co_owners_proxies``): revoking it later works from then on (art. 95 § 2 k.c.: what the
    proxy did within the authority binds the principals). It lapses only as the co-owners' own
    ballots do, when they no longer own the premises on ``on`` (one of them held it from the
    ballot's day to ``on``).
    """
    on = on or timezone.localdate()
    cast_on = OuterRef("cast_on")
    # One ``filter`` per subquery: each call clones and re-resolves the nested expressions.
    owner_then = Ownership.objects.current(on).filter(
        user=OuterRef("voter"), premises=OuterRef("premises"), role__in=Ownership.OWNER_ROLES
    )
    proxy_when_cast = co_owners_proxies(cast_on).filter(
        proxy=OuterRef("voter"), premises=OuterRef("premises")
    )
    principals_still = Ownership.objects.current(on).filter(
        premises=OuterRef("premises"), role__in=Ownership.OWNER_ROLES, valid_from__lte=cast_on
    )
    # The original owner's proxy: the premises still had no owner on record on ``on``.
    still_original = ~Exists(_owned_before(on, "premises"))
    return Vote.objects.alias(cast_on=TruncDate("cast_at")).filter(
        Exists(owner_then) | (Exists(proxy_when_cast) & (Exists(principals_still) | still_original))
    )


def original_owner_premises(community_id: int, on: datetime.date) -> QuerySet[Premises]:
    """The premises of a community that never had an owner on record by ``on``: the original
    owner's (the developer's unsold flats), one owner between them (``owner_units``)."""
    return Premises.objects.filter(building__community_id=community_id).filter(
        ~Exists(_owned_before(on))
    )


def _same_owners_premises(premises: Premises, on: datetime.date) -> list[int]:
    """The premises with exactly the owners of ``premises`` on ``on`` (``owner_units``), the
    premises itself included (1 query)."""
    owners = Ownership.objects.current(on).filter(role__in=Ownership.OWNER_ROLES)
    theirs = owners.filter(premises=premises).values("user_id")
    rows = owners.filter(
        premises__in=owners.filter(user__in=theirs).values("premises_id")
    ).values_list("premises_id", "user_id")
    units = owner_units(rows)
    if premises.pk not in units:
        return [premises.pk]
    return [pk for pk, unit in units.items() if unit == units[premises.pk]]


def binding_ballot(
    *,
    resolution: Resolution,
    premises: Premises,
    voter,
    on: datetime.date,
    original_owner: bool = False,
) -> Vote | None:
    """The ballot that already speaks for the voting unit of ``premises`` on ``on`` and that a
    ballot of ``voter`` for ``premises`` would not change (``vote_refusal``'s ``bound``): the
    first entitled one cast by another person for the premises (co-owners give one vote for
    it) or by anyone for another premises of the unit: one owner – one vote, the premises of
    the same owners (art. 23 ust. 2a ustawy o własności lokali); in a cooperative, the
    member's own ballot for another of their premises (art. 36 § 1 prawa spółdzielczego).

    ``original_owner``: the premises never had an owner on record (``vote_refusal``): all the
    original owner's premises are its unit, by shares too (``resolution_tally``).

    Ballots of a former owner have lapsed and bind nothing (``entitled_votes``). 1 query;
    2 one owner – one vote.
    """
    if resolution.counting == Counting.PER_MEMBER:
        unit = Q(voter=voter)
    elif original_owner:
        original = original_owner_premises(resolution.community_id, on)
        unit = Q(premises__in=original.values("pk"))
    elif resolution.counting == Counting.PER_OWNER:
        unit = Q(premises__in=_same_owners_premises(premises, on))
    else:
        unit = Q(premises=premises)
    return (
        entitled_votes(on)
        .filter(unit, resolution=resolution)
        .exclude(voter=voter, premises=premises)
        .select_related("voter", "premises__building")
        .order_by("cast_at", "pk")
        .first()
    )


def ballots_cast_under(proxies) -> dict[int, list[Vote]]:
    """Per appointment of a co-owners' proxy, the ballots the proxy cast for the premises while
    it was valid (``entitled_votes`` keeps them valid after it ends), in 1 query."""
    proxies = list(proxies)
    if not proxies:
        return {}
    votes = Vote.objects.filter(
        voter__in={p.proxy_id for p in proxies}, premises__in={p.premises_id for p in proxies}
    ).select_related("resolution", "premises__building")
    found: dict[int, list[Vote]] = {p.pk: [] for p in proxies}
    for vote in votes:
        day = timezone.localdate(vote.cast_at)
        for proxy in proxies:
            if (
                (proxy.proxy_id, proxy.premises_id) == (vote.voter_id, vote.premises_id)
                and proxy.valid_from <= day
                and (proxy.valid_to is None or day <= proxy.valid_to)
            ):
                found[proxy.pk].append(vote)
    return found


def _settles_for(user) -> Q:
    """Of the ballots that count, those that settle the vote for ``user``: in a cooperative
    only the user's own (each member votes for themselves; a spouse's ballot is not theirs),
    for any of their premises (a member has one vote however many premises they hold)."""
    return Q(voter=user) | ~Q(resolution__counting=Counting.PER_MEMBER)


def _same_owners_as_outer(on) -> Q:
    """Of the ballots under an ownership (``OuterRef("premises")``), those cast for a premises
    with exactly the same owners on ``on``: one owner – one vote's unit (``owner_units``).

    No owner of the ownership's premises is missing from the ballot's, and none of the
    ballot's from the ownership's: two ``NOT EXISTS`` instead of comparing sets.
    """
    owners = Ownership.objects.current(on).filter(role__in=Ownership.OWNER_ROLES)
    # Levels: ownership (the user's premises) > ballot > an owner > the same person elsewhere.
    missing_from_ballots = owners.filter(
        ~Exists(owners.filter(user=OuterRef("user"), premises=OuterRef(OuterRef("premises")))),
        premises=OuterRef(OuterRef("premises")),
    )
    missing_from_users = owners.filter(
        ~Exists(
            owners.filter(user=OuterRef("user"), premises=OuterRef(OuterRef(OuterRef("premises"))))
        ),
        premises=OuterRef("premises"),
    )
    return ~Exists(missing_from_ballots) & ~Exists(missing_from_users)


def _unvoted_ownerships(user, now=None) -> QuerySet[Ownership]:
    """The user's own roles as owner (co-owner, member) in the outer resolution's community
    on premises with no ballot that counts yet: for the premises itself by shares, for any
    premises of the same owners one owner – one vote, any of the user's own in a cooperative.

    Rooted at the ownerships, not at ``_owner_premises_of``: one level of nesting less for
    Django to clone and resolve and for PostgreSQL to plan (issue 17), the same rows.
    """
    today = timezone.localdate(now) if now else None
    counted = entitled_votes(today).filter(
        _settles_for(user),
        Q(resolution__counting=Counting.PER_MEMBER)
        | Q(premises=OuterRef("premises"))
        | (Q(resolution__counting=Counting.PER_OWNER) & _same_owners_as_outer(today)),
        resolution=OuterRef(OuterRef("pk")),
    )
    owned = ownerships_for_user(user).filter(
        ~Exists(counted),
        role__in=Ownership.OWNER_ROLES,
        premises__building__community=OuterRef("community"),
    )
    return _voting_online(owned, user, today)


def _voting_online(ownerships: QuerySet[Ownership], user, on) -> QuerySet[Ownership]:
    """Of the user's roles as owner under a resolution (``OuterRef("counting")``), those on
    premises the user may vote for: ``vote_refusal`` in SQL (the tests of the waiting votes
    hold both to the same answers). While a proxy acts only the proxy votes (not in a
    cooperative); one owner – one vote, co-owners without one cannot vote."""
    co_owned = Exists(
        Ownership.objects.current(on)
        .filter(premises=OuterRef("premises"), role__in=Ownership.OWNER_ROLES)
        .exclude(user=user)
    )
    return ownerships.alias(
        vote_counting=ExpressionWrapper(OuterRef("counting"), output_field=CharField()),
        acting_proxy=Subquery(acting_proxies(on, OuterRef("premises")).values("proxy_id")[:1]),
    ).filter(
        Q(vote_counting=Counting.PER_MEMBER)
        | Q(acting_proxy=user.pk)
        | (Q(acting_proxy__isnull=True) & (~Q(vote_counting=Counting.PER_OWNER) | ~co_owned))
    )


def visible_resolutions_for_user(user, scope: CommunityScope | None = None) -> QuerySet[Resolution]:
    """Resolutions of the user's communities (drafts only when shown), with their community:
    for pages of one resolution, which do not show ``awaiting_vote``."""
    return (
        Resolution.objects.visible()
        .filter(community__in=_scope(user, scope)[0])
        .select_related("community")
    )


def resolutions_for_user(
    user, now=None, *, scope: CommunityScope | None = None
) -> QuerySet[Resolution]:
    """Resolutions of the user's communities (drafts only when shown), newest first.

    ``awaiting_vote``: voting is open and one of the user's own premises has no vote yet.
    """
    # "Open" read from the row itself, not from a second subquery on the same table.
    is_open = Resolution.objects.open_for_voting_q(now)
    awaiting = ExpressionWrapper(
        is_open & Exists(_unvoted_ownerships(user, now)), output_field=BooleanField()
    )
    return visible_resolutions_for_user(user, scope).annotate(awaiting_vote=awaiting)


def home_items_for_user(user, *, announcements: int, now=None):
    """The start page's community panel in one query (issue 17: it was two): the latest
    ``announcements`` current announcements (pinned first, with ``is_read``) and the votes
    waiting for the user (closing first). Returns ``(announcements, awaiting)`` as light rows
    with ``pk``, ``title``, ``community.kind`` and ``is_read``/``publish_at`` or
    ``number``/``voting_closes_at``.

    "Waiting" is ``awaiting_vote`` of ``resolutions_for_user``, decided in Python from flat
    rows: the open resolutions (a part of the same query), the user's premises as owner (the
    roles the request has read, or a part of the query) and, only when a vote is open where the
    user owns premises, the ballots that count on them (``entitled_votes``), their owners and
    their acting proxies (``_awaiting_among``, a second query whatever the counting).
    Nesting those as subqueries cost Django several times the SQL time to build and compile,
    and building the ballots' part when no vote is open was a third of the panel (issue 17).
    """
    text, null = CharField(), Value(None, output_field=DateTimeField())
    newest = [F("pinned").desc(), F("publish_at").desc(), F("pk").desc()]
    latest = (
        _current_announcements(user, now)
        .annotate(is_read=_is_read(user), rank=Window(RowNumber(), order_by=newest))
        .filter(rank__lte=announcements)
        .order_by()
        .values_list(
            Value("a", text),
            "pk",
            "title",
            Value("", text),
            "publish_at",
            "is_read",
            "community__kind",
            "rank",
            Value("", text),
        )
    )
    held = remembered_premises(user)
    open_now = (
        Resolution.objects.visible()
        .open_for_voting(now)
        .filter(community__in=_scope(user)[0])
        .order_by()
        .values_list(
            Value("r", text),
            "pk",
            "title",
            "number",
            "voting_closes_at",
            Value(False, BooleanField()),
            "community__kind",
            "community_id",
            "counting",
        )
    )
    # The premises where the user may vote (as ``_owner_premises_of``), with their community:
    # from the roles the request has read already when it has (the start page's finance panel
    # read them), else a part of the same query.
    today = timezone.localdate(now) if now else None
    owned_in: dict[int, set[int]] = {}
    parts = [open_now]
    if held is not None:
        community_of = {p.pk: p.building.community_id for p in held}
        on = today or timezone.localdate()
        for premises_id, role, _start, valid_to in held_roles_for_user(user, on):
            community_id = community_of.get(premises_id)  # None: not held today (``now``)
            current = valid_to is None or valid_to >= on
            if community_id is not None and current and role in Ownership.OWNER_ROLES:
                owned_in.setdefault(community_id, set()).add(premises_id)
    else:
        parts.append(
            ownerships_for_user(user)
            .filter(role__in=Ownership.OWNER_ROLES)
            .order_by()
            .values_list(
                Value("o", text),
                "premises_id",
                Value("", text),
                Value("", text),
                null,
                Value(False, BooleanField()),
                Value("", text),
                "premises__building__community_id",
                Value("", text),
            )
        )
    found, candidates = [], []
    for kind, pk, title, number, when, is_read, community_kind, extra, counting in latest.union(
        *parts, all=True
    ):
        if kind == "a":
            item = SimpleNamespace(
                pk=pk,
                title=title,
                publish_at=when,
                is_read=is_read,
                community=SimpleNamespace(kind=community_kind),
                rank=extra,
            )
            found.append(item)
        elif kind == "r":
            item = SimpleNamespace(
                pk=pk,
                title=title,
                number=number,
                voting_closes_at=when,
                community=SimpleNamespace(kind=community_kind),
            )
            candidates.append((item, extra, counting))
        else:
            owned_in.setdefault(extra, set()).add(pk)
    candidates = [(item, c, counting) for item, c, counting in candidates if owned_in.get(c)]
    # The ballots, owners and proxies of the user's premises: a second query, only when a vote
    # is open in a community where the user owns one (the start page usually has none).
    votes = _awaiting_among(user, candidates, owned_in, today) if candidates else []
    found.sort(key=lambda item: item.rank)
    # As ``order_by("voting_closes_at")`` on PostgreSQL: an open-ended vote last.
    votes.sort(key=lambda item: (item.voting_closes_at is None, item.voting_closes_at or 0))
    return found, votes


def _awaiting_among(user, candidates, owned_in: dict[int, set[int]], today) -> list:
    """Of the open votes ``(item, community id, counting)`` in communities where the user owns
    premises (``owned_in``), those waiting for the user: one of the premises the user may vote
    for (``vote_refusal``) has no ballot that counts yet (one owner – one vote: for none of
    the premises of the same owners, ``owner_units``; a cooperative member: none of theirs).

    One query, whatever the number of votes or premises: the ballots that count on the user's
    premises, their owners and their acting proxies, as one ``UNION``.
    """
    owned = sorted(set().union(*owned_in.values()))
    text, day = CharField(), Cast(Value(None), output_field=DateField())  # NULL::date
    zero = Value(0, output_field=IntegerField())
    ballots = (
        entitled_votes(today)
        .filter(_settles_for(user), resolution__in=[item.pk for item, _c, _n in candidates])
        .filter(premises__in=owned)
        .order_by()
        .values_list(
            Value("v", text), "resolution_id", "premises_id", day, zero, "resolution__counting"
        )
    )
    owners = (
        Ownership.objects.current(today)
        .filter(role__in=Ownership.OWNER_ROLES, premises__in=owned)
        .order_by()
        .values_list(Value("o", text), "premises_id", "user_id", day, zero, Value("", text))
    )
    proxies = (
        co_owners_proxies(today)
        .filter(premises__in=owned)
        .order_by()
        .values_list(
            Value("p", text), "premises_id", "proxy_id", "valid_from", "pk", Value("", text)
        )
    )
    voted: set[tuple[int, int]] = set()
    member_voted: set[int] = set()  # a cooperative member's one vote, for all their premises
    owner_rows: list[tuple[int, int]] = []
    acting: dict[int, tuple] = {}  # per premises: the acting proxy's (valid_from, pk, proxy)
    for kind, a, b, valid_from, pk, counting in ballots.union(owners, proxies, all=True):
        if kind == "v":
            if counting == Counting.PER_MEMBER:
                member_voted.add(a)
            else:
                voted.add((a, b))
        elif kind == "o":
            owner_rows.append((a, b))
        elif a not in acting or (valid_from, pk) > acting[a][:2]:
            acting[a] = (valid_from, pk, b)  # as ``acting_proxies``: the latest
    unit_of = owner_units(owner_rows)
    owners_of: dict[int, set[int]] = {}
    for premises_id, user_id in owner_rows:
        owners_of.setdefault(premises_id, set()).add(user_id)

    def unit(premises_id: int, counting: str) -> object:
        if counting == Counting.PER_OWNER:
            return unit_of.get(premises_id, premises_id)
        return premises_id

    waiting = []
    for item, community_id, counting in candidates:
        if item.pk in member_voted:
            continue
        mine = [
            p
            for p in owned_in[community_id]
            if vote_refusal(
                counting=counting,
                user_id=user.pk,
                owner_ids=owners_of.get(p, set()),
                proxy_id=acting[p][2] if p in acting else None,
            )
            is None
        ]
        done = {unit(p, counting) for p in owned_in[community_id] if (item.pk, p) in voted}
        if any(unit(p, counting) not in done for p in mine):
            waiting.append(item)
    return waiting


def voting_date(resolution: Resolution, now: datetime.datetime | None = None) -> datetime.date:
    """The day whose owners vote: the last day of voting once it is over, otherwise today.

    Voting ends just before ``voting_closes_at``: a vote closing at midnight was last open
    the day before, and that day's owner decides, not a buyer from the next morning.
    """
    end = resolution.closed_at or now or timezone.now()
    if resolution.voting_closes_at and resolution.voting_closes_at <= end:
        end = resolution.voting_closes_at - datetime.timedelta(microseconds=1)
    return timezone.localdate(end)


def community_share_sum(community_id: int) -> tuple[Fraction, list[Premises]]:
    """The exact sum of the community's shares and the premises without a share (2 queries).

    Numerators are summed in SQL per denominator and added as ``Fraction``.
    """
    premises = Premises.objects.filter(building__community_id=community_id)
    rows = (
        premises.order_by()
        .values("share_denominator")
        .annotate(numerators=Sum("share_numerator"))
        .values_list("share_denominator", "numerators")
    )
    total = sum((Fraction(int(n or 0), int(d)) for d, n in rows), Fraction(0))
    missing = natural_sorted(premises.filter(share_numerator=0).select_related("building"))
    return total, missing


def premises_share_sum(premises_ids) -> Fraction:
    rows = (
        Premises.objects.filter(pk__in=list(premises_ids))
        .order_by()
        .values("share_denominator")
        .annotate(numerators=Sum("share_numerator"))
        .values_list("share_denominator", "numerators")
    )
    return sum((Fraction(int(n or 0), int(d)) for d, n in rows), Fraction(0))


def _natural_key(text: str) -> tuple:
    """ "2" before "10", "G3" after "G2": digits compare as numbers."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.lower())
        for part in re.split(r"(\d+)", text)
        if part
    )


def natural_sorted(premises_list, key=lambda p: p):
    """Premises by building and number in natural order (1, 2, 10)."""
    return sorted(
        premises_list,
        key=lambda item: (key(item).building.street, _natural_key(key(item).number)),
    )


def has_vote_tally(resolution: Resolution) -> bool:
    """Whether the resolution was put to the vote here: not a draft, and if decided, with the
    result stored at closing (one recorded as adopted at a meeting has no tally of ours)."""
    if resolution.status == Resolution.Status.DRAFT:
        return False
    return not resolution.is_closed or bool(resolution.result)


def resolution_tally(resolution: Resolution, now: datetime.datetime | None = None) -> Tally:
    """The tally of a resolution: stored at closing, or live from a fixed number of queries.

    By shares: one aggregate query; numerators are summed in SQL per denominator and added as
    ``Fraction``. Per owner / per member: one query of (premises, owner) rows and one of the
    entitled ballots, grouped in Python (``Tally.per_owner`` / ``Tally.per_member``).
    """
    if resolution.is_closed and resolution.result:
        return Tally.from_json(resolution.result)
    on = voting_date(resolution, now)
    if resolution.counting in (Counting.PER_OWNER, Counting.PER_MEMBER):
        return _per_person_tally(resolution, on)
    ballots = entitled_votes(on).filter(resolution=resolution).order_by("-cast_at", "-pk")
    choice = ballots.filter(premises=OuterRef("pk")).values("choice")
    # The original owner's premises are one owner's: its latest ballot for any of them
    # counts with all their shares.
    original = original_owner_premises(resolution.community_id, on)
    original_choice = ballots.filter(premises__in=original.values("pk")).values("choice")
    current = Ownership.objects.current(on).filter(
        premises=OuterRef("pk"), role__in=Ownership.OWNER_ROLES
    )
    rows = (
        Premises.objects.filter(building__community_id=resolution.community_id)
        .annotate(
            choice=Case(
                When(~Exists(_owned_before(on)), then=Subquery(original_choice[:1])),
                default=Subquery(choice[:1]),
            ),
            unknown=ExpressionWrapper(
                Exists(_owned_before(on)) & ~Exists(current), output_field=BooleanField()
            ),
        )
        .order_by()
        .values("choice", "share_denominator", "unknown")
        .annotate(numerators=Sum("share_numerator"), count=Count("pk"))
        .values_list("choice", "share_denominator", "numerators", "count", "unknown")
    )
    return Tally.from_rows(rows)


def _owned_before(on: datetime.date, premises: str = "pk") -> QuerySet[Ownership]:
    """Owners of the premises (``OuterRef(premises)``) whose ownership began on or before ``on``.

    A premises with no owner on ``on`` that had one is a sold flat whose buyer is not on
    record yet: its owner is real and unknown ("właściciel nieustalony"), not the original
    owner, whose premises never had an owner on record (``owner_units``)."""
    return Ownership.objects.filter(
        premises=OuterRef(premises), role__in=Ownership.OWNER_ROLES, valid_from__lte=on
    )


def _owners_on(community_id: int, on: datetime.date) -> QuerySet[Premises]:
    """Every premises of the community, once per owner on ``on`` (once with no owner: the
    owner columns are None, a LEFT JOIN)."""
    current = Q(ownerships__role__in=Ownership.OWNER_ROLES, ownerships__valid_from__lte=on) & (
        Q(ownerships__valid_to__isnull=True) | Q(ownerships__valid_to__gte=on)
    )
    return (
        Premises.objects.filter(building__community_id=community_id)
        .annotate(
            owner=FilteredRelation("ownerships", condition=current),
            owned_before=Exists(_owned_before(on)),
        )
        .order_by()
    )


def _unknown_owners(rows) -> set[int]:
    """Of ``_owners_on`` rows ``(premises id, owner id or None, owned before)``, the premises
    whose owner on the day is not on record though they had one (``_owned_before``)."""
    return {pk for pk, user_id, owned_before in rows if user_id is None and owned_before}


def largest_owner_share(community_id: int, on: datetime.date) -> Fraction:
    """The largest share in the common property that one owner holds on ``on`` (one query).

    Owners as the one owner – one vote count them (``owner_units``): the same people owning
    several premises are one owner, the premises with no owner on record (the developer's, the
    municipality's) one owner between them. Art. 23 ust. 2a asks whether a majority of the
    shares belongs to one owner."""
    rows = list(
        _owners_on(community_id, on).values_list(
            "pk", "owner__user_id", "owned_before", "share_numerator", "share_denominator"
        )
    )
    shares = {pk: Fraction(int(num or 0), int(den or 1)) for pk, _u, _o, num, den in rows}
    unknown = _unknown_owners(row[:3] for row in rows)
    held: dict[object, Fraction] = {}
    units = owner_units(((pk, user) for pk, user, *_rest in rows), unknown)
    for premises_id, unit in units.items():
        held[unit] = held.get(unit, Fraction(0)) + shares[premises_id]
    return max(held.values(), default=Fraction(0))


def _per_person_tally(resolution: Resolution, on: datetime.date) -> Tally:
    owner_rows = list(
        _owners_on(resolution.community_id, on).values_list("pk", "owner__user_id", "owned_before")
    )
    vote_rows = (
        entitled_votes(on)
        .filter(resolution=resolution)
        .order_by()
        .values_list("premises_id", "voter_id", "choice", "cast_at", "pk")
    )
    if resolution.counting == Counting.PER_MEMBER:
        members = {user_id for _p, user_id, _o in owner_rows if user_id is not None}
        return Tally.per_member(sorted(members), vote_rows)
    return Tally.per_owner(
        [row[:2] for row in owner_rows], vote_rows, unknown=_unknown_owners(owner_rows)
    )


@dataclass
class VotingSlot:
    """One of the user's premises in the community of a resolution, and its vote."""

    premises: Premises
    roles: set = field(default_factory=set)
    # The ballot that counts for the premises now (latest entitled one), if any.
    vote: Vote | None = None
    user_id: int | None = None
    # Why the user may not vote for the premises (``vote_refusal``), if they may not; ``BOUND``:
    # another ballot binds it, shown instead of a form (``vote``, ``counted_through``).
    refusal: str | None = None
    # The co-owners' proxy acting for the premises: the user's id and name.
    proxy_id: int | None = None
    proxy_name: str = ""
    # One owner – one vote (one member – one vote): the ballot that counts for the premises,
    # when it was cast for another premises of the same owners (of the member).
    counted_through: Vote | None = None
    # The premises has several owners on the voting day (their proxy: art. 23 ust. 2b).
    co_owned: bool = False

    @property
    def may_vote(self) -> bool:
        return bool(self.roles & set(Ownership.OWNER_ROLES))

    @property
    def voted_by_user(self) -> bool:
        return self.vote is not None and self.vote.voter_id == self.user_id

    @property
    def voted_by_proxy(self) -> bool:
        return self.vote is not None and self.vote.voter_id == self.proxy_id

    @property
    def proxy_votes(self) -> bool:
        return self.refusal == PROXY_VOTES

    @property
    def proxy_required(self) -> bool:
        return self.refusal == PROXY_REQUIRED

    @property
    def share_percent(self):
        return percent(self.premises.share)


def voting_slots_for_user(user, resolution: Resolution) -> list[VotingSlot]:
    """The user's premises in the resolution's community, with their roles, whether and why not
    the user may vote for each (``vote_refusal``), and the ballot that counts for each (2
    queries), in natural order of premises numbers.

    One query reads the user's roles together with the other owners of those premises on the
    voting day and the acting proxy; the other the ballots on them. One owner – one vote, the
    latest ballot of an owner set (``owner_units``) counts for all its premises, as in the
    tally; a cooperative member's latest ballot for all theirs.
    """
    day = voting_date(resolution)
    mine = ownerships_for_user(user).filter(
        premises__building__community_id=resolution.community_id
    )
    owners = Ownership.objects.current(day).filter(
        role__in=Ownership.OWNER_ROLES, premises__in=mine.values("premises_id")
    )
    proxy = acting_proxies(day, OuterRef("premises_id"))
    rows = (
        Ownership.objects.annotate(
            held_now=ExpressionWrapper(Q(pk__in=mine.values("pk")), BooleanField()),
            owner_that_day=ExpressionWrapper(Q(pk__in=owners.values("pk")), BooleanField()),
        )
        .filter(Q(held_now=True) | Q(owner_that_day=True))
        .select_related("premises__building__community")
        .annotate(
            proxy_id=Subquery(proxy.values("proxy_id")[:1]),
            proxy_name=Subquery(
                proxy.annotate(
                    name=Concat("proxy__first_name", Value(" "), "proxy__last_name")
                ).values("name")[:1]
            ),
        )
        .order_by("pk")
    )
    slots: dict[int, VotingSlot] = {}
    owner_rows: list[tuple[int, int]] = []
    for row in rows:
        if row.owner_that_day:
            owner_rows.append((row.premises_id, row.user_id))
        if not row.held_now:
            continue
        slot = slots.setdefault(
            row.premises_id,
            VotingSlot(
                premises=row.premises,
                user_id=user.pk,
                proxy_id=row.proxy_id,
                proxy_name=(row.proxy_name or "").strip(),
            ),
        )
        slot.roles.add(row.role)
    if not slots:
        return []
    owners_of: dict[int, set[int]] = {}
    for premises_id, user_id in owner_rows:
        owners_of.setdefault(premises_id, set()).add(user_id)
    votes = (
        entitled_votes(day)
        .filter(resolution=resolution, premises__in=list(slots))
        .select_related("voter", "premises__building")
        .order_by("cast_at", "pk")
    )
    units = owner_units(owner_rows)
    per_member = resolution.counting == Counting.PER_MEMBER

    def unit(premises_id: int) -> object:
        if per_member:
            return user.pk
        if resolution.counting == Counting.PER_OWNER:
            return units.get(premises_id, premises_id)
        return premises_id

    latest: dict[object, Vote] = {}
    for vote in votes:  # the latest wins
        if per_member and vote.voter_id != user.pk:
            continue  # in a cooperative each member votes for themselves
        slots[vote.premises_id].vote = vote
        latest[unit(vote.premises_id)] = vote
    for slot in slots.values():
        if not slot.may_vote:
            continue
        counted = latest.get(unit(slot.premises.pk))
        if counted is not None and counted.premises_id != slot.premises.pk:
            slot.counted_through = counted
        slot.co_owned = len(owners_of.get(slot.premises.pk, ())) > 1
        slot.refusal = vote_refusal(
            counting=resolution.counting,
            user_id=user.pk,
            owner_ids=owners_of.get(slot.premises.pk, set()),
            proxy_id=slot.proxy_id,
            # As ``binding_ballot``, from the ballots read: another premises' of the unit, or
            # another person's for this one.
            bound=slot.counted_through is not None
            or (slot.vote is not None and slot.vote.voter_id != user.pk),
        )
    return natural_sorted(slots.values(), key=lambda slot: slot.premises)


def votes_of_user(user, resolution: Resolution) -> list[Vote]:
    """The user's own ballots on a resolution (for the receipt page), premises named."""
    votes = Vote.objects.filter(resolution=resolution, voter=user).select_related(
        "premises__building"
    )
    return natural_sorted(votes, key=lambda vote: vote.premises)


@dataclass
class ProtocolRow:
    vote: Vote
    counted: bool
    reason: str = ""

    @property
    def share_percent(self):
        return percent(self.vote.premises.share)


def counted_ballots(resolution: Resolution, now: datetime.datetime | None = None) -> dict[int, int]:
    """For every ballot that is entitled on the voting day, the id of the ballot the tally
    counts in its place (its own id when it counts itself): the latest per premises by shares,
    the latest of each owner (all their premises) or member (``Tally.counts_instead``)
    otherwise. A ballot missing from the result has lapsed. 1 query; 2 per owner or member."""
    on = voting_date(resolution, now)
    if resolution.counting in (Counting.PER_OWNER, Counting.PER_MEMBER):
        return _per_person_tally(resolution, on).counts_instead
    rows = (
        entitled_votes(on)
        .filter(resolution=resolution)
        .annotate(original=~Exists(_owned_before(on, "premises")))
        .order_by()
        .values_list("pk", "premises_id", "cast_at", "original")
    )
    premises_of: dict[int, object] = {}
    latest: dict[object, tuple] = {}
    for pk, premises, cast_at, original in rows:
        # The original owner's premises are one owner's (``resolution_tally``).
        premises_id = None if original else premises
        premises_of[pk] = premises_id
        if premises_id not in latest or (cast_at, pk) > latest[premises_id]:
            latest[premises_id] = (cast_at, pk)
    return {pk: latest[premises_id][1] for pk, premises_id in premises_of.items()}


def protocol_rows(resolution: Resolution) -> list[ProtocolRow]:
    """Every ballot of a resolution for the office's protocol, premises in natural order, each
    marked whether it counts (2 queries; 3 per owner or per member), by ``counted_ballots``:
    exactly the tally's ballots."""
    votes = list(
        Vote.objects.filter(resolution=resolution).select_related(
            "premises__building", "voter", "recorded_by"
        )
    )
    counts_instead = counted_ballots(resolution)
    rows = []
    for vote in votes:
        if counts_instead.get(vote.pk) == vote.pk:
            rows.append(ProtocolRow(vote, True))
        elif vote.pk not in counts_instead:
            rows.append(ProtocolRow(vote, False, "lapsed"))
        else:
            rows.append(ProtocolRow(vote, False, "superseded"))
    rows.sort(key=lambda row: (row.vote.cast_at, row.vote.pk))
    return natural_sorted(rows, key=lambda row: row.vote.premises)


@dataclass
class ChallengeDeadline:
    premises: Premises
    channel: str
    notice_date: datetime.date | None
    deadline: datetime.date | None


def challenge_deadlines_for_user(user, resolution: Resolution) -> list[ChallengeDeadline]:
    """For each of the user's premises notified of an adopted resolution: the six weeks to
    challenge it (art. 25 ust. 1a), counted from this owner's own notice (1 query)."""
    if resolution.status != Resolution.Status.ADOPTED or resolution.is_cooperative:
        return []
    notices = (
        OutcomeNotice.objects.filter(
            resolution=resolution,
            recipient=user,
            premises__in=_owner_premises_of(user),
        )
        .annotate(
            email_failed=ExpressionWrapper(
                email_failed_for_good(OuterRef("letter_id")), output_field=BooleanField()
            )
        )
        .select_related("letter", "premises__building")
    )
    result = []
    for notice in notices:
        day = outcome_notice_date(notice)
        result.append(
            ChallengeDeadline(
                premises=notice.premises,
                channel=notice.letter.delivery_channel,
                notice_date=day,
                deadline=challenge_deadline(day) if day else None,
            )
        )
    return natural_sorted(result, key=lambda item: item.premises)


def challenge_deadline(notice_date: datetime.date) -> datetime.date:
    """Six weeks from the notice, moved off a Saturday, Sunday or holiday (art. 115 k.c.)."""
    return add_weeks_deadline(notice_date, CHALLENGE_WEEKS)


def outcome_notice_date(notice: OutcomeNotice) -> datetime.date | None:
    """The owner's notice date, recorded once: the day of e-delivery (when the notice was
    sent), or for a letter by post the day of receipt, entered by the office from the return
    receipt. Not read from the letter, whose channel changes when it is sent again.

    An e-mail that failed for good (``email_failed`` annotated from ``email_failed_for_good``)
    notified nobody: the day of e-delivery recorded when it was sent does not count, the letter
    goes by post and the day of receipt the office enters does (art. 25 ust. 1a)."""
    letter = notice.letter
    if (
        getattr(notice, "email_failed", False)
        and letter.delivery_channel == Letter.Channel.EMAIL
        and letter.published_at is not None
        and notice.delivered_on == timezone.localdate(letter.published_at)
    ):
        return None
    return notice.delivered_on
