"""The reading window across month and year ends and months of 28, 29, 30 and 31 days."""

import calendar
import datetime

import pytest

from lib.reading_window import (
    period_days,
    period_month,
    reading_window,
    window_at,
    window_for_month,
    window_settings_error,
)

D = datetime.date


@pytest.mark.parametrize(
    ("today", "is_open", "opens_on", "closes_on"),
    [
        # Default 20 → 12: days 13–19 closed.
        (D(2025, 5, 19), False, D(2025, 5, 20), D(2025, 6, 12)),
        (D(2025, 5, 20), True, D(2025, 5, 20), D(2025, 6, 12)),
        (D(2025, 5, 31), True, D(2025, 5, 20), D(2025, 6, 12)),
        (D(2025, 6, 1), True, D(2025, 5, 20), D(2025, 6, 12)),
        (D(2025, 6, 12), True, D(2025, 5, 20), D(2025, 6, 12)),
        (D(2025, 6, 13), False, D(2025, 6, 20), D(2025, 7, 12)),
        (D(2025, 6, 1), True, D(2025, 5, 20), D(2025, 6, 12)),
        # Year end: the December window closes in January of the next year.
        (D(2024, 12, 20), True, D(2024, 12, 20), D(2025, 1, 12)),
        (D(2024, 12, 31), True, D(2024, 12, 20), D(2025, 1, 12)),
        (D(2025, 1, 1), True, D(2024, 12, 20), D(2025, 1, 12)),
        (D(2025, 1, 12), True, D(2024, 12, 20), D(2025, 1, 12)),
        (D(2025, 1, 13), False, D(2025, 1, 20), D(2025, 2, 12)),
        (D(2024, 12, 15), False, D(2024, 12, 20), D(2025, 1, 12)),
        # February of 28 and 29 days.
        (D(2025, 2, 28), True, D(2025, 2, 20), D(2025, 3, 12)),
        (D(2024, 2, 29), True, D(2024, 2, 20), D(2024, 3, 12)),
        (D(2025, 3, 1), True, D(2025, 2, 20), D(2025, 3, 12)),
        # 30-day month.
        (D(2025, 4, 30), True, D(2025, 4, 20), D(2025, 5, 12)),
    ],
)
def test_default_window(today, is_open, opens_on, closes_on):
    window = window_at(today, start_day=20, end_day=12)
    assert (window.is_open, window.opens_on, window.closes_on) == (is_open, opens_on, closes_on)


@pytest.mark.parametrize(
    ("today", "start", "end", "is_open", "opens_on", "closes_on"),
    [
        # Day 31 clamps to each month's last day: 28, 29, 30 and 31-day months.
        (D(2025, 2, 27), 31, 5, False, D(2025, 2, 28), D(2025, 3, 5)),
        (D(2025, 2, 28), 31, 5, True, D(2025, 2, 28), D(2025, 3, 5)),
        (D(2024, 2, 28), 31, 5, False, D(2024, 2, 29), D(2024, 3, 5)),
        (D(2024, 2, 29), 31, 5, True, D(2024, 2, 29), D(2024, 3, 5)),
        (D(2025, 4, 29), 31, 5, False, D(2025, 4, 30), D(2025, 5, 5)),
        (D(2025, 4, 30), 31, 5, True, D(2025, 4, 30), D(2025, 5, 5)),
        (D(2025, 1, 31), 31, 5, True, D(2025, 1, 31), D(2025, 2, 5)),
        # A window inside one month ending after the 15th: 25–31 is the month's own window,
        # day 31 being each month's last day.
        (D(2025, 2, 24), 25, 31, False, D(2025, 2, 25), D(2025, 2, 28)),
        (D(2025, 2, 28), 25, 31, True, D(2025, 2, 25), D(2025, 2, 28)),
        (D(2025, 3, 1), 25, 31, False, D(2025, 3, 25), D(2025, 3, 31)),
        (D(2024, 2, 29), 25, 31, True, D(2024, 2, 25), D(2024, 2, 29)),
        (D(2025, 4, 30), 20, 31, True, D(2025, 4, 20), D(2025, 4, 30)),
        (D(2025, 5, 1), 20, 31, False, D(2025, 5, 20), D(2025, 5, 31)),
        (D(2025, 12, 31), 28, 31, True, D(2025, 12, 28), D(2025, 12, 31)),
        (D(2026, 1, 1), 28, 31, False, D(2026, 1, 28), D(2026, 1, 31)),
        # A short window across the year end: 28.12 → 2.01.
        (D(2025, 12, 27), 28, 2, False, D(2025, 12, 28), D(2026, 1, 2)),
        (D(2026, 1, 2), 28, 2, True, D(2025, 12, 28), D(2026, 1, 2)),
        (D(2026, 1, 3), 28, 2, False, D(2026, 1, 28), D(2026, 2, 2)),
    ],
)
def test_window_with_community_days(today, start, end, is_open, opens_on, closes_on):
    window = window_at(today, start_day=start, end_day=end)
    assert (window.is_open, window.opens_on, window.closes_on) == (is_open, opens_on, closes_on)


