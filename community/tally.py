"""The vote tally: exact share sums (``Fraction``, never float) and counts.

Two ways of counting (``Community.vote_counting``, art. 23 ust. 2 ustawy o własności lokali):

- by shares: every premises votes with its share; counts are counts of premises;
- one owner – one vote: the voting unit is an *owner*, i.e. the set of people currently owning
  a premises (owner, co-owners or cooperative members acting jointly). Premises with the very
  same owner set form one unit: one person with three flats has one vote, and so has a married
  couple co-owning two flats. A unit votes with the vote cast for any of its premises; when its
  premises carry different votes, the most recent one counts.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from premises.models import Community

FOR, AGAINST, ABSTAIN, NOT_VOTED = "for", "against", "abstain", "none"
KEYS = (FOR, AGAINST, ABSTAIN, NOT_VOTED)

# What ``TallyLine.count`` counts.
PREMISES, OWNERS = "premises", "owners"


def percent(value: Fraction, places: int = 2) -> Decimal:
    """``Fraction`` → percent rounded half-up, e.g. ``Fraction(1, 3)`` → ``Decimal("33.33")``."""
    exact = Decimal(value.numerator * 100) / Decimal(value.denominator)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@dataclass
class TallyLine:
    key: str
    share: Fraction = Fraction(0)
    count: int = 0

    @property
    def percent(self) -> Decimal:
        return percent(self.share)

    @property
    def share_display(self) -> str:
        if self.share.denominator == 1:
            return str(self.share.numerator)
        return f"{self.share.numerator}/{self.share.denominator}"


@dataclass
class Tally:
    """Shares and counts per choice; ``adopted`` applies the community's threshold setting."""

    threshold: str = Community.VoteThreshold.ALL_SHARES
    counting: str = Community.VoteCounting.BY_SHARE
    lines: dict[str, TallyLine] = field(default_factory=lambda: {k: TallyLine(k) for k in KEYS})
    # ``OWNERS``: lines count owners and ``share`` is the fraction of all owners (per owner).
    unit: str = PREMISES

    @classmethod
    def from_rows(cls, rows, *, threshold: str, counting: str) -> "Tally":
        """``rows``: ``(choice or None, denominator, sum of numerators, count)`` from SQL."""
        tally = cls(threshold=threshold, counting=counting)
        for choice, denominator, numerator_sum, count in rows:
            line = tally.lines[choice or NOT_VOTED]
            line.share += Fraction(int(numerator_sum or 0), int(denominator))
            line.count += count
        return tally

    @classmethod
    def per_owner(
        cls,
        owner_rows: Iterable[tuple[int, int | None]],
        vote_rows: Iterable[tuple[int, str, object, int]],
        *,
        threshold: str,
    ) -> "Tally":
        """One owner – one vote.

        ``owner_rows``: ``(premises_id, user_id or None)`` for every premises of the community,
        one row per current owner (``None``: no owner on record; such a premises is its own
        unit). ``vote_rows``: ``(premises_id, choice, cast_at, vote_id)``.
        """
        owners: dict[int, set[int]] = {}
        for premises_id, user_id in owner_rows:
            people = owners.setdefault(premises_id, set())
            if user_id is not None:
                people.add(user_id)
        units: dict[object, object] = {}
        for premises_id, people in owners.items():
            units[premises_id] = frozenset(people) if people else ("premises", premises_id)
        latest: dict[object, tuple | None] = dict.fromkeys(units.values())
        for premises_id, choice, cast_at, vote_id in vote_rows:
            unit = units.get(premises_id)
            if unit is None:
                continue  # not a premises of the community (cannot happen: votes are checked)
            if latest[unit] is None or (cast_at, vote_id) > latest[unit][:2]:
                latest[unit] = (cast_at, vote_id, choice)
        tally = cls(threshold=threshold, counting=Community.VoteCounting.PER_OWNER, unit=OWNERS)
        for vote in latest.values():
            tally.lines[vote[2] if vote else NOT_VOTED].count += 1
        total = len(latest)
        for line in tally.lines.values():
            line.share = Fraction(line.count, total) if total else Fraction(0)
        return tally

    @property
    def by_owner(self) -> bool:
        return self.unit == OWNERS

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
    def total_count(self) -> int:
        return sum(line.count for line in self.lines.values())

    @property
    def voted_count(self) -> int:
        return self.total_count - self.not_voted.count

    def _weights(self) -> tuple[Fraction, Fraction]:
        """("for" weight, the base it must exceed half of) by the community's settings."""
        by_count = self.counting == Community.VoteCounting.PER_OWNER
        weight = (lambda line: Fraction(line.count)) if by_count else (lambda line: line.share)
        voted = weight(self.for_) + weight(self.against) + weight(self.abstain)
        if self.threshold == Community.VoteThreshold.VOTED_SHARES:
            base = voted
        else:
            base = voted + weight(self.not_voted)
        return weight(self.for_), base

    @property
    def adopted(self) -> bool:
        """More than half: exactly half is not a majority."""
        votes_for, base = self._weights()
        return base > 0 and votes_for * 2 > base

    def to_json(self) -> dict:
        return {
            "threshold": self.threshold,
            "counting": self.counting,
            "unit": self.unit,
            "lines": {
                k: {"share": f"{v.share.numerator}/{v.share.denominator}", "count": v.count}
                for k, v in self.lines.items()
            },
        }

    @classmethod
    def from_json(cls, data: dict) -> "Tally":
        # Results stored before owners were counted as units counted premises.
        tally = cls(
            threshold=data["threshold"],
            counting=data["counting"],
            unit=data.get("unit", PREMISES),
        )
        for key, line in data["lines"].items():
            tally.lines[key] = TallyLine(key, Fraction(line["share"]), line["count"])
        return tally
