"""EM4100 frames (RDM6300 and ID-12LA layouts), fed to the protocol byte by byte or in chunks."""

from __future__ import annotations

import logging
import tracemalloc

import pytest

from badge_reader.protocols.em4100 import (
    Em4100Id12Protocol,
    Em4100Protocol,
    em4100_checksum,
    encode_frame,
)

STX, ETX = b"\x02", b"\x03"
# (canonical id, checksum) from badge-frames.md
VECTORS = [("0F00123456", 0x7F), ("1A0067B3C2", 0x0C), ("0400F1A2B3", 0xE4)]


def frame(body: str, *, crlf: bool = False) -> bytes:
    return STX + body.encode() + (b"\r\n" if crlf else b"") + ETX


class Collector:
    def __init__(self, protocol_class: type[Em4100Protocol] = Em4100Protocol) -> None:
        self.reads: list[str] = []
        self.rejects: list[tuple[str, bytes]] = []
        self.protocol = protocol_class(
            lambda read: self.reads.append(read.badge),
            lambda reason, raw: self.rejects.append((reason, raw)),
            clock=lambda: 42.0,
        )

    def feed(self, *chunks: bytes) -> Collector:
        for chunk in chunks:
            self.protocol.data_received(chunk)
        return self

    @property
    def reasons(self) -> list[str]:
        return [reason for reason, _ in self.rejects]


@pytest.mark.parametrize(("badge", "checksum"), VECTORS)
def test_checksum_is_the_xor_of_the_five_data_bytes(badge: str, checksum: int) -> None:
    assert em4100_checksum(badge) == checksum


@pytest.mark.parametrize(("badge", "checksum"), VECTORS)
def test_reference_frame_decodes_to_its_ten_hex_characters(badge: str, checksum: int) -> None:
    collector = Collector().feed(frame(f"{badge}{checksum:02X}"))
    assert collector.reads == [badge]
    assert collector.rejects == []


@pytest.mark.parametrize(("badge", "checksum"), VECTORS)
def test_encode_frame_builds_the_reference_bytes(badge: str, checksum: int) -> None:
    assert encode_frame(badge) == frame(f"{badge}{checksum:02X}")
    assert len(encode_frame(badge)) == 14


def test_read_carries_protocol_raw_frame_and_clock_time() -> None:
    reads = []
    protocol = Em4100Protocol(reads.append, clock=lambda: 12.5)
    protocol.data_received(frame("0F001234567F"))
    (read,) = reads
    assert (read.protocol, read.raw, read.monotonic) == ("em4100", frame("0F001234567F"), 12.5)


def test_id12_variant_with_cr_lf_before_etx_decodes() -> None:
    collector = Collector(Em4100Id12Protocol).feed(frame("0F001234567F", crlf=True))
    assert collector.reads == ["0F00123456"]


def test_id12_frame_is_sixteen_bytes_when_encoded() -> None:
    assert encode_frame("0F00123456", crlf=True) == frame("0F001234567F", crlf=True)


def test_id12_frame_given_to_the_rdm_protocol_is_rejected_as_bad_length() -> None:
    collector = Collector(Em4100Protocol).feed(frame("0F001234567F", crlf=True))
    assert (collector.reads, collector.reasons) == ([], ["bad-length"])


def test_rdm_frame_given_to_the_id12_protocol_is_rejected_as_bad_length() -> None:
    collector = Collector(Em4100Id12Protocol).feed(frame("0F001234567F"))
    assert (collector.reads, collector.reasons) == ([], ["bad-length"])


def test_frame_split_byte_by_byte_decodes_once() -> None:
    data = frame("1A0067B3C20C")
    collector = Collector().feed(*[data[i : i + 1] for i in range(len(data))])
    assert collector.reads == ["1A0067B3C2"]


def test_frames_back_to_back_in_one_chunk_all_decode() -> None:
    collector = Collector().feed(frame("0F001234567F") + frame("1A0067B3C20C") * 2)
    assert collector.reads == ["0F00123456", "1A0067B3C2", "1A0067B3C2"]


def test_lowercase_hex_is_accepted_and_reported_upper_case() -> None:
    collector = Collector().feed(frame("1a0067b3c20c"))
    assert collector.reads == ["1A0067B3C2"]


def test_bad_checksum_is_rejected_with_the_raw_frame() -> None:
    collector = Collector().feed(frame("0F0012345600"))
    assert collector.reads == []
    assert collector.rejects == [("bad-checksum", frame("0F0012345600"))]


