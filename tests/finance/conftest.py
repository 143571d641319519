import datetime

import pytest

from tests.factories import add_charge


@pytest.fixture
def may_2025(premises):
    """The May 2025 advance of 350,27 zł, due on the community's day (10th by default)."""
    return add_charge(premises, "350.27", datetime.date(2025, 5, 10))
