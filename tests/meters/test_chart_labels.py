import datetime
from decimal import Decimal

from meters.charts import consumption_chart
from meters.selectors import MonthConsumption


def _months(first: datetime.date, count: int) -> list[MonthConsumption]:
    months, day = [], first
    for _ in range(count):
        months.append(MonthConsumption(month=day, consumption=Decimal("3")))
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    return months


def test_year_labels_never_run_together_on_a_narrow_chart():
    # December 2025 first, January 2026 next: both years used to print as "20252026".
    chart = consumption_chart(_months(datetime.date(2025, 12, 1), 14), decimal_places=1)
    labelled = [(bar.year_label, float(bar.x)) for bar in chart.bars if bar.year_label]
    assert [label for label, _ in labelled] == ["2026", "2027"]
    assert all(b[1] - a[1] >= 28 for a, b in zip(labelled, labelled[1:], strict=False))


def test_first_bar_keeps_its_year_when_there_is_room():
    chart = consumption_chart(_months(datetime.date(2025, 6, 1), 12), decimal_places=1)
    assert [bar.year_label for bar in chart.bars if bar.year_label] == ["2025", "2026"]
