"""Line-based readers: USB serial readers and Wiegand-to-serial converters (hex or decimal)."""

from __future__ import annotations

import tracemalloc

import pytest

from badge_reader.protocols.line import LineProtocol, decode_line, encode_line


class Collector:
    def __init__(self, *, base: int = 16, reverse_bytes: bool = False) -> None:
        self.reads: list[str] = []
        self.rejects: list[tuple[str, bytes]] = []
        self.protocol = LineProtocol(
            lambda read: self.reads.append(read.badge),
            lambda reason, raw: self.rejects.append((reason, raw)),
            base=base,
            reverse_bytes=reverse_bytes,
        )

    def feed(self, *chunks: bytes) -> Collector:
        for chunk in chunks:
            self.protocol.data_received(chunk)
        return self

    @property
    def reasons(self) -> list[str]:
        return [reason for reason, _ in self.rejects]


def test_wie232_hex_line_terminated_by_cr_is_read_as_sent() -> None:
    assert Collector(base=16).feed(b"01E256\r").reads == ["01E256"]


def test_s4a_decimal_line_with_cr_lf_keeps_its_leading_zeros() -> None:
    assert Collector(base=10).feed(b"0000123478\r\n").reads == ["0000123478"]


@pytest.mark.parametrize("terminator", [b"\r", b"\n", b"\r\n"], ids=["CR", "LF", "CRLF"])
def test_each_terminator_ends_exactly_one_read(terminator: bytes) -> None:
    collector = Collector().feed((b"0F00123456" + terminator) * 2)
    assert collector.reads == ["0F00123456", "0F00123456"]
    assert collector.rejects == []


def test_read_names_its_protocol_and_keeps_the_raw_line() -> None:
    reads = []
    LineProtocol(reads.append, base=10).data_received(b"0000123478\r\n")
    assert (reads[0].protocol, reads[0].raw) == ("line-dec", b"0000123478\r")


def test_lowercase_hex_is_reported_upper_case() -> None:
    assert Collector().feed(b"4cdda15f\n").reads == ["4CDDA15F"]


def test_reverse_bytes_reverses_a_mifare_uid() -> None:
    assert Collector(reverse_bytes=True).feed(b"4CDDA15F\r\n").reads == ["5FA1DD4C"]


def test_reverse_bytes_rejects_an_odd_number_of_hex_characters() -> None:
    collector = Collector(reverse_bytes=True).feed(b"4CDDA15\r\n")
    assert (collector.reads, collector.reasons) == ([], ["bad-length"])


def test_reverse_bytes_on_a_decimal_reader_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="hex"):
        LineProtocol(lambda read: None, base=10, reverse_bytes=True)


def test_hex_letters_from_a_decimal_reader_are_rejected() -> None:
    collector = Collector(base=10).feed(b"00001E256\r\n")
    assert (collector.reads, collector.reasons) == ([], ["bad-characters"])


def test_non_ascii_bytes_are_rejected() -> None:
    collector = Collector().feed(b"0F00\xff3456\r")
    assert (collector.reads, collector.reasons) == ([], ["bad-characters"])


def test_spaces_and_tabs_around_the_id_are_ignored() -> None:
    assert Collector().feed(b"  0F00123456\t\r\n").reads == ["0F00123456"]


def test_line_split_across_chunks_decodes_once() -> None:
    data = b"0000123478\r\n"
    collector = Collector(base=10).feed(*[data[i : i + 1] for i in range(len(data))])
    assert collector.reads == ["0000123478"]


def test_empty_lines_are_ignored_without_a_reject() -> None:
    collector = Collector().feed(b"\r\n\n\r\r\n")
    assert (collector.reads, collector.rejects) == ([], [])


def test_id_longer_than_32_characters_is_rejected() -> None:
    collector = Collector(base=10).feed(b"1" * 40 + b"\n")
    assert (collector.reads, collector.reasons) == ([], ["bad-length"])


def test_megabytes_without_terminator_use_bounded_memory_and_reject_once() -> None:
    chunk = b"A" * 65536
    protocol_reads: list[str] = []
    rejects: list[tuple[str, int]] = []
    protocol = LineProtocol(
        lambda read: protocol_reads.append(read.badge),
        lambda reason, raw: rejects.append((reason, len(raw))),
    )
    tracemalloc.start()
    try:
        for _ in range(64):  # 4 MiB
            protocol.data_received(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    protocol.data_received(b"\r\n0F00123456\r\n")
    assert peak < 256 * 1024
    assert rejects == [("overflow", 64)]
    assert protocol_reads == ["0F00123456"]


def test_connection_lost_with_an_unterminated_line_reports_it_truncated() -> None:
    collector = Collector().feed(b"0F0012")
    collector.protocol.connection_lost(None)
    assert collector.rejects == [("truncated", b"0F0012")]


@pytest.mark.parametrize(("badge", "base"), [("01E256", 16), ("0000123478", 10)])
def test_encode_line_is_what_decode_line_reads_back(badge: str, base: int) -> None:
    encoded = encode_line(badge, base=base)
    assert encoded.endswith(b"\r\n")
    assert decode_line(encoded.rstrip(b"\r\n"), base=base) == badge


def test_encode_line_refuses_an_id_outside_its_base() -> None:
    with pytest.raises(ValueError, match="decimal"):
        encode_line("0F00123456", base=10)
