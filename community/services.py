"""Writes of the Wspólnota tab: reading announcements, notifying residents, voting, closing."""

import datetime
import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from correspondence.models import Letter
from correspondence.services import letter_create_for_owners
from notifications.models import Message
from notifications.services import notify_user
from premises.models import Ownership, Premises

from .models import Announcement, AnnouncementRead, Resolution, Vote
from .selectors import resolution_tally

CLOSED_MESSAGE = _(
    "Głosowanie nad tą uchwałą zostało zakończone. Głosu nie można już oddać ani zmienić."
)


def _channels(community) -> tuple[str, ...]:
    if community.sms_enabled:
        return (Message.Channel.EMAIL, Message.Channel.SMS)
    return (Message.Channel.EMAIL,)


def _people(*, community, building=None, owners_only: bool = False) -> QuerySet:
    """Active people currently holding premises in a community (or one of its buildings)."""
    holdings = Ownership.objects.current().filter(
        user=OuterRef("pk"), premises__building__community=community
    )
    if building is not None:
        holdings = holdings.filter(premises__building=building)
    if owners_only:
        holdings = holdings.filter(role__in=Ownership.OWNER_ROLES)
    return get_user_model().objects.filter(Exists(holdings), is_active=True).order_by("pk")


# --- Announcements --------------------------------------------------------------------------


@transaction.atomic
def announcement_mark_read(*, announcement: Announcement, user) -> None:
    AnnouncementRead.objects.get_or_create(announcement=announcement, user=user)


@transaction.atomic
def announcement_notify(*, announcement: Announcement, now: datetime.datetime | None = None) -> int:
    """Tell the residents about a published announcement, once; returns how many people."""
    now = now or timezone.now()
    announcement = Announcement.objects.select_for_update().get(pk=announcement.pk)
    if announcement.notified_at or announcement.publish_at > now:
        return 0
    if announcement.expires_at and announcement.expires_at <= now:
        return 0
    community = announcement.community
    people = list(_people(community=community, building=announcement.building))
    for person in people:
        notify_user(
            user=person,
            template="community/email/announcement",
            context={"announcement": announcement, "community": community},
            related=announcement,
            channels=_channels(community),
            community=community,
        )
    announcement.notified_at = now
    announcement.save(update_fields=["notified_at"])
    return len(people)


def announcements_notify_due(*, now: datetime.datetime | None = None) -> int:
    """Announcements whose publication time has come and nobody was told yet."""
    due = Announcement.objects.current(now).filter(notified_at__isnull=True)
    return sum(announcement_notify(announcement=a, now=now) for a in due)


# --- Voting ---------------------------------------------------------------------------------


def _receipt_code() -> str:
    raw = secrets.token_hex(5).upper()
    return f"{raw[:5]}-{raw[5:]}"


def _locked(resolution: Resolution) -> Resolution:
    """Re-read the resolution under a row lock: votes and closing never interleave."""
    return (
        Resolution.objects.select_for_update(of=("self",))
        .select_related("community")
        .get(pk=resolution.pk)
    )


def _check_resolution_open(resolution: Resolution, *, now, paper: bool) -> None:
    if not resolution.community.voting_enabled:
        raise ValidationError(
            _("Głosowanie nad uchwałami jest w tej wspólnocie wyłączone."), code="voting_disabled"
        )
    if resolution.is_closed:
        raise ValidationError(
            CLOSED_MESSAGE,
            code="closed",
        )
    if resolution.status != Resolution.Status.VOTING:
        raise ValidationError(_("Głosowanie nad tą uchwałą nie jest otwarte."), code="not_open")
    if resolution.voting_opens_at and now < resolution.voting_opens_at:
        raise ValidationError(
            _("Głosowanie nad tą uchwałą jeszcze się nie rozpoczęło."), code="not_open"
        )
    if not paper and resolution.voting_closes_at and now >= resolution.voting_closes_at:
        raise ValidationError(
            CLOSED_MESSAGE,
            code="closed",
        )


def _check_voter(*, user, resolution: Resolution, premises: Premises) -> None:
    if premises.building.community_id != resolution.community_id:
        raise ValidationError(
            _("Ten lokal nie należy do wspólnoty, której dotyczy uchwała."), code="wrong_community"
        )
    roles = set(
        Ownership.objects.current()
        .filter(user=user, premises=premises)
        .values_list("role", flat=True)
    )
    if not roles:
        raise ValidationError(
            _("Głosować może tylko właściciel lub współwłaściciel lokalu."), code="not_owner"
        )
    if not roles & set(Ownership.OWNER_ROLES):
        raise ValidationError(
            _("Najemca nie może głosować nad uchwałami wspólnoty – głosuje właściciel lokalu."),
            code="tenant",
        )


def _store_vote(*, resolution, premises, voter, choice, source, recorded_by, now) -> Vote:
    if choice not in Vote.Choice.values:
        raise ValidationError(_("Wybierz: za, przeciw albo wstrzymuję się."), code="choice")
    vote = (
        Vote.objects.select_for_update()
        .select_related("voter")
        .filter(resolution=resolution, premises=premises)
        .first()
    )
    if vote is not None and vote.voter_id != voter.pk:
        raise ValidationError(
            _(
                "Za ten lokal głos oddał(a) już %(name)s. Współwłaściciele oddają jeden głos "
                "za lokal – pierwszy oddany głos wiąże lokal."
            ),
            code="already_voted",
            params={"name": vote.voter.get_full_name() or vote.voter.username},
        )
    if vote is None:
        vote = Vote(resolution=resolution, premises=premises, voter=voter)
    vote.choice = choice
    vote.source = source
    vote.recorded_by = recorded_by
    vote.cast_at = now
    vote.receipt_code = _receipt_code()
    vote.save()
    return vote


