"""The vote tally: exact share sums (``Fraction``, never float) and counts.

The counting mode belongs to the resolution (``Resolution.counting``), fixed when voting opens:

- by shares (art. 23 ust. 2 ustawy o własności lokali): every premises votes with its share;
  a resolution is adopted by more than half of *all* shares (which sum to 1);
- one owner – one vote (art. 23 ust. 2a, on the demand of owners of at least 1/5 of shares):
  the voting unit is an *owner*, i.e. the set of people owning a premises on the voting day.
  Premises with the very same owner set form one unit: one person with three flats has one
  vote, and so has a married couple co-owning two flats; the premises with no owner on record
  are the original owner's, one unit; a sold flat whose buyer is not on record yet is not:
  its owner is real but unknown ("właściciel nieustalony"), one owner who did not vote. The
  vote refuses a second ballot of a unit through
  another premises (``selectors.binding_ballot``); of ballots stored for several premises of
  a unit the latest counts. Adopted by more than half of all owners;
- one member – one vote (spółdzielnia, art. 36 § 1 prawa spółdzielczego): every member is
  one vote, however many premises they hold; adopted when more members vote "for" than
  "against" (zwykła większość głosów oddanych).

Only ballots of people entitled on the voting day count (an owner then, or the co-owners'
recorded proxy); of several ballots for one premises (online, paper) the latest counts.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from math import floor

FOR, AGAINST, ABSTAIN, NOT_VOTED = "for", "against", "abstain", "none"
KEYS = (FOR, AGAINST, ABSTAIN, NOT_VOTED)

# Counting modes (values of ``community.models.Counting``).
BY_SHARE, PER_OWNER, PER_MEMBER = "share", "per_owner", "per_member"
# What ``TallyLine.count`` counts.
PREMISES, OWNERS, MEMBERS = "premises", "owners", "members"
# Stored with every result; results stored under a community setting may say "voted_shares".
ALL_SHARES = "all_shares"
# The most decimal places a percent is shown with, to tell a majority from a tie.
MAX_PLACES = 8


def percent(value: Fraction, places: int = 2) -> Decimal:
    """``Fraction`` → percent rounded half-up, e.g. ``Fraction(1, 3)`` → ``Decimal("33.33")``."""
    exact = Decimal(value.numerator * 100) / Decimal(value.denominator)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def owner_units(
    owner_rows: Iterable[tuple[int, int | None]], unknown: Iterable[int] = ()
) -> dict[int, object]:
    """One owner – one vote: the voting unit of each premises, the set of its owners on the
    voting day (``None`` as user id: no owner on record).

    The premises with no owner on record (lokale niewyodrębnione, still the original owner's:
    the developer's unsold flats, the municipality's) all belong to that one owner, so they
    are one unit between them (the empty set), not one owner each.

    ``unknown``: the premises with no owner on record that day which had one before (sold,
    the buyer not entered yet). Their owner is somebody the office does not know, not the
    original owner: each is its own unit (``UnknownOwner``), which nobody on record can vote
    for.

    Premises with the same unit give one vote between them; the tally counts by it and the
    votes waiting for a resident are decided by it, so that both agree.
    """
    owners: dict[int, set[int]] = {}
    for premises_id, user_id in owner_rows:
        people = owners.setdefault(premises_id, set())
        if user_id is not None:
            people.add(user_id)
    units: dict[int, object] = {pk: frozenset(people) for pk, people in owners.items()}
    for premises_id in unknown:
        if not units.get(premises_id):
            units[premises_id] = UnknownOwner(premises_id)
    return units


@dataclass(frozen=True)
class UnknownOwner:
    """The owner of a sold premises whose buyer is not on record yet ("właściciel
    nieustalony"): a voting unit of its own, never the original owner's."""

    premises_id: int


@dataclass
class TallyLine:
    key: str
    share: Fraction = Fraction(0)
    count: int = 0
    # The percent shown, apportioned by ``Tally`` so that the lines add up to its total.
    shown: Decimal | None = field(default=None, compare=False, repr=False)

    @property
    def percent(self) -> Decimal:
        return self.shown if self.shown is not None else percent(self.share)


@dataclass
class Tally:
    """Shares (or the fraction of owners/members) and counts per choice."""

    threshold: str = ALL_SHARES
    counting: str = BY_SHARE
    lines: dict[str, TallyLine] = field(default_factory=lambda: {k: TallyLine(k) for k in KEYS})
    unit: str = PREMISES
    # Decimal places of the percents shown (``_apportioned``).
    places: int = field(default=2, compare=False, repr=False)
    # Per owner / per member, counted live: the ids of the ballots that count (the protocol's).
    counted: set[int] = field(default_factory=set, compare=False, repr=False)
    # ... and for every entitled ballot the id of the one that counts for its owner or member.
    counts_instead: dict[int, int] = field(default_factory=dict, compare=False, repr=False)
    # Of ``not_voted``: the premises (by shares) or owners whose owner on the voting day is not
    # on record (a sold flat, the buyer not entered yet): "właściciel nieustalony".
    unknown: TallyLine = field(default_factory=lambda: TallyLine("unknown"))

    @classmethod
    def from_rows(cls, rows) -> "Tally":
        """By shares. ``rows``: ``(choice or None, denominator, sum of numerators, count,
        owner unknown)``; the premises of an unknown owner have no ballot that counts."""
        tally = cls()
        for choice, denominator, numerator_sum, count, *unknown in rows:
            share = Fraction(int(numerator_sum or 0), int(denominator))
            line = tally.lines[choice or NOT_VOTED]
            line.share += share
            line.count += count
            if unknown and unknown[0]:
                tally.unknown.share += share
                tally.unknown.count += count
        return tally._apportioned()

    @classmethod
    def per_owner(
        cls,
        owner_rows: Iterable[tuple[int, int | None]],
        vote_rows: Iterable[tuple[int, int, str, object, int]],
        unknown: Iterable[int] = (),
    ) -> "Tally":
        """One owner – one vote.

        ``owner_rows``: ``(premises_id, user_id or None)`` for every premises of the community,
        one row per owner on the voting day (``None``: no owner on record; all such premises
        are the original owner's, one unit). ``vote_rows``: ``(premises_id, voter_id,
        choice, cast_at, vote_id)`` of the entitled ballots. ``unknown``: the premises whose
        owner that day is not on record though they had one (``owner_units``).
        """
        units = owner_units(owner_rows, unknown)
        tally = cls._count(
            dict.fromkeys(units.values()),
            ((units.get(p), choice, at, pk) for p, _voter, choice, at, pk in vote_rows),
            counting=PER_OWNER,
            unit=OWNERS,
        )
        tally.unknown.count = sum(isinstance(u, UnknownOwner) for u in set(units.values()))
        total = tally.total_count
        tally.unknown.share = Fraction(tally.unknown.count, total) if total else Fraction(0)
        return tally

    @classmethod
    def per_member(
        cls, member_ids: Iterable[int], vote_rows: Iterable[tuple[int, int, str, object, int]]
    ) -> "Tally":
        """One member – one vote: each member's latest entitled ballot, whatever the premises."""
        return cls._count(
            dict.fromkeys(member_ids),
            ((voter, choice, at, pk) for _p, voter, choice, at, pk in vote_rows),
            counting=PER_MEMBER,
            unit=MEMBERS,
        )

    @classmethod
    def _count(cls, latest: dict, ballots, *, counting: str, unit: str) -> "Tally":
        unit_of: dict[int, object] = {}
        for key, choice, cast_at, vote_id in ballots:
            if key not in latest:
                continue  # not a voter of the community on the voting day
            unit_of[vote_id] = key
            if latest[key] is None or (cast_at, vote_id) > latest[key][:2]:
                latest[key] = (cast_at, vote_id, choice)
        tally = cls(counting=counting, unit=unit)
        tally.counted = {vote[1] for vote in latest.values() if vote}
        tally.counts_instead = {vote_id: latest[key][1] for vote_id, key in unit_of.items()}
        for vote in latest.values():
            tally.lines[vote[2] if vote else NOT_VOTED].count += 1
        total = len(latest)
        for line in tally.lines.values():
            line.share = Fraction(line.count, total) if total else Fraction(0)
        return tally._apportioned()

    def _apportioned(self) -> "Tally":
        """Round the lines' percents so that they add up to the rounded total (largest
        remainder): three thirds show 33.33 + 33.33 + 33.34 = 100.00, never 99.99. A tie goes
        to the line listed last, so rounding never flatters "for". Only the display; the exact
        ``share`` decides the outcome.

        Two places, or as many more as it takes to show the majority that decided: 500 003
        millionths "for" is adopted and shows 50.0003%, not a tie of 50.00% next to "podjęta"
        in the outcome letter and the protocol.
        """
        for places in range(2, MAX_PLACES + 1):
            self._apportion(places)
            if not self._rounding_hides_majority():
                break
        return self

    def _apportion(self, places: int) -> None:
        self.places = places
        scale = 10 ** (places + 2)
        units = {key: line.share * scale for key, line in self.lines.items()}
        shown = {key: floor(value) for key, value in units.items()}
        left = int(self.total_share_percent.scaleb(places)) - sum(shown.values())
        by_remainder = sorted(
            self.lines, key=lambda key: (-(units[key] - shown[key]), -KEYS.index(key))
        )
        for key in by_remainder[:left]:
            shown[key] += 1
        for key, line in self.lines.items():
            line.shown = Decimal(shown[key]).scaleb(-places)

    def _rounding_hides_majority(self) -> bool:
        if not self.adopted:
            return False
        if self.unit == MEMBERS:
            return self.for_.percent <= self.against.percent
        return self.for_.percent * 2 <= 100

    @property
    def by_owner(self) -> bool:
        return self.unit == OWNERS

    @property
    def by_member(self) -> bool:
        return self.unit == MEMBERS

    @property
    def by_person(self) -> bool:
        return self.unit in (OWNERS, MEMBERS)

    def __getitem__(self, key: str) -> TallyLine:
        return self.lines[key]

    @property
    def for_(self) -> TallyLine:
        return self.lines[FOR]

    @property
    def against(self) -> TallyLine:
        return self.lines[AGAINST]

    @property
    def abstain(self) -> TallyLine:
        return self.lines[ABSTAIN]

    @property
    def not_voted(self) -> TallyLine:
        return self.lines[NOT_VOTED]

    @property
    def total_share(self) -> Fraction:
        return sum((line.share for line in self.lines.values()), Fraction(0))

    @property
    def total_share_percent(self) -> Decimal:
        return percent(self.total_share, self.places)

    @property
    def total_count(self) -> int:
        return sum(line.count for line in self.lines.values())

    @property
    def adopted(self) -> bool:
        """More than half: exactly half is not a majority."""
        if self.unit == MEMBERS:
            return self.for_.count > self.against.count
        if self.unit == OWNERS:
            return self.for_.count * 2 > self.total_count
        # All shares of the community sum to 1 (checked when the vote opens).
        return self.for_.share * 2 > 1

    def to_json(self) -> dict:
        return {
            "threshold": self.threshold,
            "counting": self.counting,
            "unit": self.unit,
            "lines": {
                k: {"share": f"{v.share.numerator}/{v.share.denominator}", "count": v.count}
                for k, v in self.lines.items()
            },
            "unknown": {
                "share": f"{self.unknown.share.numerator}/{self.unknown.share.denominator}",
                "count": self.unknown.count,
            },
        }

    @classmethod
    def from_json(cls, data: dict) -> "Tally":
        # Results stored before owners were counted as units counted premises.
        tally = cls(
            threshold=data.get("threshold", ALL_SHARES),
            counting=data.get("counting", BY_SHARE),
            unit=data.get("unit", PREMISES),
        )
        for key, line in data["lines"].items():
            tally.lines[key] = TallyLine(key, Fraction(line["share"]), line["count"])
        # Results stored before the unknown owner was told apart have none.
        if unknown := data.get("unknown"):
            tally.unknown = TallyLine("unknown", Fraction(unknown["share"]), unknown["count"])
        return tally._apportioned()