def test_non_hex_character_is_rejected() -> None:
    collector = Collector().feed(frame("0F00123G567F"))
    assert (collector.reads, collector.reasons) == ([], ["bad-characters"])


def test_short_frame_is_rejected_as_bad_length() -> None:
    collector = Collector().feed(frame("0F0012347F"))
    assert (collector.reads, collector.reasons) == ([], ["bad-length"])


def test_overlong_frame_is_rejected_once_and_the_next_frame_decodes() -> None:
    collector = Collector().feed(frame("0F001234567F" * 50), frame("0F001234567F"))
    assert collector.reasons == ["bad-length"]
    assert collector.reads == ["0F00123456"]


def test_noise_before_a_frame_is_reported_and_the_frame_still_decodes() -> None:
    collector = Collector().feed(b"\xff\x00garbage", frame("0F001234567F"))
    assert collector.rejects == [("noise", b"\xff\x00garbage")]
    assert collector.reads == ["0F00123456"]


def test_stray_etx_is_reported_and_the_next_frame_decodes() -> None:
    collector = Collector().feed(ETX, frame("0400F1A2B3E4"))
    assert collector.rejects == [("stray-etx", ETX)]
    assert collector.reads == ["0400F1A2B3"]


def test_tail_of_a_frame_whose_start_was_missed_is_rejected_as_stray_etx() -> None:
    # Reader powered (or port opened) in the middle of a frame.
    collector = Collector().feed(b"34567F" + ETX + frame("0F001234567F"))
    assert collector.rejects == [("stray-etx", b"34567F" + ETX)]
    assert collector.reads == ["0F00123456"]


def test_second_stx_inside_an_unfinished_frame_restarts_the_frame() -> None:
    collector = Collector().feed(STX + b"0F0012", frame("1A0067B3C20C"))
    assert collector.rejects == [("restarted", STX + b"0F0012")]
    assert collector.reads == ["1A0067B3C2"]


def test_connection_lost_mid_frame_reports_the_partial_frame_as_truncated() -> None:
    collector = Collector().feed(STX + b"0F00")
    collector.protocol.connection_lost(OSError("unplugged"))
    assert collector.rejects == [("truncated", STX + b"0F00")]


def test_rejects_are_counted_by_reason() -> None:
    collector = Collector().feed(ETX, ETX, frame("0F0012345600"), frame("0F001234567F"))
    assert collector.protocol.reject_counts == {"stray-etx": 2, "bad-checksum": 1}


def test_megabytes_of_noise_use_bounded_memory_and_small_reject_samples() -> None:
    noise = bytes(range(4, 256)) * 256  # 63 KiB chunk without STX or ETX
    reasons: set[str] = set()
    longest_sample = 0
    reads: list[str] = []

    def on_reject(reason: str, raw: bytes) -> None:
        nonlocal longest_sample
        reasons.add(reason)
        longest_sample = max(longest_sample, len(raw))

    protocol = Em4100Protocol(lambda read: reads.append(read.badge), on_reject)
    tracemalloc.start()
    try:
        for _ in range(64):  # ~4 MiB in total
            protocol.data_received(noise)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    protocol.data_received(frame("0F001234567F"))
    assert peak < 256 * 1024  # a few copies of one chunk at most, not the whole stream
    assert (reasons, longest_sample) == ({"noise"}, 64)
    assert reads == ["0F00123456"]


def test_decoding_never_logs_badge_ids(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    Collector().feed(frame("0F001234567F"), frame("0F0012345600"), b"0F00123456" + ETX)
    assert "0F00123456" not in caplog.text
    assert "bad-checksum" in caplog.text  # rejects are logged, without their bytes


def test_megabytes_inside_an_unfinished_frame_use_bounded_memory_and_reject_once() -> None:
    garbage = b"A" * 65536
    rejects: list[tuple[str, int]] = []
    reads: list[str] = []
    protocol = Em4100Protocol(
        lambda read: reads.append(read.badge),
        lambda reason, raw: rejects.append((reason, len(raw))),
    )
    tracemalloc.start()
    try:
        protocol.data_received(STX)
        for _ in range(64):  # 4 MiB without a delimiter
            protocol.data_received(garbage)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    protocol.data_received(ETX + frame("0F001234567F"))
    assert peak < 256 * 1024
    assert rejects == [("bad-length", 14)]  # STX + the 12 bytes kept + ETX
    assert reads == ["0F00123456"]
