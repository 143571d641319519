"""Reads for the Wspólnota tab. Everything builds on the user's premises (``premises_for_user``)."""

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    Exists,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils import timezone

from lib.collation import polish
from premises.models import Community, CommunityRole, Ownership, Premises
from premises.selectors import buildings_for_user, communities_for_user, ownerships_for_user

from .models import Announcement, AnnouncementAttachment, AnnouncementRead, Resolution, Vote
from .tally import Tally


def communities_with_details_for_user(user) -> QuerySet[Community]:
    """The user's communities with the office (company) and the board prefetched."""
    board = (
        CommunityRole.objects.filter(role=CommunityRole.Role.BOARD)
        .select_related("user")
        .order_by(polish("user__last_name"), polish("user__first_name"))
    )
    return (
        communities_for_user(user)
        .select_related("company")
        .prefetch_related(Prefetch("roles", queryset=board, to_attr="board"))
        .order_by("name")
    )


def announcements_for_user(user, now=None) -> QuerySet[Announcement]:
    """Current announcements for the user's communities or buildings; pinned first.

    Each has ``is_read`` (the user opened it) and its attachments prefetched.
    """
    return (
        Announcement.objects.current(now)
        .filter(community__in=communities_for_user(user))
        .filter(Q(building__isnull=True) | Q(building__in=buildings_for_user(user)))
        .annotate(
            is_read=Exists(AnnouncementRead.objects.filter(announcement=OuterRef("pk"), user=user))
        )
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


def resolutions_for_user(user, now=None) -> QuerySet[Resolution]:
    """Resolutions of the user's communities (drafts only when shown), newest first.

    ``awaiting_vote``: voting is open and one of the user's own premises has no vote yet.
    """
    unvoted = (
        _owner_premises_of(user)
        .filter(building__community=OuterRef("community"))
        .exclude(
            Exists(
                Vote.objects.filter(resolution=OuterRef(OuterRef("pk")), premises=OuterRef("pk"))
            )
        )
    )
    open_now = Resolution.objects.open_for_voting(now).filter(pk=OuterRef("pk"))
    return (
        Resolution.objects.visible()
        .filter(community__in=communities_for_user(user))
        .annotate(awaiting_vote=Exists(open_now) & Exists(unvoted))
        .select_related("community")
    )


def resolutions_awaiting_vote(user, now=None) -> QuerySet[Resolution]:
    return resolutions_for_user(user, now).filter(awaiting_vote=True).order_by("voting_closes_at")


def voting_date(resolution: Resolution, now: datetime.datetime | None = None) -> datetime.date:
    """The day whose owners vote: the end of voting once it is over, otherwise today."""
    end = resolution.closed_at or now or timezone.now()
    if resolution.voting_closes_at and resolution.voting_closes_at < end:
        end = resolution.voting_closes_at
    return timezone.localdate(end)


def resolution_tally(resolution: Resolution, now: datetime.datetime | None = None) -> Tally:
    """The tally of a resolution: stored at closing, or live from a fixed number of queries.

    By shares: one aggregate query; numerators are summed in SQL per denominator and added as
    ``Fraction``. One owner – one vote: one query of (premises, current owner) rows and one of
    the votes, grouped into owners in Python (``Tally.per_owner``).
    """
    community = resolution.community
    if resolution.is_closed and resolution.result:
        return Tally.from_json(resolution.result)
    if community.vote_counting == Community.VoteCounting.PER_OWNER:
        return _per_owner_tally(resolution, voting_date(resolution, now))
    choice = Vote.objects.filter(resolution=resolution, premises=OuterRef("pk")).values("choice")
    rows = (
        Premises.objects.filter(building__community_id=resolution.community_id)
        .annotate(choice=Subquery(choice[:1]))
        .order_by()
        .values("choice", "share_denominator")
        .annotate(numerators=Sum("share_numerator"), count=Count("pk"))
        .values_list("choice", "share_denominator", "numerators", "count")
    )
    return Tally.from_rows(
        rows, threshold=community.vote_threshold, counting=community.vote_counting
    )


def _per_owner_tally(resolution: Resolution, on: datetime.date) -> Tally:
    current = Q(ownerships__role__in=Ownership.OWNER_ROLES, ownerships__valid_from__lte=on) & (
        Q(ownerships__valid_to__isnull=True) | Q(ownerships__valid_to__gte=on)
    )
    # Every premises of the community, once per current owner (or once with None: LEFT JOIN).
    owner_rows = (
        Premises.objects.filter(building__community_id=resolution.community_id)
        .annotate(owner=FilteredRelation("ownerships", condition=current))
        .order_by()
        .values_list("pk", "owner__user_id")
    )
    vote_rows = (
        Vote.objects.filter(resolution=resolution)
        .order_by()
        .values_list("premises_id", "choice", "cast_at", "pk")
    )
    return Tally.per_owner(owner_rows, vote_rows, threshold=resolution.community.vote_threshold)


@dataclass
class VotingSlot:
    """One of the user's premises in the community of a resolution, and its vote."""

    premises: Premises
    roles: set = field(default_factory=set)
    vote: Vote | None = None

    @property
    def may_vote(self) -> bool:
        return bool(self.roles & set(Ownership.OWNER_ROLES))

    @property
    def voted_by_user(self) -> bool:
        return self.vote is not None and self.vote.voter_id == self.user_id

    user_id: int | None = None


def voting_slots_for_user(user, resolution: Resolution) -> list[VotingSlot]:
    """The user's premises in the resolution's community, with their roles and vote (2 queries)."""
    slots: dict[int, VotingSlot] = {}
    ownerships = (
        ownerships_for_user(user)
        .filter(premises__building__community_id=resolution.community_id)
        .order_by("premises__building__street", "premises__number")
    )
    for ownership in ownerships:
        slot = slots.setdefault(
            ownership.premises_id, VotingSlot(premises=ownership.premises, user_id=user.pk)
        )
        slot.roles.add(ownership.role)
    if slots:
        votes = Vote.objects.filter(resolution=resolution, premises__in=list(slots)).select_related(
            "voter"
        )
        for vote in votes:
            slots[vote.premises_id].vote = vote
    return list(slots.values())


def votes_of_user(user, resolution: Resolution) -> QuerySet[Vote]:
    """The user's own votes on a resolution (for the receipt page)."""
    return Vote.objects.filter(resolution=resolution, voter=user).select_related(
        "premises__building"
    )


def protocol_votes(resolution: Resolution) -> QuerySet[Vote]:
    """Every vote of a resolution for the office's protocol."""
    return (
        Vote.objects.filter(resolution=resolution)
        .select_related("premises__building", "voter", "recorded_by")
        .order_by("premises__building__street", "premises__number")
    )
