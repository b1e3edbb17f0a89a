"""Reconnect delays: exponential from the initial delay up to the cap."""

from __future__ import annotations

import pytest

from badge_reader.backoff import Backoff


def test_delays_double_from_the_initial_delay_up_to_the_cap() -> None:
    backoff = Backoff(0.2, 5.0)
    delays = [round(backoff.next_delay(), 3) for _ in range(7)]
    assert delays == [0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0]


def test_reset_starts_again_from_the_initial_delay() -> None:
    backoff = Backoff(0.2, 5.0)
    backoff.next_delay()
    backoff.next_delay()
    backoff.reset()
    assert backoff.next_delay() == 0.2


def test_initial_delay_above_the_cap_is_refused() -> None:
    with pytest.raises(ValueError):
        Backoff(10.0, 5.0)