# Days 1–10 inside one month (the issue: it used to mean 1.06–10.07, always open): the day
# before, the first day, the last day and the day after, in months of 28, 29, 30 and 31 days.
@pytest.mark.parametrize(
    ("today", "is_open", "opens_on", "closes_on"),
    [
        (D(2025, 1, 31), False, D(2025, 2, 1), D(2025, 2, 10)),  # 31-day January
        (D(2025, 2, 1), True, D(2025, 2, 1), D(2025, 2, 10)),
        (D(2025, 2, 10), True, D(2025, 2, 1), D(2025, 2, 10)),
        (D(2025, 2, 11), False, D(2025, 3, 1), D(2025, 3, 10)),
        (D(2025, 2, 28), False, D(2025, 3, 1), D(2025, 3, 10)),  # 28-day February
        (D(2024, 2, 29), False, D(2024, 3, 1), D(2024, 3, 10)),  # 29-day February
        (D(2024, 3, 1), True, D(2024, 3, 1), D(2024, 3, 10)),
        (D(2025, 4, 30), False, D(2025, 5, 1), D(2025, 5, 10)),  # 30-day April
        (D(2025, 5, 10), True, D(2025, 5, 1), D(2025, 5, 10)),
        (D(2025, 5, 11), False, D(2025, 6, 1), D(2025, 6, 10)),
        (D(2025, 12, 31), False, D(2026, 1, 1), D(2026, 1, 10)),  # year end
        (D(2026, 1, 1), True, D(2026, 1, 1), D(2026, 1, 10)),
    ],
)
def test_window_inside_one_month_days_1_to_10(today, is_open, opens_on, closes_on):
    window = window_at(today, start_day=1, end_day=10)
    assert (window.is_open, window.opens_on, window.closes_on) == (is_open, opens_on, closes_on)


@pytest.mark.parametrize(("start", "end"), [(1, 10), (5, 5), (3, 27), (25, 31), (20, 12), (31, 5)])
@pytest.mark.parametrize("year", [2024, 2025])
def test_every_day_is_open_exactly_inside_the_settings(start, end, year):
    day = D(year, 1, 1)
    while day.year == year:
        last = calendar.monthrange(day.year, day.month)[1]
        first_open, last_open = min(start, last), min(end, last)
        if start <= end:
            expected = first_open <= day.day <= last_open
        else:
            expected = day.day >= first_open or day.day <= last_open
        window = window_at(day, start_day=start, end_day=end)
        assert window.is_open == expected, day
        assert window.contains(day) == expected, day
        assert window.opens_on <= window.closes_on
        day += datetime.timedelta(days=1)


@pytest.mark.parametrize(
    ("start", "end", "month", "opens_on", "closes_on"),
    [
        (20, 12, D(2025, 5, 1), D(2025, 5, 20), D(2025, 6, 12)),
        (1, 10, D(2025, 5, 1), D(2025, 6, 1), D(2025, 6, 10)),  # early June readings close May
        (1, 10, D(2025, 1, 1), D(2025, 2, 1), D(2025, 2, 10)),
        (25, 31, D(2025, 2, 1), D(2025, 2, 25), D(2025, 2, 28)),  # late window: its own month
    ],
)
def test_window_for_month_and_period_month_agree(start, end, month, opens_on, closes_on):
    window = window_for_month(month.year, month.month, start_day=start, end_day=end)
    assert (window.opens_on, window.closes_on) == (opens_on, closes_on)
    for day in (opens_on, closes_on):
        assert period_month(day, start_day=start, end_day=end) == month


