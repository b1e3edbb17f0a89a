"""Site settings on the server: the admin CLI, its checks, storage and the pull."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from server_testkit import Terminal, World, of_type, run_cli
from sqlalchemy import select

from contract.pin import check_pin
from server.cli import main
from server.db import Database
from server.db.schema import site_settings
from server.repo import Refused
from server.repo import site_settings as repo


def settings(db_path: Path | str, capsys: pytest.CaptureFixture[str], *args: str
             ) -> tuple[int, dict, str]:
    """Run ``python -m server settings ARGS --json`` in this process: (status, JSON, stderr)."""
    capsys.readouterr()
    status = main(["settings", *args, "--db", str(db_path), "--json"])
    out, err = capsys.readouterr()
    return status, json.loads(out) if out.strip() else {}, err


def test_a_site_without_settings_shows_every_setting_unset(db_path, world, capsys):
    status, shown, _ = settings(db_path, capsys, "show", "--site", str(world.site))
    assert status == 0
    assert shown["site_name"] == "Plant A"
    assert {k: v for k, v in shown.items() if k not in ("site_id", "site_name")} == {
        "idle_language": None, "session_timeout_s": None, "punch_undo_s": None,
        "notice_s": None, "punch_mode": None, "theme": None, "quick_replies": None,
        "admin_badges": None,
        "admin_pin_set": False, "terminal_staff_authority": False, "updated_at": None}


def test_set_stores_each_setting_and_show_reads_it_back(db_path, world, capsys):
    status, _, err = settings(
        db_path, capsys, "set", "--site", str(world.site), "--language", "en",
        "--session-timeout", "45", "--punch-undo", "0", "--notice", "10",
        "--punch-mode", "messages_only", "--theme", "light", "--quick-reply", "fr:J'arrive",
        "--quick-reply", "fr:Merci", "--quick-reply", "en:Coming", "--admin-badge", "0f00aa",
        "--admin-pin", "482193")
    assert status == 0, err
    _, shown, _ = settings(db_path, capsys, "show", "--site", str(world.site))
    assert shown["idle_language"] == "en"
    assert (shown["session_timeout_s"], shown["punch_undo_s"], shown["notice_s"]) == (45, 0, 10)
    assert shown["punch_mode"] == "messages_only" and shown["theme"] == "light"
    assert shown["quick_replies"] == {"fr": ["J'arrive", "Merci"], "en": ["Coming"]}
    assert shown["admin_badges"] == ["0F00AA"]  # canonical: upper case, as readers report
    assert shown["admin_pin_set"] is True and "admin_pin_hash" not in shown


def test_the_admin_pin_is_stored_only_as_a_hash(db_path, db: Database, world, capsys):
    settings(db_path, capsys, "set", "--site", str(world.site), "--admin-pin", "482193")
    with db.read() as conn:
        stored = conn.execute(select(site_settings.c.admin_pin_hash)).scalar_one()
    # by field: the random salt and hash, in hex, hold "482193" one time in a few hundred
    assert "482193" not in stored.split("$")
    assert check_pin("482193", stored) and not check_pin("482194", stored)


def test_the_admin_pin_can_come_from_stdin(db_path, db: Database, world, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("975311\n"))
    status, _, _ = settings(db_path, capsys, "set", "--site", str(world.site), "--admin-pin", "-")
    assert status == 0
    with db.read() as conn:
        assert check_pin("975311", repo.get(conn, world.site)["admin_pin_hash"])


def test_quick_replies_given_for_one_language_keep_the_others(db_path, world, capsys):
    site = str(world.site)
    settings(db_path, capsys, "set", "--site", site, "--quick-reply", "fr:Oui",
             "--quick-reply", "en:Yes")
    _, shown, _ = settings(db_path, capsys, "set", "--site", site, "--quick-reply", "fr:Non")
    assert shown["quick_replies"] == {"fr": ["Non"], "en": ["Yes"]}
    _, shown, _ = settings(db_path, capsys, "set", "--site", site,
                           "--unset", "quick-replies:fr")
    assert shown["quick_replies"] == {"en": ["Yes"]}


def test_unset_gives_a_setting_back_to_the_terminals_config(db_path, world, capsys):
    site = str(world.site)
    settings(db_path, capsys, "set", "--site", site, "--notice", "9", "--admin-pin", "482193",
             "--admin-badge", "AB12")
    _, shown, _ = settings(db_path, capsys, "set", "--site", site, "--unset", "notice",
                           "--unset", "admin-pin", "--unset", "admin-badges")
    assert (shown["notice_s"], shown["admin_pin_set"], shown["admin_badges"]) == (
        None, False, None)


@pytest.mark.parametrize(("args", "named"), [
    (("--session-timeout", "3"), "--session-timeout '3'"),
    (("--session-timeout", "soon"), "--session-timeout 'soon'"),
    (("--punch-undo", "61"), "--punch-undo '61'"),
    (("--notice", "0"), "--notice '0'"),
    (("--language", "de"), "--language 'de'"),
    (("--punch-mode", "sometimes"), "--punch-mode 'sometimes'"),
    (("--quick-reply", "J'arrive"), "--quick-reply \"J'arrive\""),
    (("--quick-reply", "fr:" + "x" * 41), "--quick-reply 'fr:xxx"),
    (("--quick-reply", "fr: "), "--quick-reply 'fr: '"),
    (("--admin-badge", "0F 00"), "--admin-badge"),
])
def test_an_invalid_value_is_refused_naming_the_option_and_the_value(
        db_path, world, capsys, args, named):
    status, _, err = settings(db_path, capsys, "set", "--site", str(world.site), *args)
    assert status == 1
    error = json.loads(err)["error"]
    assert error["code"] == "invalid_setting" and error["option"] == args[0]
    assert error["message"].startswith(named) and "allowed:" in error["message"]


def test_too_many_quick_replies_for_a_language_are_refused(db_path, world, capsys):
    many = [arg for i in range(7) for arg in ("--quick-reply", f"en:Reply {i}")]
    status, _, err = settings(db_path, capsys, "set", "--site", str(world.site), *many)
    assert status == 1 and "up to 6" in json.loads(err)["error"]["message"]


def test_a_refused_pin_is_never_echoed(db_path, world, capsys):
    status, _, err = settings(db_path, capsys, "set", "--site", str(world.site),
                              "--admin-pin", "12a")
    assert status == 1 and "12a" not in err and "6 to 8 digits" in err


def test_a_refused_value_changes_nothing(db_path, db: Database, world, capsys):
    settings(db_path, capsys, "set", "--site", str(world.site), "--notice", "5")
    settings(db_path, capsys, "set", "--site", str(world.site), "--notice", "7",
             "--session-timeout", "1")
    with db.read() as conn:
        assert repo.get(conn, world.site)["notice_s"] == 5


def test_set_without_any_setting_says_so(db_path, world, capsys):
    status, _, err = settings(db_path, capsys, "set", "--site", str(world.site))
    assert status == 1 and json.loads(err)["error"]["code"] == "nothing_to_set"


def test_an_unknown_site_is_refused(db_path, world, capsys):
    status, _, err = settings(db_path, capsys, "set", "--site", "99", "--notice", "5")
    assert status == 1 and json.loads(err)["error"]["code"] == "unknown_site"


def test_the_repository_refuses_a_bad_value_naming_the_setting(db: Database, world) -> None:
    with pytest.raises(Refused) as refused, db.write() as conn:
        repo.update_settings(conn, world.site, {"session_timeout_s": 4})
    assert refused.value.code == "invalid_setting"
    assert refused.value.extra == {"setting": "session_timeout_s"}
    assert "5 to 600" in refused.value.message


def test_the_cli_runs_as_a_command(tmp_path: Path) -> None:
    db = tmp_path / "admin.db"
    run_cli(db, "sites", "create", "--name", "Plant C")
    done = run_cli(db, "settings", "set", "--site", "1", "--session-timeout", "45")
    assert "session_timeout_s: 45" in done.stdout
    assert "notice_s: - (each terminal's config)" in done.stdout
    refused = run_cli(db, "settings", "set", "--site", "1", "--notice", "99", check=False)
    assert refused.returncode == 1
    assert refused.stderr.startswith("error: --notice '99' is not valid; allowed: ")


def test_a_change_reaches_the_sites_terminals_in_the_pull(
        terminal: Terminal, db_path, world, capsys) -> None:
    _, cursor = terminal.pull_all()
    settings(db_path, capsys, "set", "--site", str(world.site), "--session-timeout", "45",
             "--quick-reply", "fr:J'arrive", "--admin-pin", "482193")
    changes = terminal.get("/v1/pull", params={"cursor": cursor}).json()["changes"]
    [change] = of_type(changes, "site_settings")
    assert change["session_timeout_s"] == 45 and change["notice_s"] is None
    assert change["quick_replies"] == {"fr": ["J'arrive"]}
    assert check_pin("482193", change["admin_pin_hash"])
    assert change["language"] == "fr"  # the site's own language, as before


def test_a_theme_set_reaches_the_sites_terminals_in_the_pull(
        terminal: Terminal, db_path, world, capsys) -> None:
    _, cursor = terminal.pull_all()
    settings(db_path, capsys, "set", "--site", str(world.site), "--theme", "light")
    changes = terminal.get("/v1/pull", params={"cursor": cursor}).json()["changes"]
    [change] = of_type(changes, "site_settings")
    assert change["theme"] == "light" and change["punch_mode"] is None


def test_a_theme_the_terminals_do_not_have_is_refused_naming_the_choices(
        db_path, world, capsys):
    status, _, err = settings(db_path, capsys, "set", "--site", str(world.site),
                              "--theme", "neon")
    assert status == 1 and "--theme 'neon' is not valid; allowed: dark or light" in err


def test_a_change_does_not_reach_other_sites(
        enroll: Callable[..., Terminal], db_path, world: World, capsys) -> None:
    other = enroll(world.other_site)
    _, cursor = other.pull_all()
    settings(db_path, capsys, "set", "--site", str(world.site), "--notice", "9")
    assert other.get("/v1/pull", params={"cursor": cursor}).json()["changes"] == []


def test_a_pin_of_fewer_than_six_digits_is_refused(db_path, world, capsys):
    status, _, err = settings(db_path, capsys, "set", "--site", str(world.site),
                              "--admin-pin", "48219")
    assert status == 1 and "48219" not in err and "6 to 8 digits" in err
