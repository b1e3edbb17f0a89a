"""Backoff between tries: grows exponentially (with jitter for the sync), is capped,
honours Retry-After; the one rule of the sync, the reader's reconnects and downloads."""

import random

import pytest

from contract.backoff import Backoff, exponential_delay


def test_delays_grow_with_each_failure_up_to_the_cap():
    b = Backoff(base_s=1, cap_s=8, _rng=random.Random(1))
    ceilings = [1, 2, 4, 8, 8, 8]
    for ceiling in ceilings:
        delay = b.failure()
        assert ceiling / 2 <= delay <= ceiling


def test_success_starts_over_from_the_base():
    b = Backoff(base_s=1, cap_s=60)
    for _ in range(5):
        b.failure()
    b.success()
    assert b.failure() <= 1


def test_retry_after_is_honoured_when_longer_than_the_backoff():
    assert Backoff(base_s=0.5).failure(retry_after_s=30) == 30


def test_jitter_spreads_terminals_that_failed_together():
    delays = {Backoff(base_s=1, cap_s=60, _rng=random.Random(seed)).failure() for seed in range(20)}
    assert len(delays) == 20


def test_a_retry_after_is_obeyed_up_to_ten_minutes():
    assert Backoff(base_s=0.5).failure(retry_after_s=500) == 500
    assert Backoff(base_s=0.5).failure(retry_after_s=86400) == 600


def test_without_jitter_delays_double_exactly_from_the_base_up_to_the_cap():
    backoff = Backoff(0.2, 5.0, jitter=False)  # a badge reader's reconnects
    assert [round(backoff.failure(), 3) for _ in range(7)] == [0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0]


def test_without_jitter_success_starts_again_from_the_base():
    backoff = Backoff(0.2, 5.0, jitter=False)
    backoff.failure()
    backoff.failure()
    backoff.success()
    assert backoff.failure() == 0.2


def test_a_base_above_the_cap_is_refused():
    with pytest.raises(ValueError):
        Backoff(10.0, 5.0)


def test_the_pause_after_n_failures_doubles_from_the_first_up_to_the_cap():
    assert [exponential_delay(n, 15.0, 3600.0) for n in (0, 1, 2, 3, 9, 10, 1000)] == [
        0.0, 15.0, 30.0, 60.0, 3600.0, 3600.0, 3600.0]
