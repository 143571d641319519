"""The one Polish working-day calendar of the product.

Art. 115 k.c.: a deadline that falls on a Saturday, a Sunday or a public holiday ends on the next
working day. Every due day, arrears count, reminder and legal deadline in Strefa goes through
these functions, so the calendar is the same everywhere (public holidays from the ``holidays``
package, including 24 December from 2025).
"""

from __future__ import annotations

import datetime
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.Poland(years=year).keys())


def is_working_day(day: datetime.date) -> bool:
    """Monday to Friday and not a Polish public holiday."""
    return day.weekday() < 5 and day not in _holidays(day.year)


def next_working_day_on_or_after(day: datetime.date) -> datetime.date:
    """The day itself if it is a working day, else the next working day (art. 115 k.c.)."""
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def deadline(day: datetime.date) -> datetime.date:
    """The last day to act on a deadline nominally falling on ``day`` (art. 115 k.c.)."""
    return next_working_day_on_or_after(day)


def is_overdue(due: datetime.date, on: datetime.date) -> bool:
    """True when a payment due on ``due`` is late on ``on``: the (moved) deadline has passed.

    Due Sunday 10.05.2026 → the deadline is Monday 11.05, so it is late from Tuesday 12.05.
    """
    return on > deadline(due)


def last_nominal_due_date_overdue_on(on: datetime.date) -> datetime.date:
    """The latest nominal due date that is overdue on ``on``, for filtering in SQL.

    A charge with ``due_date <= result`` is overdue on ``on``; one after it is not. Since
    ``deadline`` is monotonic, walk back from the day before ``on`` until the moved deadline of
    that day falls before ``on``.
    """
    day = on - datetime.timedelta(days=1)
    while deadline(day) >= on:
        day -= datetime.timedelta(days=1)
    return day


def last_nominal_due_date_due_on(on: datetime.date) -> datetime.date:
    """The latest nominal due date that is due (payable now) on ``on``, for filtering in SQL.

    A charge with ``due_date <= result`` has its (moved) deadline on ``on`` or before it; one
    after it is not yet due: due Saturday 10.10.2026, it is due from Monday 12.10.
    """
    return last_nominal_due_date_overdue_on(on + datetime.timedelta(days=1))


def add_weeks_deadline(start: datetime.date, weeks: int) -> datetime.date:
    """A deadline of ``weeks`` weeks from ``start`` (art. 112 k.c.), moved off a day off."""
    return deadline(start + datetime.timedelta(weeks=weeks))


def add_days_not_counting_first(start: datetime.date, days: int) -> datetime.date:
    """The day on which a period of ``days`` days counted from the event on ``start`` ends.

    Art. 111 §2 k.c.: the day of the event is not counted, so 14 days from 1.09 end on 15.09.
    """
    return start + datetime.timedelta(days=days)
