"""The vote tally: exact share sums (``Fraction``, never float) and counts of premises."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from premises.models import Community

FOR, AGAINST, ABSTAIN, NOT_VOTED = "for", "against", "abstain", "none"
KEYS = (FOR, AGAINST, ABSTAIN, NOT_VOTED)


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

    @classmethod
    def from_rows(cls, rows, *, threshold: str, counting: str) -> "Tally":
        """``rows``: ``(choice or None, denominator, sum of numerators, count)`` from SQL."""
        tally = cls(threshold=threshold, counting=counting)
        for choice, denominator, numerator_sum, count in rows:
            line = tally.lines[choice or NOT_VOTED]
            line.share += Fraction(int(numerator_sum or 0), int(denominator))
            line.count += count
        return tally

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
            "lines": {
                k: {"share": f"{v.share.numerator}/{v.share.denominator}", "count": v.count}
                for k, v in self.lines.items()
            },
        }

    @classmethod
    def from_json(cls, data: dict) -> "Tally":
        tally = cls(threshold=data["threshold"], counting=data["counting"])
        for key, line in data["lines"].items():
            tally.lines[key] = TallyLine(key, Fraction(line["share"]), line["count"])
        return tally
