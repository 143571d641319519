"""Writes of the Wspólnota tab: reading announcements, notifying residents, voting, closing."""

import datetime
import logging
import secrets
from fractions import Fraction

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from correspondence.models import Letter
from correspondence.selectors import premises_owners
from correspondence.services import LetterDraft, letters_create_published
from notifications.services import Notice, notify_many
from portal.pdf import render_pdf
from premises.models import Ownership, Premises

from .models import (
    DEFAULT_MIN_VOTING_DAYS,
    Announcement,
    AnnouncementRead,
    CoOwnersProxy,
    Counting,
    OutcomeNotice,
    Resolution,
    Vote,
    VotingRules,
)
from .selectors import (
    BOUND,
    NOT_OWNER,
    PROXY_REQUIRED,
    PROXY_VOTES,
    acting_proxies,
    binding_ballot,
    challenge_deadline,
    community_share_sum,
    largest_owner_share,
    premises_share_sum,
    resolution_tally,
    vote_refusal,
)
from .tally import percent

logger = logging.getLogger(__name__)

CLOSED_MESSAGE = _(
    "Głosowanie nad tą uchwałą zostało zakończone. Głosu nie można już oddać ani zmienić."
)

# Shown on the vote and, instead of the form, on the resolution page.
PROXY_REQUIRED_MESSAGE = _(
    "W głosowaniu „jeden właściciel – jeden głos” współwłaściciele lokalu głosują "
    "przez pełnomocnika ustanowionego na piśmie (art. 23 ust. 2b ustawy o własności "
    "lokali). Złóż w biurze pełnomocnictwo – biuro je odnotuje."
)


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


