"""docs/readers.md stays in step with the code: every protocol, command and config key."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from badge_reader.cli import build_parser
from badge_reader.protocols import PROTOCOLS

DOC = Path(__file__).resolve().parents[2] / "docs" / "readers.md"
READER_KEYS = {
    "protocol",
    "port",
    "baud",
    "repeat_window_s",
    "badge_format",
    "reverse_bytes",
    "device",
}


def toml_snippets() -> list[dict]:
    blocks = re.findall(r"```toml\n(.*?)```", DOC.read_text(), flags=re.DOTALL)
    return [tomllib.loads(block) for block in blocks]


@pytest.mark.parametrize("name", list(PROTOCOLS))
def test_every_protocol_has_a_config_snippet(name: str) -> None:
    assert name in [snippet["reader"]["protocol"] for snippet in toml_snippets()]


def test_snippets_use_only_reader_keys() -> None:
    for snippet in toml_snippets():
        assert set(snippet) == {"reader"}
        assert set(snippet["reader"]) <= READER_KEYS


def test_every_cli_command_is_shown() -> None:
    text = DOC.read_text()
    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for command in commands:
        assert f"python -m badge_reader {command}" in text
