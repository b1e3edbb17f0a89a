"""The [input] section reads each touchscreen once, with the provider its protocol needs."""

from __future__ import annotations

import configparser
from pathlib import Path

from kiosk.settings.input_section import (
    apply_input_section,
    find_touchscreens,
    input_section,
    parse_devices,
    render_ini,
    scan_stable_paths,
    word_bits,
)
from tests.support.input_samples import (
    DESKTOP,
    GOODIX_PANEL,
    ILITEK_PC,
    PROTOCOL_A,
    RASPBERRY_PI,
    SINGLE_TOUCH,
)


def test_pi_official_touchscreen_is_read_once_through_mtdev() -> None:
    assert input_section(RASPBERRY_PI) == {"touch0": "mtdev,/dev/input/event0"}


def test_pi_sample_is_read_with_32_bit_words() -> None:
    assert word_bits(parse_devices(RASPBERRY_PI)) == 32


def test_pc_sample_is_read_with_64_bit_words() -> None:
    assert word_bits(parse_devices(ILITEK_PC)) == 64


def test_ilitek_usb_panel_uses_mtdev_and_skips_its_mouse_interface() -> None:
    assert input_section(ILITEK_PC) == {"touch0": "mtdev,/dev/input/event5"}


def test_goodix_i2c_screen_is_found_and_the_touchpad_is_not() -> None:
    screens = find_touchscreens(GOODIX_PANEL)
    assert [s.device.name for s in screens] == ["Goodix Capacitive TouchScreen"]
    assert screens[0].provider == "mtdev"


def test_single_touch_screen_uses_hidinput() -> None:
    assert input_section(SINGLE_TOUCH) == {"touch0": "hidinput,/dev/input/event9"}


def test_protocol_a_screen_uses_hidinput() -> None:
    assert input_section(PROTOCOL_A) == {"touch0": "hidinput,/dev/input/event10"}


def test_keyboards_mice_wedge_readers_and_cec_are_not_touchscreens() -> None:
    names = {s.device.name for text in (RASPBERRY_PI, ILITEK_PC, DESKTOP)
             for s in find_touchscreens(text)}
    assert names == {"FT5406 memory based driver", "ILITEK ILITEK-TP"}


def test_without_touchscreen_the_mouse_stays_without_emulated_multitouch() -> None:
    assert input_section(DESKTOP) == {"mouse": "mouse,disable_multitouch"}


def test_with_a_touchscreen_no_mouse_or_probe_entry_is_emitted() -> None:
    section = input_section(ILITEK_PC)
    assert not any(v.startswith(("mouse", "probesysfs")) for v in section.values())


def test_stable_path_replaces_the_event_node() -> None:
    link = "/dev/input/by-path/pci-0000:00:14.0-usb-0:4:1.0-event"
    assert input_section(ILITEK_PC, {"event5": link}) == {"touch0": f"mtdev,{link}"}


def test_scan_stable_paths_prefers_by_path_links(tmp_path: Path) -> None:
    (tmp_path / "event5").touch()
    (tmp_path / "mouse1").touch()
    for folder, name, target in (("by-id", "usb-ILITEK_ILITEK-TP-event-if00", "event5"),
                                 ("by-path", "pci-0000:00:14.0-usb-0:4:1.0-event", "event5"),
                                 ("by-path", "pci-0000:00:14.0-usb-0:4:1.0-mouse", "mouse1")):
        (tmp_path / folder).mkdir(exist_ok=True)
        (tmp_path / folder / name).symlink_to(tmp_path / target)
    assert scan_stable_paths(tmp_path) == {
        "event5": str(tmp_path / "by-path" / "pci-0000:00:14.0-usb-0:4:1.0-event")}


def test_render_ini_writes_one_line_per_entry() -> None:
    assert render_ini({"touch0": "mtdev,/dev/input/event0"}) == (
        "[input]\ntouch0 = mtdev,/dev/input/event0\n")


def test_apply_replaces_kivys_default_probe_and_mouse() -> None:
    config = configparser.RawConfigParser()
    config.read_string("[input]\nmouse = mouse\n%(name)s = probesysfs,provider=hidinput\n")
    apply_input_section(config, input_section(RASPBERRY_PI))
    assert dict(config.items("input")) == {"touch0": "mtdev,/dev/input/event0"}


def test_apply_creates_a_missing_section() -> None:
    config = configparser.RawConfigParser()
    apply_input_section(config, {"mouse": "mouse,disable_multitouch"})
    assert config.get("input", "mouse") == "mouse,disable_multitouch"
