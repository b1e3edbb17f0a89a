"""``kiosk setup`` on real parts: virtual readers on pseudo-terminals, a server on loopback.

Two readers are plugged in (an EM4100 one and a line-hex one); the installer presents a
badge to one of them while setup listens.
"""

from __future__ import annotations

import io
import threading
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from badge_reader.virtual import VirtualReader
from kiosk.doctor.checkup import exit_code, format_report, run_checks_for_path
from kiosk.setup.command import SetupOptions, setup_command
from kiosk.sync.credentials import load_enrollment
from server.embedded import EmbeddedServer

BADGE = "0A00AD0001"


@pytest.fixture
def readers() -> Iterator[tuple[VirtualReader, VirtualReader]]:
    em4100, line_hex = VirtualReader(protocol="em4100"), VirtualReader(protocol="line-hex")
    yield em4100, line_hex
    em4100.close()
    line_hex.close()


class Installer:
    """Presents a badge to one reader, again and again (as a hand holds a card), until
    told to stop."""

    def __init__(self, reader: VirtualReader) -> None:
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._present, args=(reader,), daemon=True)

    def _present(self, reader: VirtualReader) -> None:
        while not self.stop.wait(0.3):
            reader.present(BADGE)

    def __enter__(self) -> Installer:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.thread.join(2)


def options(tmp_path: Path, server: EmbeddedServer, code: str, ports: list[str],
            **extra: object) -> SetupOptions:
    settings: dict[str, object] = {"data_dir": str(tmp_path / "data"), "search_ports": ports,
                                   "listen_s": 8.0, "name": "Gate 3", "size": (800, 480),
                                   "yes": True, **extra}
    return SetupOptions(server=server.url, code=code, config_path=tmp_path / "etc/kiosk.toml",
                        **settings)  # type: ignore[arg-type]


def run(opts: SetupOptions, answer: str | None = None) -> tuple[int, str]:
    out = io.StringIO()
    code = setup_command(opts, out=out, answer=io.StringIO(answer or ""))
    return code, out.getvalue()


def test_setup_finds_the_port_and_protocol_the_badge_was_presented_on(
    tmp_path: Path, server: EmbeddedServer, make_code: Callable[..., str], readers,
) -> None:
    em4100, line_hex = readers
    with Installer(line_hex):
        code, out = run(options(tmp_path, server, make_code(), [em4100.port, line_hex.port]))
    assert code == 0, out
    written = tomllib.loads((tmp_path / "etc/kiosk.toml").read_text())
    assert written["reader"]["port"] == line_hex.port
    assert written["reader"]["protocol"] == "line-hex"
    assert f"found: {line_hex.port}, protocol line-hex" in out
    assert BADGE not in out  # the badge number is never printed


def test_setup_enrolls_and_writes_a_configuration_the_doctor_passes(
    tmp_path: Path, server: EmbeddedServer, make_code: Callable[..., str], readers,
) -> None:
    em4100, line_hex = readers
    with Installer(em4100):
        code, out = run(options(tmp_path, server, make_code(), [em4100.port, line_hex.port]))
    assert code == 0, out
    enrollment = load_enrollment(tmp_path / "data")
    assert enrollment is not None and enrollment.server_url == server.url
    checks = run_checks_for_path(tmp_path / "etc/kiosk.toml")
    assert exit_code(checks) == 0, format_report(checks)


def test_without_systemd_the_service_step_is_skipped_and_says_so(
    tmp_path: Path, server: EmbeddedServer, make_code: Callable[..., str], readers,
) -> None:
    if Path("/run/systemd/system").is_dir():
        pytest.skip("systemd runs here: the step would enable the service")
    em4100, _ = readers
    code, out = run(options(tmp_path, server, make_code(), [], reader_port=em4100.port,
                            reader_protocol="em4100"))
    assert code == 0, out
    assert "skipped: systemd is not running here" in out


def test_run_again_it_keeps_the_reader_and_the_enrollment_without_a_new_code(
    tmp_path: Path, server: EmbeddedServer, make_code: Callable[..., str], readers,
) -> None:
    em4100, line_hex = readers
    code = make_code()
    with Installer(line_hex):
        first, out = run(options(tmp_path, server, code, [em4100.port, line_hex.port]))
    assert first == 0, out
    token = load_enrollment(tmp_path / "data").token
    again, out = run(options(tmp_path, server, code, [em4100.port, line_hex.port]))
    assert again == 0, out
    assert "kept from the configuration" in out and "already enrolled" in out
    assert load_enrollment(tmp_path / "data").token == token


def test_no_badge_presented_writes_nothing_and_says_what_to_do(
    tmp_path: Path, server: EmbeddedServer, make_code: Callable[..., str], readers,
) -> None:
    em4100, line_hex = readers
    opts = options(tmp_path, server, make_code(), [em4100.port, line_hex.port])
    opts.listen_s = 0.5
    code, out = run(opts)
    assert code == 1
    assert "no badge was read" in out and "fix:" in out
    assert not (tmp_path / "etc/kiosk.toml").exists()
    assert load_enrollment(tmp_path / "data") is None


def test_without_yes_nothing_is_written_unless_the_installer_says_yes(
    tmp_path: Path, server: EmbeddedServer, make_code: Callable[..., str], readers,
) -> None:
    em4100, _ = readers
    opts = options(tmp_path, server, make_code(), [], reader_port=em4100.port, yes=False)
    refused, out = run(opts, answer="n\n")
    assert refused == 1 and not (tmp_path / "etc/kiosk.toml").exists()
    accepted, out = run(opts, answer="\n")
    assert accepted == 0, out


def test_a_bad_code_fails_the_enrollment_step_with_its_fix_and_keeps_the_configuration(
    tmp_path: Path, server: EmbeddedServer, readers,
) -> None:
    em4100, _ = readers
    code, out = run(options(tmp_path, server, "WXYZ-WXYZ-WXYZ", [], reader_port=em4100.port))
    assert code == 1
    assert "[4/6] enrollment" in out and "FAILED" in out and "fix:" in out
    # The configuration written before is whole: the next run starts from it.
    assert tomllib.loads((tmp_path / "etc/kiosk.toml").read_text())["reader"]["port"] == (
        em4100.port)
