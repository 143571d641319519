import pytest
from django.core.cache import cache

from lib import throttle
from lib.throttle import ProgressiveDelay


@pytest.fixture
def clock(monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr(throttle, "_now", lambda: now[0])
    cache.clear()
    yield now
    cache.clear()


def test_delay_doubles_after_the_free_attempts_up_to_the_cap(clock):
    delay = ProgressiveDelay("t", free_attempts=3, base_seconds=1, max_seconds=8)
    assert [delay.delay_after(n) for n in range(8)] == [0, 0, 0, 1, 2, 4, 8, 8]
    for _ in range(3):
        assert delay.wait_seconds("Anna") == 0
        delay.record_failure("anna")
    assert delay.wait_seconds("ANNA ") == 1
    clock[0] += 1
    assert delay.wait_seconds("anna") == 0
    delay.reset("anna")
    delay.record_failure("anna")
    assert delay.wait_seconds("anna") == 0
