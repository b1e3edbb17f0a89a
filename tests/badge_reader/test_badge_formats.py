"""Site display formats of canonical EM4100 ids, and parsing typed or printed numbers back."""

from __future__ import annotations

import pytest

from badge_reader.formats import (
    FORMAT_NAMES,
    BadgePattern,
    display_formats,
    format_badge,
    parse_badge_number,
)

# canonical id, dec32, facility-card: the vectors of badge-frames.md
VECTORS = [
    ("0F00123456", "0001193046", "018,13398"),
    ("1A0067B3C2", "0006796226", "103,46018"),
    ("0400F1A2B3", "0015835827", "241,41651"),
]


def test_the_three_format_names() -> None:
    assert FORMAT_NAMES == ("hex", "dec32", "facility-card")


@pytest.mark.parametrize(("badge", "dec32", "facility_card"), VECTORS)
def test_display_formats_of_the_reference_vectors(
    badge: str, dec32: str, facility_card: str
) -> None:
    assert display_formats(badge) == {"hex": badge, "dec32": dec32, "facility-card": facility_card}


@pytest.mark.parametrize(("badge", "dec32", "facility_card"), VECTORS)
def test_printed_dec32_number_matches_its_badge(badge: str, dec32: str, facility_card: str) -> None:
    assert parse_badge_number(dec32, "dec32").matches(badge)


@pytest.mark.parametrize(("badge", "dec32", "facility_card"), VECTORS)
def test_printed_facility_card_matches_its_badge(
    badge: str, dec32: str, facility_card: str
) -> None:
    assert parse_badge_number(facility_card, "facility-card").matches(badge)


def test_typed_hex_is_case_insensitive_and_matches_exactly_one_id() -> None:
    pattern = parse_badge_number(" 0f00123456 ", "hex")
    assert pattern == BadgePattern("0F00123456")
    assert pattern.matches("0F00123456")
    assert not pattern.matches("1F00123456")


def test_dec32_without_zero_padding_is_accepted() -> None:
    assert parse_badge_number("1193046", "dec32").matches("0F00123456")


def test_dec32_ignores_the_version_byte_that_is_not_printed_on_the_card() -> None:
    assert parse_badge_number("0001193046", "dec32").matches("AB00123456")


def test_facility_card_matches_only_the_low_24_bits() -> None:
    pattern = parse_badge_number("18, 13398", "facility-card")
    assert pattern.hex_suffix == "123456"
    assert pattern.matches("0F77123456")
    assert not pattern.matches("0F00123457")


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ("4294967296", "dec32"),
        ("12a4", "dec32"),
        ("", "dec32"),
        ("256,00001", "facility-card"),
        ("018,65536", "facility-card"),
        ("018-13398", "facility-card"),
        ("0F0012345", "hex"),
        ("0F0012345G", "hex"),
    ],
)
def test_invalid_numbers_raise_value_error(text: str, fmt: str) -> None:
    with pytest.raises(ValueError):
        parse_badge_number(text, fmt)


def test_parse_errors_do_not_repeat_the_typed_number() -> None:
    with pytest.raises(ValueError) as excinfo:
        parse_badge_number("99999999999", "dec32")
    assert "99999999999" not in str(excinfo.value)


def test_unknown_format_names_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="hex, dec32, facility-card"):
        format_badge("0F00123456", "decimal")


@pytest.mark.parametrize("badge", ["0f00123456", "00123456", "0F00123456FF"])
def test_formatting_requires_a_canonical_id(badge: str) -> None:
    with pytest.raises(ValueError):
        format_badge(badge, "dec32")
