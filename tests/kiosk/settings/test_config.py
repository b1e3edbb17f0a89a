"""The TOML configuration: defaults, validation messages, and the documented example file."""

from pathlib import Path

import pytest

from kiosk.settings.config import FIELDS, ConfigError, load_config, parse_config, render_example

REPO = Path(__file__).resolve().parents[3]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_keys_take_their_documented_defaults(tmp_path):
    config = load_config(write(tmp_path, "[terminal]\nsite_name = 'Usine Nord'\n"))
    assert config["terminal.site_name"] == "Usine Nord"
    assert config["terminal.session_timeout_s"] == 30
    assert config["reader.protocol"] == "em4100"


def test_a_bad_value_names_the_key_the_value_and_what_is_allowed(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, "[terminal]\nsession_timeout_s = 2\n"))
    message = str(err.value)
    assert "terminal.session_timeout_s" in message
    assert "2" in message
    assert "5 to 600" in message


def test_a_misspelled_key_is_refused_with_the_known_keys(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, "[reader]\nbaudrate = 9600\n"))
    assert "reader.baudrate" in str(err.value)
    assert "reader.baud" in str(err.value)


def test_an_unknown_section_is_refused(tmp_path):
    with pytest.raises(ConfigError, match=r"\[terminal\]"):
        load_config(write(tmp_path, "[screen]\nwidth = 3\n"))


def test_a_boolean_is_not_accepted_as_a_number(tmp_path):
    with pytest.raises(ConfigError, match="display.width"):
        load_config(write(tmp_path, "[display]\nwidth = true\n"))


def test_an_unknown_reader_protocol_lists_the_supported_ones(tmp_path):
    with pytest.raises(ConfigError, match="em4100-id12"):
        load_config(write(tmp_path, "[reader]\nprotocol = 'wiegand'\n"))


def test_invalid_toml_is_reported_with_the_file_name(tmp_path):
    path = write(tmp_path, "[terminal\nname = 'x'\n")
    with pytest.raises(ConfigError, match="valid TOML"):
        load_config(path)


def test_a_missing_file_is_reported(tmp_path):
    with pytest.raises(ConfigError, match="existing TOML file"):
        load_config(tmp_path / "nope.toml")


def test_relative_data_dir_is_anchored_at_the_config_file(tmp_path):
    config = load_config(write(tmp_path, "[terminal]\ndata_dir = 'data'\n"))
    assert config.database_path == tmp_path / "data" / "kiosk.sqlite3"


def test_the_committed_example_file_documents_every_key_with_its_default():
    committed = (REPO / "config.example.toml").read_text(encoding="utf-8")
    assert committed == render_example(), "regenerate with: python -m kiosk config-example"


def test_the_example_file_parses_to_the_defaults(tmp_path):
    config = load_config(write(tmp_path, render_example()))
    for field in FIELDS:
        assert config[field.name] == field.default


def test_every_default_passes_its_own_check():
    parse_config({}, Path("."))
    for field in FIELDS:
        assert field.check(field.default), field.name
