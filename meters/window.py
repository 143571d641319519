"""The reading window: when residents may submit meter readings.

A window belongs to a month: it opens on the community's start day of that month and closes on
its end day of the following month (default: 20th to 12th; days 13–19 are closed). Day numbers
past a month's end mean its last day, so "31" works in February. All dates are local dates in
Europe/Warsaw (``timezone.localdate()``); this module is pure date arithmetic.
"""

import calendar
import datetime
from dataclasses import dataclass

from django.utils import timezone

DEFAULT_START_DAY = 20
DEFAULT_END_DAY = 12


@dataclass(frozen=True)
class Window:
    """The window open today, or (when closed) the next one to open."""

    is_open: bool
    opens_on: datetime.date
    closes_on: datetime.date

    def contains(self, day: datetime.date) -> bool:
        return self.opens_on <= day <= self.closes_on


def _shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _clamped(year: int, month: int, day: int) -> datetime.date:
    return datetime.date(year, month, min(max(day, 1), calendar.monthrange(year, month)[1]))


def window_for_month(year: int, month: int, *, start_day: int, end_day: int) -> Window:
    """The window of one month (its readings), open or not; ``is_open`` is left False."""
    next_year, next_month = _shift_month(year, month, 1)
    return Window(
        is_open=False,
        opens_on=_clamped(year, month, start_day),
        closes_on=_clamped(next_year, next_month, end_day),
    )


def window_at(
    today: datetime.date,
    *,
    start_day: int = DEFAULT_START_DAY,
    end_day: int = DEFAULT_END_DAY,
) -> Window:
    """The window containing ``today`` (the latest-opened one), else the next to open."""
    candidates = [
        window_for_month(*_shift_month(today.year, today.month, delta), **_days(start_day, end_day))
        for delta in (-1, 0, 1)
    ]
    open_now = [w for w in candidates if w.contains(today)]
    if open_now:
        current = max(open_now, key=lambda w: w.opens_on)
        return Window(is_open=True, opens_on=current.opens_on, closes_on=current.closes_on)
    upcoming = min((w for w in candidates if w.opens_on > today), key=lambda w: w.opens_on)
    return upcoming


def _days(start_day: int, end_day: int) -> dict:
    return {"start_day": start_day, "end_day": end_day}


def reading_window(community, today: datetime.date | None = None) -> Window:
    """The reading window of a community on ``today`` (the local date by default)."""
    return window_at(
        today or timezone.localdate(),
        start_day=community.reading_window_start_day,
        end_day=community.reading_window_end_day,
    )


def period_month(read_on: datetime.date, *, end_day: int = DEFAULT_END_DAY) -> datetime.date:
    """The month a reading settles (first day): early-month readings close the previous month.

    A reading taken up to the window's end day belongs to the previous month's window, so the
    reading of 3 June closes May.
    """
    if read_on.day <= end_day:
        year, month = _shift_month(read_on.year, read_on.month, -1)
        return datetime.date(year, month, 1)
    return read_on.replace(day=1)
