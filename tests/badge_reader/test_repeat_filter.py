"""Duplicate suppression while a card stays on the reader (driven by a fake clock)."""

from __future__ import annotations

import pytest

from badge_reader.repeat import RepeatFilter
from tests.support.clocks_and_loops import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_first_frame_of_a_badge_is_a_new_read(clock: FakeClock) -> None:
    assert RepeatFilter(1.0, clock).accept("0F00123456")


def test_card_held_for_ten_seconds_with_frames_every_half_second_reads_once(
    clock: FakeClock,
) -> None:
    repeats = RepeatFilter(1.0, clock)
    accepted = []
    for _ in range(20):
        accepted.append(repeats.accept("0F00123456"))
        clock.now += 0.5
    assert accepted == [True] + [False] * 19


def test_card_presented_again_after_the_window_reads_again(clock: FakeClock) -> None:
    repeats = RepeatFilter(1.0, clock)
    repeats.accept("0F00123456")
    clock.now += 1.2
    assert repeats.accept("0F00123456")


def test_card_presented_again_within_the_window_does_not_read(clock: FakeClock) -> None:
    repeats = RepeatFilter(1.0, clock)
    repeats.accept("0F00123456")
    clock.now += 0.9
    assert not repeats.accept("0F00123456")


def test_another_badge_reads_at_once(clock: FakeClock) -> None:
    repeats = RepeatFilter(1.0, clock)
    repeats.accept("0F00123456")
    assert repeats.accept("1A0067B3C2")


def test_explicit_timestamp_overrides_the_clock(clock: FakeClock) -> None:
    repeats = RepeatFilter(1.0, clock)
    repeats.accept("0F00123456", at=5.0)
    assert not repeats.accept("0F00123456", at=5.5)
    assert repeats.accept("0F00123456", at=7.0)


def test_zero_window_reports_every_frame(clock: FakeClock) -> None:
    repeats = RepeatFilter(0.0, clock)
    assert repeats.accept("0F00123456") and repeats.accept("0F00123456")


def test_negative_window_is_refused() -> None:
    with pytest.raises(ValueError):
        RepeatFilter(-1.0)
