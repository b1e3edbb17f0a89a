"""Admin PIN hashes: the format, the check, and the hashes refused before any work."""

from __future__ import annotations

import pytest

from contract.pin import (
    LOG2_N,
    MAX_ITERATIONS,
    MAX_LOG2_N,
    PinError,
    check_pin,
    hash_pin,
    is_pin_hash,
)
from kiosk.demo.company import DEMO_ADMIN_PIN, DEMO_ADMIN_PIN_HASH


def test_a_pin_matches_its_own_hash_only():
    stored = hash_pin("482193", log2_n=10)
    assert check_pin("482193", stored) and not check_pin("482194", stored)


def test_two_hashes_of_one_pin_differ_by_their_salt():
    assert hash_pin("482193", log2_n=10) != hash_pin("482193", log2_n=10)


def test_a_new_hash_is_scrypt_at_the_default_cost():
    assert hash_pin("482193").startswith(f"scrypt${LOG2_N}$8$1$")


def test_a_hash_made_before_scrypt_still_checks():
    assert check_pin(DEMO_ADMIN_PIN, DEMO_ADMIN_PIN_HASH)  # pbkdf2_sha256, 4 digits


@pytest.mark.parametrize("pin", ["12345", "123456789", "12a456", "１２３４５６", ""])
def test_a_new_pin_is_six_to_eight_ascii_digits(pin):
    with pytest.raises(PinError):
        hash_pin(pin)


def test_a_scrypt_hash_asking_for_too_much_memory_is_refused_without_running_it():
    costly = f"scrypt${MAX_LOG2_N + 4}$8$1${'00' * 16}${'00' * 32}"
    assert not is_pin_hash(costly) and not check_pin("482193", costly)


def test_a_hash_asking_for_too_many_iterations_is_refused_without_running_them():
    costly = f"pbkdf2_sha256${MAX_ITERATIONS * 20}${'00' * 16}${'00' * 32}"
    assert not is_pin_hash(costly) and not check_pin("1234", costly)


@pytest.mark.parametrize("stored", ["", "1234", "md5$1$aa$bb", "pbkdf2_sha256$x$aa$bb",
                                    "pbkdf2_sha256$60000$$" + "00" * 32])
def test_an_empty_or_damaged_hash_never_matches(stored):
    assert not check_pin("1234", stored)
