"""The reading window across month and year ends and months of 28, 29, 30 and 31 days."""

import datetime

import pytest

from meters.window import period_month, reading_window, window_at

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
    window = window_at(today)
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
        # End day 30 in a February closes on its last day (28 or 29); windows overlap when
        # the end day is late, and the latest-opened one is current.
        (D(2025, 2, 27), 30, 30, True, D(2025, 1, 30), D(2025, 2, 28)),
        (D(2024, 2, 28), 30, 30, True, D(2024, 1, 30), D(2024, 2, 29)),
        (D(2024, 2, 29), 30, 30, True, D(2024, 2, 29), D(2024, 3, 30)),
        (D(2025, 2, 28), 25, 31, True, D(2025, 2, 25), D(2025, 3, 31)),
        (D(2025, 4, 30), 20, 31, True, D(2025, 4, 20), D(2025, 5, 31)),
        (D(2025, 12, 31), 28, 31, True, D(2025, 12, 28), D(2026, 1, 31)),
        (D(2026, 1, 31), 28, 31, True, D(2026, 1, 28), D(2026, 2, 28)),
        # Overlapping windows (1 → 31) are always open; the current one opened latest.
        (D(2025, 5, 15), 1, 31, True, D(2025, 5, 1), D(2025, 6, 30)),
        (D(2025, 1, 1), 1, 31, True, D(2025, 1, 1), D(2025, 2, 28)),
        # A short window across the year end: 28.12 → 2.01.
        (D(2025, 12, 27), 28, 2, False, D(2025, 12, 28), D(2026, 1, 2)),
        (D(2026, 1, 2), 28, 2, True, D(2025, 12, 28), D(2026, 1, 2)),
        (D(2026, 1, 3), 28, 2, False, D(2026, 1, 28), D(2026, 2, 2)),
    ],
)
def test_window_with_community_days(today, start, end, is_open, opens_on, closes_on):
    window = window_at(today, start_day=start, end_day=end)
    assert (window.is_open, window.opens_on, window.closes_on) == (is_open, opens_on, closes_on)


@pytest.mark.parametrize("year", [2023, 2024, 2025, 2026])
def test_every_day_of_a_year_is_open_exactly_outside_days_13_to_19(year):
    day = D(year, 1, 1)
    while day.year == year:
        window = window_at(day)
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
