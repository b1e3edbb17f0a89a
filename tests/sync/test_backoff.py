"""Backoff between tries: grows exponentially with jitter, is capped, honours Retry-After."""

import random

from sync.backoff import Backoff


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