@pytest.mark.parametrize(
    ("start", "end"), [(20, 12), (1, 10), (5, 5), (3, 27), (25, 31), (31, 5), (30, 29), (16, 15)]
)
def test_period_days_hold_exactly_the_readings_settling_the_month(start, end):
    days = {"start_day": start, "end_day": end}
    day = D(2023, 12, 1)
    while day.year < 2026:
        month = period_month(day, **days)
        first, last = period_days(month.year, month.month, **days)
        assert first <= day <= last, (day, month, first, last)
        if day.day == 1:  # the periods of consecutive months adjoin: no day in two of them
            _, before = period_days(day.year - (day.month == 1), (day.month - 2) % 12 + 1, **days)
            assert period_days(day.year, day.month, **days)[0] == before + datetime.timedelta(1)
        day += datetime.timedelta(days=1)
    assert period_days(2025, 5, start_day=20, end_day=12) == (D(2025, 5, 13), D(2025, 6, 12))
    assert period_days(2024, 12, start_day=20, end_day=12) == (D(2024, 12, 13), D(2025, 1, 12))


@pytest.mark.parametrize(
    ("start", "end"),
    [(20, 12), (1, 10), (1, 1), (31, 5), (25, 31), (2, 31), (1, 27), (28, 26), (15, 13)],
)
def test_sensible_window_settings_pass(start, end):
    assert window_settings_error(start_day=start, end_day=end) is None


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (13, 12, "nie zostawia ani jednego dnia bez odczytów w miesiącu 28-dniowym"),
        (21, 20, "nie zostawia ani jednego dnia"),
        (1, 31, "nie zostawia ani jednego dnia"),
        (1, 28, "w miesiącu 28-dniowym"),  # all of February
        (1, 30, "w miesiącu 28-dniowym"),
        (31, 30, "w miesiącu 28-dniowym"),
        (29, 27, "w miesiącu 28-dniowym"),  # 28.02 opens, 27.02 closes: no gap in February
        (0, 12, "od 1 do 31"),
        (20, 0, "od 1 do 31"),
        (32, 12, "od 1 do 31"),
        (20, 40, "od 1 do 31"),
    ],
)
def test_nonsense_window_settings_are_refused(start, end, message):
    assert message in str(window_settings_error(start_day=start, end_day=end))


@pytest.mark.parametrize("year", [2023, 2024, 2025, 2026])
def test_every_day_of_a_year_is_open_exactly_outside_days_13_to_19(year):
    day = D(year, 1, 1)
    while day.year == year:
        window = window_at(day, start_day=20, end_day=12)
        assert window.is_open == (not 13 <= day.day <= 19), day
        if window.is_open:
            assert window.contains(day)
        else:
            assert window.opens_on > day and window.opens_on.day == 20
        day += datetime.timedelta(days=1)


def test_reading_window_uses_community_settings(community):
    community.reading_window_start_day = 25
    community.reading_window_end_day = 5
    window = reading_window(community, D(2025, 5, 22))
    assert not window.is_open
    assert window.opens_on == D(2025, 5, 25)


def test_reading_window_defaults_to_local_date_in_warsaw(community, freeze_today):
    freeze_today(D(2025, 6, 12))
    assert reading_window(community).is_open
    freeze_today(D(2025, 6, 13))
    assert not reading_window(community).is_open


@pytest.mark.parametrize(
    ("read_on", "month"),
    [
        (D(2025, 6, 3), D(2025, 5, 1)),
        (D(2025, 6, 12), D(2025, 5, 1)),
        (D(2025, 6, 13), D(2025, 6, 1)),
        (D(2025, 5, 25), D(2025, 5, 1)),
        (D(2025, 1, 5), D(2024, 12, 1)),
    ],
)
def test_period_month(read_on, month):
    assert period_month(read_on, end_day=12) == month
    assert period_month(read_on, start_day=20, end_day=12) == month
