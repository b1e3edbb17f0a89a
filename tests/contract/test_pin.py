"""Admin PIN hashes: the format, the check, and the hashes refused before any work."""

from __future__ import annotations

import pytest

from contract.pin import MAX_ITERATIONS, PinError, check_pin, hash_pin, is_pin_hash


def test_a_pin_matches_its_own_hash_only():
    stored = hash_pin("4821", iterations=1_000)
    assert check_pin("4821", stored) and not check_pin("4822", stored)


def test_two_hashes_of_one_pin_differ_by_their_salt():
    assert hash_pin("4821", iterations=1_000) != hash_pin("4821", iterations=1_000)


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", "１２３４", ""])
def test_a_pin_is_four_to_eight_ascii_digits(pin):
    with pytest.raises(PinError):
        hash_pin(pin)


def test_a_hash_asking_for_too_many_iterations_is_refused_without_running_them():
    costly = f"pbkdf2_sha256${MAX_ITERATIONS * 20}${'00' * 16}${'00' * 32}"
    assert not is_pin_hash(costly) and not check_pin("1234", costly)


@pytest.mark.parametrize("stored", ["", "1234", "md5$1$aa$bb", "pbkdf2_sha256$x$aa$bb",
                                    "pbkdf2_sha256$60000$$" + "00" * 32])
def test_an_empty_or_damaged_hash_never_matches(stored):
    assert not check_pin("1234", stored)
