"""Sealed boxes: only the private key's holder opens them, for the context they were made for."""

from __future__ import annotations

import pytest

from contract.sealing import (
    OVERHEAD,
    SealError,
    decode_box,
    decode_key,
    encode_box,
    encode_key,
    item_context,
    new_key_pair,
    open_box,
    public_key_of,
    seal,
)

PRIVATE, PUBLIC = new_key_pair()


def test_a_box_opens_with_the_private_key_to_the_same_bytes():
    box = seal(PUBLIC, b"see you at six", item_context("id-1", "message"))
    assert open_box(PRIVATE, box, item_context("id-1", "message")) == b"see you at six"


def test_a_box_does_not_show_its_plaintext_and_costs_a_fixed_overhead():
    box = seal(PUBLIC, b"see you at six", b"ctx")
    assert b"see you" not in box and len(box) == len(b"see you at six") + OVERHEAD


def test_two_boxes_of_the_same_bytes_differ():
    assert seal(PUBLIC, b"same", b"ctx") != seal(PUBLIC, b"same", b"ctx")


def test_another_private_key_does_not_open_a_box():
    other, _ = new_key_pair()
    with pytest.raises(SealError):
        open_box(other, seal(PUBLIC, b"secret", b"ctx"), b"ctx")


def test_a_box_does_not_open_under_another_context():
    box = seal(PUBLIC, b"secret", item_context("id-1", "message"))
    with pytest.raises(SealError):
        open_box(PRIVATE, box, item_context("id-2", "message"))


def test_a_damaged_or_truncated_box_is_refused():
    box = bytearray(seal(PUBLIC, b"secret", b"ctx"))
    box[-1] ^= 1
    for bad in (bytes(box), b"", b"\x02" + bytes(box[1:]), bytes(box[:20])):
        with pytest.raises(SealError):
            open_box(PRIVATE, bad, b"ctx")


def test_keys_and_boxes_survive_their_text_forms():
    assert decode_key(encode_key(PUBLIC)) == PUBLIC == public_key_of(PRIVATE)
    box = seal(PUBLIC, b"x" * 100, b"ctx")
    assert decode_box(encode_box(box)) == box


@pytest.mark.parametrize("text", ["", "not base64!", encode_key(b"short")])
def test_a_key_that_is_not_32_bytes_of_base64_is_refused(text):
    with pytest.raises(ValueError):
        decode_key(text)