def _notify_owners(*, resolution: Resolution, template: str) -> None:
    """Tell every owner in the resolution's community (e-mail; SMS where they consented)."""
    community = resolution.community
    notify_many(
        Notice(
            user=person,
            template=template,
            context={"resolution": resolution, "community": community},
            related=resolution,
            community=community,
            sms=True,
        )
        for person in _people(community=community, owners_only=True)
    )


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
    notify_many(
        Notice(
            user=person,
            template="community/email/announcement",
            context={"announcement": announcement, "community": community},
            related=announcement,
            community=community,
            building=announcement.building,
            sms=True,
        )
        for person in people
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


def _voting_disabled_message(community):
    if community.kind == community.Kind.COOPERATIVE:
        return _("Głosowanie nad uchwałami jest w tej spółdzielni wyłączone.")
    return _("Głosowanie nad uchwałami jest w tej wspólnocie wyłączone.")


def _check_resolution_open(resolution: Resolution, *, now, paper: bool) -> None:
    if not resolution.community.voting_enabled:
        raise ValidationError(
            _voting_disabled_message(resolution.community), code="voting_disabled"
        )
    if resolution.is_closed:
        raise ValidationError(CLOSED_MESSAGE, code="closed")
    if resolution.status != Resolution.Status.VOTING:
        raise ValidationError(_("Głosowanie nad tą uchwałą nie jest otwarte."), code="not_open")
    if resolution.voting_opens_at and now < resolution.voting_opens_at:
        raise ValidationError(
            _("Głosowanie nad tą uchwałą jeszcze się nie rozpoczęło."), code="not_open"
        )
    if not paper and resolution.voting_closes_at and now >= resolution.voting_closes_at:
        raise ValidationError(CLOSED_MESSAGE, code="closed")


def _name(user) -> str:
    return user.get_full_name() or user.username


def _check_voter(
    *, user, resolution: Resolution, premises: Premises, on: datetime.date
) -> CoOwnersProxy | None:
    """Whether ``user`` may vote for ``premises`` on ``on`` (``vote_refusal``, with the ballot
    that already binds the premises' voting unit, ``binding_ballot``); returns the premises'
    proxy."""
    if premises.building.community_id != resolution.community_id:
        raise ValidationError(
            _("Ten lokal nie należy do wspólnoty, której dotyczy uchwała."), code="wrong_community"
        )
    holders = list(
        Ownership.objects.current(on)
        .filter(premises=premises, role__in=Ownership.OWNER_ROLES)
        .values_list("user_id", flat=True)
    )
    proxy = None
    if resolution.counting != Counting.PER_MEMBER:  # in a cooperative every member votes
        proxy = acting_proxies(on, premises).select_related("proxy").first()
    original = not holders and not _owned_before_on(premises, on)
    binding = binding_ballot(
        resolution=resolution, premises=premises, voter=user, on=on, original_owner=original
    )
    refusal = vote_refusal(
        counting=resolution.counting,
        user_id=user.pk,
        owner_ids=holders,
        proxy_id=proxy.proxy_id if proxy else None,
        bound=binding is not None,
        original_owner=original,
    )
    roles = set()
    if refusal == NOT_OWNER:
        roles = set(
            Ownership.objects.current(on)
            .filter(user=user, premises=premises)
            .values_list("role", flat=True)
        )
    if (
        refusal == NOT_OWNER
        and not roles
        and not holders
        and resolution.counting != Counting.PER_MEMBER
    ):
        if original:
            raise ValidationError(
                _(
                    "Lokal %(premises)s nie miał jeszcze właściciela w rejestrze: należy do "
                    "właściciela pierwotnego (np. dewelopera), który głosuje przez pełnomocnika. "
                    "Odnotuj pełnomocnictwo (pełnomocnik właściciela pierwotnego) dla tego lokalu "
                    "i wprowadź kartę z pełnomocnikiem jako głosującym; jego głos liczy się za "
                    "wszystkie lokale właściciela pierwotnego."
                ),
                code="not_owner",
                params={"premises": str(premises)},
            )
        raise ValidationError(
            _(
                "Głosować może tylko właściciel lub współwłaściciel lokalu, a lokal %(premises)s "
                "został zbyty i nabywcy nie wpisano do rejestru: właściciel nieustalony. Głos "
                "za ten lokal odda nabywca, gdy biuro wpisze go do rejestru; do tego czasu "
                "lokal liczy się jako niegłosujący."
            ),
            code="not_owner",
            params={"premises": str(premises)},
        )
    if refusal == NOT_OWNER:
        if roles:
            raise ValidationError(
                _("Najemca nie może głosować nad uchwałami – głosuje właściciel lokalu."),
                code="tenant",
            )
        raise ValidationError(
            _("Głosować może tylko właściciel lub współwłaściciel lokalu."), code="not_owner"
        )
    if refusal == PROXY_VOTES:
        if len(set(holders)) > 1:
            message = _(
                "Za ten lokal głosuje pełnomocnik współwłaścicieli: %(name)s "
                "(art. 23 ust. 2b ustawy o własności lokali)."
            )
        else:
            message = _(
                "Za ten lokal głosuje pełnomocnik właściciela: %(name)s (pełnomocnictwo na "
                "piśmie odnotowane przez biuro). Aby głosować osobiście, poproś biuro o "
                "zakończenie pełnomocnictwa."
            )
        raise ValidationError(message, code="proxy_votes", params={"name": _name(proxy.proxy)})
    if refusal == PROXY_REQUIRED:
        raise ValidationError(PROXY_REQUIRED_MESSAGE, code="proxy_required")
    if refusal == BOUND:
        raise _bound_error(resolution, premises, binding)
    return proxy


def _owned_before_on(premises: Premises, on: datetime.date) -> bool:
    """Whether the premises had an owner on record by ``on`` (else it is the original
    owner's, ``selectors.original_owner_premises``)."""
    return Ownership.objects.filter(
        premises=premises, role__in=Ownership.OWNER_ROLES, valid_from__lte=on
    ).exists()


def _bound_error(resolution: Resolution, premises: Premises, binding: Vote) -> ValidationError:
    """Why a ballot would not change the vote that binds the premises (``binding_ballot``):
    worded for the resident and for the office entering a paper ballot alike."""
    if binding.premises_id == premises.pk:
        return ValidationError(
            _(
                "Za ten lokal głos oddał(a) już %(name)s. Współwłaściciele oddają jeden głos "
                "za lokal – pierwszy oddany głos wiąże lokal."
            ),
            code="already_voted",
            params={"name": _name(binding.voter)},
        )
    if resolution.counting == Counting.PER_MEMBER:
        message = _(
            "%(name)s oddał(a) już głos za lokal %(premises)s i liczy się on także za ten "
            "lokal: członek spółdzielni ma jeden głos, niezależnie od liczby lokali (art. 36 "
            "§ 1 prawa spółdzielczego). Głos można zmienić tylko przy lokalu %(premises)s."
        )
    else:
        message = _(
            "%(name)s oddał(a) już głos za lokal %(premises)s i liczy się on także za ten "
            "lokal: w głosowaniu „jeden właściciel – jeden głos” właściciel kilku lokali ma "
            "jeden głos (art. 23 ust. 2a ustawy o własności lokali). Głos można zmienić tylko "
            "przy lokalu %(premises)s."
        )
    return ValidationError(
        message,
        params={"name": _name(binding.voter), "premises": str(binding.premises)},
        code="already_voted_elsewhere",
    )


def _store_vote(*, resolution, premises, voter, choice, source, recorded_by, now) -> Vote:
    """One ballot per person, premises and way of voting: a change updates it (with history);
    the same ballot again changes nothing (``_repeated``)."""
    if choice not in Vote.Choice.values:
        raise ValidationError(_("Wybierz: za, przeciw albo wstrzymuję się."), code="choice")
    vote = (
        Vote.objects.select_for_update()
        .filter(resolution=resolution, premises=premises, voter=voter, source=source)
        .first()
    )
    if vote is None:
        vote = Vote(resolution=resolution, premises=premises, voter=voter, source=source)
    elif _repeated(vote, choice=choice, source=source, cast_at=now):
        return vote
    vote.choice = choice
    vote.recorded_by = recorded_by
    vote.cast_at = now
    vote.receipt_code = _receipt_code()
    vote.save()
    return vote


def _repeated(vote: Vote, *, choice: str, source: str, cast_at) -> bool:
    """The same ballot again (a double click, a paper ballot entered twice): nothing to change,
    the receipt code stays. Not when another ballot for the premises came later (the person's
    paper one): casting the same choice again makes it the latest, the one that counts."""
    if vote.choice != choice or (source == Vote.VoteSource.PAPER and vote.cast_at != cast_at):
        return False
    return not (
        Vote.objects.filter(
            resolution_id=vote.resolution_id, premises_id=vote.premises_id, cast_at__gt=vote.cast_at
        )
        .exclude(pk=vote.pk)
        .exists()
    )


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
    on = timezone.localdate(now)
    _check_voter(user=user, resolution=resolution, premises=premises, on=on)
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
    """Checks of a paper ballot before the office records it (used by the admin form too).

    The voter's rights are those on the date of the ballot; the same person's ballot for the
    same premises cast online earlier or later is no obstacle: the later ballot counts. A
    ballot another one already binds (``binding_ballot``) is refused, as online.
    """
    cast_at = cast_at or timezone.now()
    _check_resolution_open(resolution, now=cast_at, paper=True)
    # Voting ends just before ``voting_closes_at``, as for an online vote (``voting_date``).
    if resolution.voting_closes_at and cast_at >= resolution.voting_closes_at:
        raise ValidationError(
            _("Karta z datą po zakończeniu głosowania nie może zostać uwzględniona."),
            code="late",
        )
    if cast_at > timezone.now():
        raise ValidationError(_("Data z karty nie może być w przyszłości."), code="future")
    on = timezone.localdate(cast_at)
    _check_voter(user=voter, resolution=resolution, premises=premises, on=on)


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
    """A ballot collected on paper (indywidualne zbieranie głosów), entered by the office.

    Entering the same person's paper ballot for the premises again corrects it (the change
    is kept in the history, with who entered it). Against the person's online vote the later
    of the two by date counts.
    """
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


def _share_sum_problems(resolution: Resolution, total=None, missing=None) -> list[str]:
    """By shares the majority is of all shares, which must sum to exactly 1: checked when the
    vote opens and again when it closes, since the register may be edited in between (a sum
    of 6/5 would let 11/20 "for" pass as more than half)."""
    community = resolution.community
    if resolution.counting != Counting.BY_SHARE or community.kind == community.Kind.COOPERATIVE:
        return []
    if total is None:
        total, missing = community_share_sum(community.pk)
    if total == 1:
        return []
    problems = [
        str(
            _(
                "Suma udziałów we wspólnocie wynosi %(percent)s%% (%(total)s), a musi wynosić "
                "dokładnie 1. Uzupełnij udziały w rejestrze lokali."
            )
            % {
                "percent": number_format(percent(total), 2),
                "total": f"{total.numerator}/{total.denominator}",
            }
        )
    ]
    if missing:
        problems.append(
            str(_("Lokale bez udziału: %(list)s.")) % {"list": ", ".join(str(p) for p in missing)}
        )
    return problems


def min_voting_days(community) -> int:
    rules = VotingRules.objects.filter(community=community).first()
    return rules.min_voting_days if rules else DEFAULT_MIN_VOTING_DAYS


def resolution_opening_problems(
    resolution: Resolution, *, closes_at=None, now: datetime.datetime | None = None
) -> list[str]:
    """Everything that stops the vote from opening, in Polish (empty: it may open).

    Shown on the confirmation screen before opening and checked again when it opens.
    """
    now = now or timezone.now()
    community = resolution.community
    problems = []
    if not community.voting_enabled:
        problems.append(str(_voting_disabled_message(community)))
    if resolution.status != Resolution.Status.DRAFT:
        problems.append(str(_("Głosowanie można otworzyć tylko dla projektu uchwały.")))
        return problems
    if not resolution.text and not resolution.pdf:
        problems.append(str(_("Uchwała nie ma treści: wpisz ją lub dołącz PDF.")))
    cooperative = community.kind == community.Kind.COOPERATIVE
    if cooperative and resolution.counting != Counting.PER_MEMBER:
        problems.append(
            str(
                _(
                    "W spółdzielni każdy członek ma jeden głos (art. 36 § 1 prawa "
                    "spółdzielczego): wybierz liczenie „jeden członek – jeden głos”."
                )
            )
        )
    if not cooperative and resolution.counting == Counting.PER_MEMBER:
        problems.append(
            str(
                _(
                    "Liczenie „jeden członek – jeden głos” dotyczy spółdzielni; we wspólnocie "
                    "głosy liczy się według udziałów albo „jeden właściciel – jeden głos”."
                )
            )
        )
    opens_at = max(resolution.voting_opens_at or now, now)
    closes_at = closes_at or resolution.voting_closes_at
    days = min_voting_days(community)
    if closes_at is None:
        problems.append(str(_("Ustal termin zakończenia głosowania.")))
    elif closes_at < opens_at + datetime.timedelta(days=days):
        problems.append(
            str(
                ngettext(
                    "Głosowanie musi trwać co najmniej %(days)d dzień (do %(date)s lub później).",
                    "Głosowanie musi trwać co najmniej %(days)d dni (do %(date)s lub później).",
                    days,
                )
                % {
                    "days": days,
                    "date": date_format(
                        timezone.localtime(opens_at + datetime.timedelta(days=days)),
                        "d.m.Y H:i",
                    ),
                }
            )
        )
    if not cooperative:
        total, missing = community_share_sum(community.pk)
        problems.extend(_share_sum_problems(resolution, total, missing))
        # One owner – one vote needs no share sum of 1: art. 23 ust. 2a exists for exactly
        # the communities whose shares do not add up.
        if resolution.counting == Counting.PER_OWNER and not resolution.per_owner_basis.strip():
            problems.extend(_per_owner_demand_problems(resolution, total, opens_at))
    return problems


def _per_owner_demand_problems(
    resolution: Resolution, total: Fraction, opens_at: datetime.datetime
) -> list[str]:
    """Art. 23 ust. 2a: owners of at least 1/5 of the shares may demand one owner – one vote,
    but only where the shares do not sum to 1 or one owner holds most of them. Elsewhere only
    the owners' agreement or resolution can provide for it (ust. 2: ``per_owner_basis``)."""
    problems = []
    largest = largest_owner_share(resolution.community_id, timezone.localdate(opens_at))
    if total == 1 and largest * 2 <= total:
        problems.append(
            str(
                _(
                    "Żądanie głosowania „jeden właściciel – jeden głos” (art. 23 ust. 2a) "
                    "przysługuje tylko we wspólnocie, w której suma udziałów nie jest równa 1 "
                    "albo większość udziałów należy do jednego właściciela; tu suma udziałów "
                    "wynosi 1, a największy właściciel ma %(percent)s%% udziałów. Według tej "
                    "zasady można głosować, gdy przewiduje ją umowa lub uchwała właścicieli "
                    "(art. 23 ust. 2): wpisz ją jako podstawę."
                )
            )
            % {"percent": number_format(percent(largest), 2)}
        )
    demanded = premises_share_sum(resolution.per_owner_demand_premises.values_list("pk", flat=True))
    base = total if total else Fraction(1)
    if demanded * 5 < base or resolution.per_owner_demand_on is None:
        problems.append(
            str(
                _(
                    "Głosowanie „jeden właściciel – jeden głos” wymaga żądania "
                    "właścicieli lokali mających łącznie co najmniej 1/5 udziałów "
                    "(art. 23 ust. 2a); odnotowane żądanie: %(percent)s%% udziałów. "
                    "Wskaż lokale żądających i datę żądania albo wpisz jako podstawę umowę "
                    "lub uchwałę właścicieli, która przewiduje tę zasadę (art. 23 ust. 2)."
                )
            )
            % {"percent": number_format(percent(demanded / base), 2)}
        )
    return problems


@transaction.atomic
def resolution_open_voting(
    *,
    resolution: Resolution,
    opened_by,
    closes_at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> Resolution:
    """Put a draft to the vote for a fixed period and tell the owners.

    From now on its text, PDF, deadline and counting mode are frozen.
    """
    now = now or timezone.now()
    resolution = _locked(resolution)
    problems = resolution_opening_problems(resolution, closes_at=closes_at, now=now)
    if problems:
        raise ValidationError(problems, code="cannot_open")
    resolution.status = Resolution.Status.VOTING
    resolution.published = True
    resolution.voting_opens_at = max(resolution.voting_opens_at or now, now)
    if closes_at:
        resolution.voting_closes_at = closes_at
    resolution.full_clean(exclude=["pdf"])
    resolution.save()
    _notify_owners(resolution=resolution, template="community/email/vote_opened")
    return resolution


def resolution_closing_problems(
    resolution: Resolution, *, now: datetime.datetime | None = None
) -> list[str]:
    """What stops the vote from closing now (shown on the confirmation screen)."""
    now = now or timezone.now()
    if resolution.status != Resolution.Status.VOTING:
        return [str(_("Zamknąć można tylko uchwałę, nad którą trwa głosowanie."))]
    if resolution.voting_closes_at and now < resolution.voting_closes_at:
        return [
            str(
                _("Głosowanie trwa do %(date)s; wcześniej nie można go zamknąć.")
                % {
                    "date": date_format(
                        timezone.localtime(resolution.voting_closes_at), "d.m.Y H:i"
                    )
                }
            )
        ]
    return _share_sum_problems(resolution)


def resolution_withdrawing_problems(resolution: Resolution) -> list[str]:
    if resolution.status not in (Resolution.Status.DRAFT, Resolution.Status.VOTING):
        return [str(_("Wycofać można tylko projekt albo uchwałę, nad którą trwa głosowanie."))]
    return []


@transaction.atomic
def resolution_withdraw(
    *, resolution: Resolution, withdrawn_by, now: datetime.datetime | None = None
) -> Resolution:
    """Withdraw a draft or a resolution under vote (e.g. to correct its text: a corrected
    resolution is a new one). Its ballots stay on record; owners are told if it was open."""
    now = now or timezone.now()
    resolution = _locked(resolution)
    if resolution.status not in (Resolution.Status.DRAFT, Resolution.Status.VOTING):
        raise ValidationError(
            _("Wycofać można tylko projekt albo uchwałę, nad którą trwa głosowanie."),
            code="not_withdrawable",
        )
    was_voting = resolution.status == Resolution.Status.VOTING
    resolution.status = Resolution.Status.WITHDRAWN
    resolution.closed_at = now
    resolution.closed_by = withdrawn_by
    resolution.save(update_fields=["status", "closed_at", "closed_by"])
    if was_voting:
        _notify_owners(resolution=resolution, template="community/email/vote_withdrawn")
    return resolution


def resolution_check_frozen(*, resolution: Resolution, demand_premises=None) -> None:
    """Refuse to store ``resolution`` (the values about to be saved; ``demand_premises`` when
    they are set too) if the stored row is no longer a draft and any of it would change.

    From the opening of the vote a resolution changes only through its services (close,
    withdraw). Compared with the stored row, not with what a form showed: the admin history's
    "revert" shows an older version (a draft, a result not yet stored) as unchanged.
    """
    if resolution.pk is None:
        return
    stored = Resolution.objects.filter(pk=resolution.pk).first()
    if stored is None or stored.status == Resolution.Status.DRAFT:
        return
    changed = any(
        field.value_from_object(resolution) != field.value_from_object(stored)
        for field in Resolution._meta.concrete_fields
    )
    if demand_premises is not None:
        stored_demand = set(stored.per_owner_demand_premises.values_list("pk", flat=True))
        changed = changed or {p.pk for p in demand_premises} != stored_demand
    if changed:
        raise ValidationError(
            _(
                "Od otwarcia głosowania treść, załącznik, termin i sposób liczenia głosów "
                "uchwały są niezmienne. Aby coś poprawić, wycofaj uchwałę i przygotuj nową."
            ),
            code="frozen",
        )


def _outcome_pdf(resolution: Resolution, tally) -> tuple[str, bytes]:
    number = resolution.number.replace("/", "-")
    if resolution.pdf:
        with resolution.pdf.open("rb") as handle:
            return f"uchwala-{number}.pdf", handle.read()
    pdf = render_pdf(
        "community/pdf/resolution.html",
        {"resolution": resolution, "community": resolution.community, "tally": tally},
    )
    return f"uchwala-{number}.pdf", pdf


def _notify_outcome(resolution: Resolution, *, tally, closed_by, now) -> list[OutcomeNotice]:
    """Art. 23 ust. 3: every owner is notified in writing of the resolution's content: each
    owner, co-owner and member of each premises gets their own letter with the full text and
    the PDF, in Korespondencja, by e-mail where they consented to e-delivery, otherwise by post.
    Each owner's own notice starts their six weeks to challenge it (art. 25 ust. 1a).

    Owners already notified are skipped: sending again makes no copies. In bulk, a fixed
    number of queries whatever the community's size (``letters_create_published``).
    """
    community = resolution.community
    premises_list = list(Premises.objects.filter(building__community=community))
    owners = premises_owners([p.pk for p in premises_list])
    notified = set(
        OutcomeNotice.objects.filter(resolution=resolution).values_list(
            "premises_id", "recipient_id"
        )
    )
    missing = [
        (premises, person)
        for premises in premises_list
        for person in owners.get(premises.pk, [])
        if (premises.pk, person.pk) not in notified
    ]
    if not missing:
        return []
    notice_day = timezone.localdate(now)
    context = {
        "resolution": resolution,
        "community": community,
        "tally": tally,
        "cooperative": community.kind == community.Kind.COOPERATIVE,
        "notice_day": notice_day,
        "deadline_if_notified_today": challenge_deadline(notice_day),
    }
    subject = render_to_string("community/email/vote_result_subject.txt", context).strip()
    body = render_to_string("community/letters/vote_result.txt", context).strip()
    letters = letters_create_published(
        community=community,
        drafts=[
            LetterDraft(
                premises=premises,
                recipient=person,
                kind=Letter.Kind.RESOLUTION_NOTICE,
                subject=subject,
                body=body,
            )
            for premises, person in missing
        ],
        created_by=closed_by,
        shared_attachment=_outcome_pdf(resolution, tally),
    )
    return OutcomeNotice.objects.bulk_create(
        OutcomeNotice(
            resolution=resolution,
            premises_id=letter.premises_id,
            recipient_id=letter.recipient_id,
            letter=letter,
            # E-delivered now: the notice date is fixed here, once; a letter sent again later
            # (by post or e-mail) does not move it. By post: the office enters the receipt.
            delivered_on=(
                timezone.localdate(letter.published_at)
                if letter.delivery_channel == Letter.Channel.EMAIL
                else None
            ),
        )
        for letter in letters
    )


@transaction.atomic
def resolution_notify_outcome(
    *, resolution: Resolution, notified_by, now: datetime.datetime | None = None
) -> list[OutcomeNotice]:
    """Notify the owners not yet notified of a closed resolution's content (e.g. after it was
    closed without notices); returns the new notices, none for owners notified already."""
    now = now or timezone.now()
    resolution = _locked(resolution)
    if not resolution.is_closed or not resolution.result:
        raise ValidationError(
            _("Zawiadomić o treści można tylko o uchwale, nad którą głosowanie zamknięto."),
            code="not_closed",
        )
    notices = _notify_outcome(
        resolution, tally=resolution_tally(resolution), closed_by=notified_by, now=now
    )
    if resolution.notified_at is None:
        resolution.notified_at = now
        resolution.save(update_fields=["notified_at"])
    return notices


def outcome_notice_check_delivery(
    *, notice: OutcomeNotice, delivered_on: datetime.date | None
) -> None:
    """A delivery date lies between the sending of the letter and today: an earlier one (a
    mistyped year) would show the owner a challenge deadline shorter than the law gives."""
    if delivered_on is None:
        return
    if delivered_on > timezone.localdate():
        raise ValidationError(_("Data doręczenia nie może być w przyszłości."), code="future")
    sent = notice.letter.published_at
    if sent is not None and delivered_on < timezone.localdate(sent):
        raise ValidationError(
            _("Data doręczenia nie może być wcześniejsza niż wysłanie pisma (%(date)s)."),
            code="before_sending",
            params={"date": date_format(timezone.localtime(sent), "d.m.Y")},
        )


@transaction.atomic
def outcome_notice_record_delivery(
    *, notice: OutcomeNotice, delivered_on: datetime.date | None
) -> OutcomeNotice:
    """The office enters the delivery date of a letter sent by post (from the return receipt);
    an empty date takes a wrong entry back."""
    outcome_notice_check_delivery(notice=notice, delivered_on=delivered_on)
    notice.delivered_on = delivered_on
    notice.save(update_fields=["delivered_on"])
    return notice


@transaction.atomic
def resolution_close(
    *,
    resolution: Resolution,
    closed_by,
    now: datetime.datetime | None = None,
    notify: bool = True,
) -> Resolution:
    """Close the vote at its end, compute the status, notify every owner of the outcome.

    ``notify=False`` only for entering past votes (demo, migration from another system).
    """
    now = now or timezone.now()
    resolution = _locked(resolution)
    if resolution.status != Resolution.Status.VOTING:
        raise ValidationError(
            _("Zamknąć można tylko uchwałę, nad którą trwa głosowanie."), code="not_voting"
        )
    if resolution.voting_closes_at and now < resolution.voting_closes_at:
        raise ValidationError(
            _(
                "Głosowanie trwa do %(date)s; wcześniej nie można go zamknąć – właściciele mają "
                "prawo głosować do końca terminu."
            )
            % {"date": date_format(timezone.localtime(resolution.voting_closes_at), "d.m.Y H:i")},
            code="too_early",
        )
    problems = _share_sum_problems(resolution)
    if problems:
        # Not decided on a wrong register: the office corrects the shares, then closes.
        raise ValidationError(problems, code="share_sum")
    if resolution.voting_closes_at is None:
        resolution.voting_closes_at = now
    tally = resolution_tally(resolution, now)
    resolution.status = Resolution.Status.ADOPTED if tally.adopted else Resolution.Status.REJECTED
    resolution.result = tally.to_json()
    resolution.closed_at = now
    resolution.closed_by = closed_by
    resolution.decided_on = timezone.localdate(resolution.voting_closes_at)
    resolution.save()
    if notify:
        resolution.notified_at = now
        resolution.save(update_fields=["notified_at"])
        _notify_outcome(resolution, tally=tally, closed_by=closed_by, now=now)
    return resolution


def resolutions_close_due(*, now: datetime.datetime | None = None) -> int:
    """Close every vote whose end time has passed (run by the periodic command)."""
    now = now or timezone.now()
    due = Resolution.objects.filter(
        status=Resolution.Status.VOTING, voting_closes_at__lte=now
    ).values_list("pk", flat=True)
    count = 0
    for pk in list(due):
        try:
            resolution_close(resolution=Resolution(pk=pk), closed_by=None, now=now)
        except ValidationError as error:
            # Left open for the office (e.g. shares no longer sum to 1): the admin's "close"
            # shows why; the others close as due.
            logger.warning("Resolution %s not closed: %s", pk, " ".join(error.messages))
            continue
        count += 1
    return count