@transaction.atomic
def vote_cast(
    *,
    user,
    resolution: Resolution,
    premises: Premises,
    choice: str,
    now: datetime.datetime | None = None,
) -> Vote:
    """An owner's online vote for one premises; the same person may change it until closing.

    Every version is kept (``Vote.history``); each gets a new receipt code.
    """
    now = now or timezone.now()
    resolution = _locked(resolution)
    _check_resolution_open(resolution, now=now, paper=False)
    _check_voter(user=user, resolution=resolution, premises=premises)
    return _store_vote(
        resolution=resolution,
        premises=premises,
        voter=user,
        choice=choice,
        source=Vote.VoteSource.ONLINE,
        recorded_by=None,
        now=now,
    )


def paper_vote_validate(*, resolution: Resolution, premises: Premises, voter, cast_at=None):
    """Checks of a paper ballot before the office records it (used by the admin form too)."""
    cast_at = cast_at or timezone.now()
    _check_resolution_open(resolution, now=cast_at, paper=True)
    if resolution.voting_closes_at and cast_at > resolution.voting_closes_at:
        raise ValidationError(
            _("Karta z datą po zakończeniu głosowania nie może zostać uwzględniona."),
            code="late",
        )
    _check_voter(user=voter, resolution=resolution, premises=premises)


@transaction.atomic
def paper_vote_record(
    *,
    resolution: Resolution,
    premises: Premises,
    voter,
    choice: str,
    recorded_by,
    cast_at: datetime.datetime | None = None,
) -> Vote:
    """A ballot collected on paper (indywidualne zbieranie głosów), entered by the office."""
    cast_at = cast_at or timezone.now()
    resolution = _locked(resolution)
    paper_vote_validate(resolution=resolution, premises=premises, voter=voter, cast_at=cast_at)
    return _store_vote(
        resolution=resolution,
        premises=premises,
        voter=voter,
        choice=choice,
        source=Vote.VoteSource.PAPER,
        recorded_by=recorded_by,
        now=cast_at,
    )


@transaction.atomic
def resolution_open_voting(
    *,
    resolution: Resolution,
    opened_by,
    closes_at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> Resolution:
    """Put a draft to the vote and tell the owners."""
    now = now or timezone.now()
    resolution = _locked(resolution)
    if not resolution.community.voting_enabled:
        raise ValidationError(
            _("Głosowanie nad uchwałami jest w tej wspólnocie wyłączone."), code="voting_disabled"
        )
    if resolution.status != Resolution.Status.DRAFT:
        raise ValidationError(
            _("Głosowanie można otworzyć tylko dla projektu uchwały."), code="not_draft"
        )
    resolution.status = Resolution.Status.VOTING
    resolution.published = True
    resolution.voting_opens_at = resolution.voting_opens_at or now
    if closes_at:
        resolution.voting_closes_at = closes_at
    resolution.full_clean(exclude=["pdf"])
    resolution.save()
    community = resolution.community
    for person in _people(community=community, owners_only=True):
        notify_user(
            user=person,
            template="community/email/vote_opened",
            context={"resolution": resolution, "community": community},
            related=resolution,
            channels=_channels(community),
            community=community,
        )
    return resolution


def _notify_outcome(resolution: Resolution, *, tally, closed_by) -> None:
    """Every owner learns the outcome: a letter per premises in Korespondencja (post or
    e-delivery by the owner's consent). This notice starts the six weeks to challenge it."""
    community = resolution.community
    context = {"resolution": resolution, "community": community, "tally": tally}
    letter_create_for_owners(
        community=community,
        kind=Letter.Kind.INFORMATION,
        subject=render_to_string("community/email/vote_result_subject.txt", context).strip(),
        body=render_to_string("community/letters/vote_result.txt", context).strip(),
        created_by=closed_by,
    )


@transaction.atomic
def resolution_close(
    *,
    resolution: Resolution,
    closed_by,
    now: datetime.datetime | None = None,
    notify: bool = True,
) -> Resolution:
    """Close the vote, compute the status by the community's threshold, notify every owner.

    ``notify=False`` only for entering past votes (demo, migration from another system).
    """
    now = now or timezone.now()
    resolution = _locked(resolution)
    if resolution.status != Resolution.Status.VOTING:
        raise ValidationError(
            _("Zamknąć można tylko uchwałę, nad którą trwa głosowanie."), code="not_voting"
        )
    tally = resolution_tally(resolution, now)
    resolution.status = Resolution.Status.ADOPTED if tally.adopted else Resolution.Status.REJECTED
    resolution.result = tally.to_json()
    resolution.closed_at = now
    resolution.closed_by = closed_by
    resolution.decided_on = timezone.localdate(now)
    if resolution.voting_closes_at is None or resolution.voting_closes_at > now:
        resolution.voting_closes_at = now
    resolution.notified_at = now
    resolution.save()
    if notify:
        _notify_outcome(resolution, tally=tally, closed_by=closed_by)
    return resolution


def resolutions_close_due(*, now: datetime.datetime | None = None) -> int:
    """Close every vote whose end time has passed (run by the periodic command)."""
    now = now or timezone.now()
    due = Resolution.objects.filter(
        status=Resolution.Status.VOTING, voting_closes_at__lte=now
    ).values_list("pk", flat=True)
    count = 0
    for pk in list(due):
        resolution_close(resolution=Resolution(pk=pk), closed_by=None, now=now)
        count += 1
    return count
