import datetime

import pytest

from lib import workdays

D = datetime.date


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 5, 8), True),  # Friday
        (D(2026, 5, 9), False),  # Saturday
        (D(2026, 5, 10), False),  # Sunday
        (D(2026, 11, 11), False),  # Independence Day
        (D(2026, 12, 24), False),  # Christmas Eve, a holiday from 2025
        (D(2024, 12, 24), True),  # ...but not before
        (D(2026, 11, 12), True),
    ],
)
def test_is_working_day(day, expected):
    assert workdays.is_working_day(day) is expected


def test_deadline_moves_off_weekend_and_holiday():
    assert workdays.deadline(D(2026, 5, 10)) == D(2026, 5, 11)  # Sunday → Monday
    assert workdays.deadline(D(2026, 5, 9)) == D(2026, 5, 11)  # Saturday → Monday
    assert workdays.deadline(D(2026, 11, 11)) == D(2026, 11, 12)  # holiday → Thursday
    assert workdays.deadline(D(2026, 5, 12)) == D(2026, 5, 12)  # working day stays


def test_is_overdue_counts_from_the_day_after_the_moved_deadline():
    due = D(2026, 5, 10)  # Sunday
    assert not workdays.is_overdue(due, D(2026, 5, 10))
    assert not workdays.is_overdue(due, D(2026, 5, 11))
    assert workdays.is_overdue(due, D(2026, 5, 12))
    assert not workdays.is_overdue(D(2026, 11, 11), D(2026, 11, 12))
    assert workdays.is_overdue(D(2026, 11, 11), D(2026, 11, 13))
    # A working-day due date is not overdue on the day itself, overdue the day after.
    assert not workdays.is_overdue(D(2026, 5, 12), D(2026, 5, 12))
    assert workdays.is_overdue(D(2026, 5, 12), D(2026, 5, 13))


def test_last_nominal_due_date_overdue_on_agrees_with_is_overdue():
    for offset in range(0, 400):
        on = D(2026, 1, 1) + datetime.timedelta(days=offset)
        cutoff = workdays.last_nominal_due_date_overdue_on(on)
        for back in range(0, 12):
            due = on - datetime.timedelta(days=back)
            assert workdays.is_overdue(due, on) is (due <= cutoff), (due, on)


def test_last_nominal_due_date_due_on_agrees_with_the_moved_deadline():
    for offset in range(0, 400):
        on = D(2026, 1, 1) + datetime.timedelta(days=offset)
        cutoff = workdays.last_nominal_due_date_due_on(on)
        for back in range(-3, 12):
            due = on - datetime.timedelta(days=back)
            assert (workdays.deadline(due) <= on) is (due <= cutoff), (due, on)


def test_six_weeks_from_saturday_moves_to_monday():
    # Notified Saturday 28.11.2026: 6 weeks end Saturday 9.01.2027 → Monday 11.01.2027.
    assert workdays.add_weeks_deadline(D(2026, 11, 28), 6) == D(2027, 1, 11)


def test_fourteen_days_do_not_count_the_first_day():
    assert workdays.add_days_not_counting_first(D(2026, 9, 1), 14) == D(2026, 9, 15)
