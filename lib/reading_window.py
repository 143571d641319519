"""The reading window: when residents may submit meter readings.

A community sets a start day and an end day, and the window has one of two shapes:

- it spans into the next month when the start day is after the end day: 20 → 12 (the default)
  opens on the 20th and closes on the 12th of the next month; days 13–19 are closed;
- it lies inside one month when the start day is not after the end day: 1–10 opens on the 1st
  and closes on the 10th of the same month; days 11 to the month's end are closed.

Each window settles one month (its readings close that month's consumption): a window spanning
into the next month settles the month it opens in; a window inside one month settles the month
before when it ends by the 15th (readings at the start of June close May, as 20 → 12 does), and
its own month when it ends later (25–31 of June settles June). ``window_for_month`` returns the
window that settles a month. Day numbers past a month's end mean its last day, so "31" works in
February. All dates are local dates in Europe/Warsaw (``timezone.localdate()``); this module is
pure date arithmetic.
"""

import calendar
import datetime
from dataclasses import dataclass
from functools import lru_cache

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DEFAULT_START_DAY = 20
DEFAULT_END_DAY = 12
# A window inside one month that ends by this day collects the readings closing the month before.
MID_MONTH_DAY = 15


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


def spans_next_month(*, start_day: int, end_day: int) -> bool:
    """True for the 20 → 12 shape (closes in the next month), False for 1–10 (inside a month)."""
    return start_day > end_day


def _settles_previous_month(*, start_day: int, end_day: int) -> bool:
    """Whether readings taken up to the end day close the month before the one they are in."""
    return spans_next_month(start_day=start_day, end_day=end_day) or end_day <= MID_MONTH_DAY


def window_for_month(year: int, month: int, *, start_day: int, end_day: int) -> Window:
    """The window whose readings settle one month, open or not; ``is_open`` is left False.

    20 → 12 for May: 20.05–12.06; 1–10 for May: 1.06–10.06; 25–31 for May: 25.05–31.05.
    """
    if spans_next_month(start_day=start_day, end_day=end_day):
        next_year, next_month = _shift_month(year, month, 1)
        return Window(
            is_open=False,
            opens_on=_clamped(year, month, start_day),
            closes_on=_clamped(next_year, next_month, end_day),
        )
    if _settles_previous_month(start_day=start_day, end_day=end_day):
        year, month = _shift_month(year, month, 1)
    return Window(
        is_open=False,
        opens_on=_clamped(year, month, start_day),
        closes_on=_clamped(year, month, end_day),
    )


# Pure and asked once per meter on the meter pages (a landlord's 50 meters, issue 17): the
# few (day, start, end) combinations of a day are kept; Window is frozen, so sharing is safe.
@lru_cache(maxsize=512)
def window_at(today: datetime.date, *, start_day: int, end_day: int) -> Window:
    """The window containing ``today`` (the latest-opened one), else the next to open.

    The days are required: every caller names the community's own (``reading_window``); a
    default here let the office dashboard count the 20 → 12 window for every community."""
    candidates = [
        window_for_month(*_shift_month(today.year, today.month, delta), **_days(start_day, end_day))
        for delta in (-2, -1, 0, 1)
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


@lru_cache(maxsize=512)
def latest_window_at(today: datetime.date, *, start_day: int, end_day: int) -> Window:
    """The window open on ``today``, else the last one that closed before it: the readings the
    office is collecting now, or has just collected."""
    window = window_at(today, start_day=start_day, end_day=end_day)
    if window.is_open:
        return window
    candidates = [
        window_for_month(*_shift_month(today.year, today.month, delta), **_days(start_day, end_day))
        for delta in (-2, -1, 0)
    ]
    return max((w for w in candidates if w.closes_on < today), key=lambda w: w.opens_on)


def latest_reading_window(community, today: datetime.date | None = None) -> Window:
    """``latest_window_at`` with a community's window days."""
    return latest_window_at(
        today or timezone.localdate(),
        start_day=community.reading_window_start_day,
        end_day=community.reading_window_end_day,
    )


def period_month(
    read_on: datetime.date, *, end_day: int = DEFAULT_END_DAY, start_day: int | None = None
) -> datetime.date:
    """The month a reading settles (first day): early-month readings close the previous month.

    A reading taken up to the window's end day belongs to the previous month's window, so the
    reading of 3 June closes May (20 → 12, and 1–10 alike). A window inside one month that ends
    after the 15th (25–31) settles its own month. Without ``start_day`` the window spans into
    the next month.
    """
    shape = _days(start_day if start_day is not None else end_day + 1, end_day)
    if read_on.day <= end_day and _settles_previous_month(**shape):
        year, month = _shift_month(read_on.year, read_on.month, -1)
        return datetime.date(year, month, 1)
    return read_on.replace(day=1)


def period_days(
    year: int, month: int, *, start_day: int, end_day: int
) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the readings that settle one month (``period_month`` of each
    is that month): the month's window and the office's readings since the previous window
    closed. 20 → 12 for May: 13.05–12.06; 1–10 for May: 11.05–10.06; 25–31 for May: May."""
    if not _settles_previous_month(start_day=start_day, end_day=end_day):
        return datetime.date(year, month, 1), _clamped(year, month, 31)
    next_year, next_month = _shift_month(year, month, 1)
    first = _clamped(year, month, end_day) + datetime.timedelta(days=1)
    return first, _clamped(next_year, next_month, end_day)


def window_settings_error(*, start_day: int, end_day: int) -> str | None:
    """Why a community's window days make no sense (Polish), or None when they are fine.

    Each day is 1–31, and every month, February included, keeps at least one day closed: a
    window that is always open (20 → 19, 1–31) is a mistake, not a setting.
    """
    if not (1 <= start_day <= 31 and 1 <= end_day <= 31):
        return _("Dzień początku i dzień końca okna odczytów muszą być liczbami od 1 do 31.")
    for length in (28, 29, 30, 31):
        start, end = min(start_day, length), min(end_day, length)
        if spans_next_month(start_day=start_day, end_day=end_day):
            closed = start - end - 1
        else:
            closed = length - (end - start + 1)
        if closed < 1:
            return _(
                "Okno odczytów od dnia %(start)s do dnia %(end)s nie zostawia ani jednego dnia "
                "bez odczytów w miesiącu %(length)s-dniowym. Okno w jednym miesiącu podaj jako "
                "np. 1–10 (początek nie później niż koniec), a okno przechodzące na następny "
                "miesiąc jako np. 20–12, z co najmniej jednym dniem przerwy, także w lutym."
            ) % {"start": start_day, "end": end_day, "length": length}
    return None
