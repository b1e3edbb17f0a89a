"""The registry maps the configuration's protocol names to implementations."""

from __future__ import annotations

import pytest

from badge_reader.protocols import PROTOCOLS, create_protocol, get_protocol
from badge_reader.protocols.em4100 import Em4100Id12Protocol, Em4100Protocol
from badge_reader.protocols.line import LineProtocol
from badge_reader.protocols.wedge import WedgeProtocol


def test_registry_holds_exactly_the_configuration_names() -> None:
    assert list(PROTOCOLS) == ["em4100", "em4100-id12", "line-hex", "line-dec", "wedge"]


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("em4100", Em4100Protocol),
        ("em4100-id12", Em4100Id12Protocol),
        ("line-hex", LineProtocol),
        ("line-dec", LineProtocol),
        ("wedge", WedgeProtocol),
    ],
)
def test_each_name_creates_its_implementation_reporting_that_name(name: str, cls: type) -> None:
    protocol = create_protocol(name, lambda read: None)
    assert isinstance(protocol, cls)
    assert protocol.name == name


def test_unknown_name_error_lists_the_valid_names() -> None:
    with pytest.raises(ValueError, match="em4100, em4100-id12, line-hex, line-dec, wedge"):
        get_protocol("rdm6300")


@pytest.mark.parametrize("name", ["em4100", "em4100-id12", "line-dec"])
def test_reverse_bytes_is_refused_where_it_means_nothing(name: str) -> None:
    with pytest.raises(ValueError, match="reverse_bytes"):
        create_protocol(name, lambda read: None, reverse_bytes=True)


@pytest.mark.parametrize(
    ("name", "badge"),
    [
        ("em4100", "0F00123456"),
        ("em4100-id12", "1A0067B3C2"),
        ("line-hex", "01E256"),
        ("line-dec", "0000123478"),
    ],
)
def test_every_serial_protocol_decodes_what_its_encoder_sends(name: str, badge: str) -> None:
    reads = []
    protocol = create_protocol(name, reads.append)
    encode = get_protocol(name).encode
    assert encode is not None
    protocol.data_received(encode(badge))
    assert [read.badge for read in reads] == [badge]


def test_wedge_cannot_be_encoded_for_a_serial_port() -> None:
    assert get_protocol("wedge").encode is None
    assert get_protocol("wedge").transport == "evdev"
