"""CSV import of employees and badges: dry run first, then apply in one transaction;
faulty files give line-by-line errors and change nothing; the same from the CLI."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from server.cli import main
from server.db import Database
from server.repo import directory
from tests.support.console_rig import ADMIN, MANAGER_A, VIEWER, ConsoleClient, Seeded

Client = Callable[[str | None], ConsoleClient]
GOOD = ("name,site,badges,role,active\n"
        "Nina New,Plant A,0F00BB0001,worker,yes\n"
        "Ali Ben,Plant A,0F00AA0001 0F00BB0002,manager,\n"
        "Zoé O'Brien,Plant A,,,no\n").encode()


def _upload(c: ConsoleClient, data: bytes, do: str = "dry-run") -> tuple[int, str]:
    response = c.post("/console/import/people", data={"csrf_token": c.csrf, "do": do},
                      files={"file": ("people.csv", data, "text/csv")})
    return response.status_code, response.text


def _names(db: Database) -> dict[str, bool]:
    with db.read() as conn:
        return {e.name: e.active for e in directory.list_employees(conn)}


def test_a_dry_run_shows_what_will_change_and_changes_nothing(
        client: Client, seeded: Seeded, console_db: Database) -> None:
    status, page = _upload(client(MANAGER_A), GOOD)
    assert status == 200
    assert "1 to create, 1 to change, 1 to disable, 0 unchanged" in page
    assert "Nina New" not in _names(console_db)


def test_applying_creates_changes_and_disables(client: Client, seeded: Seeded,
                                               console_db: Database) -> None:
    c = client(MANAGER_A)
    _status, page = _upload(c, GOOD)
    file_data = re.search(r'name="file_data" value="([^"]+)"', page).group(1)
    assert base64.b64decode(file_data) == GOOD
    response = c.act("/console/import/people", {"do": "apply", "file_data": file_data})
    assert response.status_code == 303
    names = _names(console_db)
    assert names["Nina New"] and not names["Zoé O'Brien"]
    with console_db.read() as conn:
        assert directory.get_employee(conn, seeded.ali).role == "manager"
        assert {b.uid for b in directory.list_badges(conn, seeded.ali)} == {
            "0F00AA0001", "0F00BB0002"}


@pytest.mark.parametrize(("data", "why"), [
    ("name,site\nÉlodie,Plant A\n".encode("latin-1"), "not UTF-8"),
    (b"name,badges\nNina,0F01\n", "missing column(s): site"),
    (b"name,site,badges\nA,Plant A,0F00CC0001\nB,Plant A,0f00cc0001\n", "badge also on line 2"),
    (b"name,site,badges\nNina,Plant A,0F00AA0001\n", "belongs to someone else"),
    (b"name,site\nNina,Plant B\n", "not one you manage"),
    (b"name,site,role\nNina,Plant A,boss\n", "role 'boss'"),
])
def test_a_faulty_file_gives_the_line_and_why_and_changes_nothing(
        client: Client, seeded: Seeded, console_db: Database, data: bytes, why: str) -> None:
    before = _names(console_db)
    c = client(MANAGER_A)
    status, page = _upload(c, data)
    assert status == 422 and why in page.replace("&#39;", "'")
    status, _page = _upload(c, data, do="apply")
    assert status == 422 and _names(console_db) == before


def test_one_faulty_line_among_good_ones_applies_nothing(client: Client, seeded: Seeded,
                                                         console_db: Database) -> None:
    data = GOOD + b"Bad,Nowhere,,,\n"
    status, page = _upload(client(ADMIN), data, do="apply")
    assert status == 422 and "line 5" not in page and "<td>5</td>" in page
    assert "Nina New" not in _names(console_db)


def test_a_viewer_cannot_import(client: Client, seeded: Seeded, console_db: Database) -> None:
    c = client(VIEWER)
    assert c.get("/console/import/people").status_code == 403
    assert _upload(c, GOOD, do="apply")[0] == 403
    assert "Nina New" not in _names(console_db)


def test_the_cli_dry_run_lists_and_changes_nothing(tmp_path: Path, seeded: Seeded,
                                                   console_db: Database,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(GOOD)
    assert main(["employees", "import", "--dry-run", str(path), "--db",
                 console_db.url]) == 0
    out = capsys.readouterr().out
    assert "create" in out and "disable" in out and "0F00BB0001" not in out
    assert "Nina New" not in _names(console_db)


def test_the_cli_refuses_a_faulty_file_line_by_line(tmp_path: Path, seeded: Seeded,
                                                    console_db: Database,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(b"name,site,badges\nA,Plant A,0F00CC0001\nB,Nowhere,\n")
    assert main(["employees", "import", str(path), "--db", console_db.url]) == 1
    assert "line 3: unknown site 'Nowhere'" in capsys.readouterr().err
    assert "A" not in _names(console_db)
