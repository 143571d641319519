"""Geometry of the consumption bar chart, drawn as server-side SVG by the meter page.

Coordinates are pre-formatted strings with a decimal point, so template localisation (decimal
comma) cannot break the SVG.
"""

from dataclasses import dataclass, replace
from decimal import Decimal

from django.utils import formats

from .selectors import MonthConsumption

WIDTH = 360
HEIGHT = 200
TOP = 22  # room for the value above the tallest bar
BOTTOM = 34  # room for month labels and, under January and the first month, the year
LEFT = 4
RIGHT = 4
YEAR_LABEL_WIDTH = 28  # "2025" at the year labels' font size, in viewBox units


@dataclass(frozen=True)
class Bar:
    x: str
    y: str
    width: str
    height: str
    label_x: str
    label: str  # "05"
    year_label: str  # "2025" under the first bar and every January where it fits, else ""
    value: str  # localised, e.g. "3,250"
    month: object
    is_peak: bool
    value_y: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    baseline_y: str
    label_y: str
    year_y: str
    bars: list[Bar]
    total: str
    peak: Bar | None


def _fmt(number: float) -> str:
    return f"{number:.1f}"


def _with_year_labels(bars: list[Bar], months: list[MonthConsumption]) -> list[Bar]:
    """The year under the first bar and under every January, unless it would run into the
    next year label (on a narrow chart "2025" and "2026" side by side read "20252026"); a
    January's label wins over the first bar's."""
    wanted = [i for i, m in enumerate(months) if i == 0 or m.month.month == 1]
    kept = []
    next_x = float("inf")
    for index in reversed(wanted):
        x = float(bars[index].x)
        if x + YEAR_LABEL_WIDTH <= next_x:
            kept.append(index)
            next_x = x
    return [
        replace(bar, year_label=str(months[i].month.year)) if i in kept else bar
        for i, bar in enumerate(bars)
    ]


def consumption_chart(months: list[MonthConsumption], *, decimal_places: int) -> Chart | None:
    """Bars for consumption per month; None when there is nothing to draw."""
    if not months:
        return None
    highest = max(m.consumption for m in months)
    plot_height = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / len(months)
    bar_width = slot * 0.7
    baseline = HEIGHT - BOTTOM
    bars = []
    peak_index = next(i for i, m in enumerate(months) if m.consumption == highest)
    for index, item in enumerate(months):
        ratio = float(item.consumption / highest) if highest > 0 else 0.0
        height = plot_height * ratio
        if item.consumption > 0:
            height = max(height, 1.0)  # a tiny but real consumption stays visible
        x = LEFT + index * slot + (slot - bar_width) / 2
        bars.append(
            Bar(
                x=_fmt(x),
                y=_fmt(baseline - height),
                width=_fmt(bar_width),
                height=_fmt(height),
                label_x=_fmt(x + bar_width / 2),
                label=item.month.strftime("%m"),
                year_label="",
                value=formats.number_format(item.consumption, decimal_places, use_l10n=True),
                month=item.month,
                is_peak=highest > 0 and index == peak_index,
                value_y=_fmt(baseline - height - 6),
            )
        )
    bars = _with_year_labels(bars, months)
    peak = next((bar for bar in bars if bar.is_peak), None)
    total = sum((m.consumption for m in months), Decimal(0))
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        baseline_y=_fmt(baseline),
        label_y=_fmt(baseline + 13),
        year_y=_fmt(baseline + 27),
        bars=bars,
        total=formats.number_format(total, decimal_places, use_l10n=True),
        peak=peak,
    )
