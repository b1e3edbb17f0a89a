"""``kiosk doctor``: check everything a terminal needs and say how to fix what is wrong.

``run_checks(config)`` returns one ``Check`` per topic, in the order site IT
would fix them: configuration, user, storage, badge reader, screen, server,
versions.  ``run_checks_for_path(path)`` also turns a bad configuration file
into a failed check naming the key, the value and what is allowed.
``format_report`` prints them; ``exit_code`` is 1 when any error failed.

Doctor changes nothing, except one temporary file written and deleted in the
data folder (see ``kiosk.doctor.storage``).  It imports neither Kivy nor ``ui``:
versions come from package metadata.  Summaries and fixes are in English (the
language of logs and of the guides); ``lang`` translates the report's labels.
"""

from __future__ import annotations

import logging
import os
import platform
import sqlite3
import sys
import textwrap
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TextIO

from kiosk import __version__
from kiosk.doctor.camera import check_camera
from kiosk.doctor.check import (
    SERVICE_USER,
    Check,
    current_user,
    failed,
    group_name,
    passed,
)
from kiosk.doctor.devices import check_reader, check_render, check_screen_blanking, check_touch
from kiosk.doctor.diagnostics import os_name, package_version
from kiosk.doctor.frames import check_reader_frames
from kiosk.doctor.server import ServerReport, check_server
from kiosk.doctor.storage import check_data_dir, check_database, check_disk
from kiosk.settings.config import Config, ConfigError, load_config

__all__ = ["Check", "run_checks", "run_checks_for_path", "format_report", "exit_code",
           "doctor_command", "DEFAULT_CONFIG_PATH"]

log = logging.getLogger(__name__)

DEFAULT_CONFIG_PATH = Path("/etc/kiosk/kiosk.toml")  # where deploy/install.sh puts it
KIVY_VERSION = "2.3.1"  # the version pyproject.toml pins and the screens are tested with
WIDTH = 100

LABELS = {
    "en": {"ok": "ok", "error": "error", "warning": "warn", "info": "note", "fix": "fix",
           "title": "kiosk doctor: {errors}, {warnings}, {ok} passed",
           "errors": ("error", "errors"), "warnings": ("warning", "warnings")},
    "fr": {"ok": "ok", "error": "erreur", "warning": "attention", "info": "note",
           "fix": "solution", "title": "kiosk doctor : {errors}, {warnings}, {ok} réussis",
           "errors": ("erreur", "erreurs"), "warnings": ("avertissement", "avertissements")},
}


Prompt = Callable[[str], None]


def run_checks(config: Config, *, timeout_s: float = 3.0, listen_s: float = 0.0,
               prompt: Prompt | None = None) -> list[Check]:
    """Every check for a valid ``config``; network calls wait at most ``timeout_s`` each;
    a free serial reader is listened to for ``listen_s`` seconds (``prompt`` says so)."""
    return _run(config, passed("config", "configuration valid"), timeout_s, None,
                listen_s, prompt)


def run_checks_for_path(path: Path | None, *, timeout_s: float = 3.0, listen_s: float = 0.0,
                        prompt: Prompt | None = None) -> list[Check]:
    """``run_checks`` on the file at ``path`` (None: the built-in defaults).

    A file that does not load gives a failed ``config`` check (key, value,
    allowed values) followed by the checks that need no configuration.
    """
    try:
        config = load_config(path)
    except ConfigError as exc:
        return [_config_failure(exc, path), check_user(path), check_versions()]
    source = f"{path} is valid" if path else "no file given: built-in defaults"
    return _run(config, passed("config", source), timeout_s, path, listen_s, prompt)


def _config_failure(exc: ConfigError, path: Path | None) -> Check:
    if exc.key in ("--config", "(file)"):  # the file itself, not one of its keys
        return failed("config", "error", f"the configuration file {exc.value} cannot be used",
                      f"it must be {exc.allowed}; start from the example: "
                      "kiosk config-example > kiosk.toml")
    where = f" in {path}" if path else ""
    return failed("config", "error", f"{exc.key} = {exc.value!r}{where} is not valid",
                  f"allowed: {exc.allowed}; every key is described in config.example.toml "
                  "(kiosk config-example)")


def _run(config: Config, config_check: Check, timeout_s: float, path: Path | None = None,
         listen_s: float = 0.0, prompt: Prompt | None = None) -> list[Check]:
    checks = [config_check, check_user(path)]
    checks += _guard("data_dir", lambda: [check_data_dir(config.data_dir)])
    checks += _guard("disk", lambda: [check_disk(config.data_dir)])
    server = _guarded_server(config, timeout_s)
    checks += _guard("database",
                     lambda: check_database(config.database_path, syncing=server.syncing))
    checks += _guard("reader", lambda: check_reader(config))
    checks += _guard("frames", lambda: check_reader_frames(config, listen_s,
                                                           prompt or (lambda _text: None)))
    checks += _guard("touch", check_touch)
    checks += _guard("display", lambda: [check_render()])
    checks += _guard("blanking", lambda: [check_screen_blanking()])
    checks += _guard("camera", lambda: [check_camera(config)])
    checks += server.checks
    checks.append(check_versions())
    return checks


def _guard(name: str, run: Callable[[], list[Check]]) -> list[Check]:
    """A check that breaks becomes a failed check: the rest of the report still prints."""
    try:
        return run()
    except Exception as exc:  # a diagnostic tool must not die on what it diagnoses
        return [_broken(name, exc)]


def _guarded_server(config: Config, timeout_s: float) -> ServerReport:
    try:
        return check_server(config, timeout_s=timeout_s)
    except Exception as exc:  # same rule as _guard; syncing unknown, so assume not
        return ServerReport([_broken("server", exc)], syncing=False)


def _broken(name: str, exc: Exception) -> Check:
    log.debug("doctor check %s failed", name, exc_info=True)
    return failed(name, "error", f"the {name} check could not run ({type(exc).__name__})",
                  "report this with the output of: kiosk -v doctor")


def check_user(config_path: Path | None = None) -> Check:
    """Root passes every permission check the service user may fail: say so."""
    groups = sorted({group_name(g) for g in os.getgroups()})
    text = f"running as {current_user()} (groups: {', '.join(groups) or 'none'})"
    if os.geteuid() == 0:
        return failed("user", "warning", text + ": file and device permissions are those of "
                      "root, not of the service user",
                      "run as the service user for a faithful report: "
                      f"runuser -u {SERVICE_USER} -- kiosk doctor --config "
                      f"{config_path or DEFAULT_CONFIG_PATH}")
    return passed("user", text)


def check_versions() -> Check:
    """Software versions, Kivy's from metadata: importing Kivy could open a window."""
    kivy = package_version("Kivy")
    text = (f"kiosk {__version__}, Python {platform.python_version()}, Kivy {kivy or 'absent'}, "
            f"pyserial {package_version('pyserial') or 'absent'}, SQLite "
            f"{sqlite3.sqlite_version}, {os_name()} {platform.machine()}")
    if kivy is None:
        return failed("versions", "warning", text + ": without Kivy only 'kiosk run --headless' "
                      "works", f"pip install kivy=={KIVY_VERSION} in the terminal's virtualenv")
    if kivy != KIVY_VERSION:
        return failed("versions", "warning", text + f": the screens are tested with Kivy "
                      f"{KIVY_VERSION}", f"pip install kivy=={KIVY_VERSION}")
    return passed("versions", text)


def exit_code(checks: Iterable[Check]) -> int:
    """1 when any check failed with severity error, else 0."""
    return 1 if any(not c.ok and c.severity == "error" for c in checks) else 0


def format_report(checks: list[Check], lang: str = "en") -> str:
    """The checks as text for a terminal window, 100 columns, fixes under their problem."""
    labels = LABELS.get(lang, LABELS["en"])
    errors = sum(1 for c in checks if not c.ok and c.severity == "error")
    warnings = sum(1 for c in checks if not c.ok and c.severity == "warning")
    lines = [labels["title"].format(errors=_count(errors, labels["errors"]),
                                    warnings=_count(warnings, labels["warnings"]),
                                    ok=sum(1 for c in checks if c.ok))]
    name_width = max((len(c.name) for c in checks), default=0)
    label_width = max(len(labels[k]) for k in ("ok", "error", "warning", "info"))
    for check in checks:
        label = labels["ok"] if check.ok else labels[check.severity]
        head = f"{label.upper():<{label_width}}  {check.name:<{name_width}}  "
        indent = " " * len(head)
        lines.append(textwrap.fill(check.summary, WIDTH, initial_indent=head,
                                   subsequent_indent=indent, break_on_hyphens=False))
        if check.fix and not check.ok:
            fix_head = f"{indent}{labels['fix']}: "
            lines.append(textwrap.fill(check.fix, WIDTH, initial_indent=fix_head,
                                       subsequent_indent=indent + "  ", break_on_hyphens=False,
                                       break_long_words=False))
    return "\n".join(lines) + "\n"


def _count(n: int, forms: tuple[str, str]) -> str:
    return f"{n} {forms[0] if n == 1 else forms[1]}"


def doctor_command(config_path: Path | None, *, lang: str = "en", timeout_s: float = 3.0,
                   listen_s: float = 0.0, out: TextIO | None = None) -> int:
    """``kiosk doctor [--config PATH] [--listen S]``: print the report, return the status.

    Without ``--config``, the installed ``/etc/kiosk/kiosk.toml`` is checked
    when it exists (site IT types ``kiosk doctor`` on the terminal itself).
    """
    if config_path is None and DEFAULT_CONFIG_PATH.exists():
        config_path = DEFAULT_CONFIG_PATH

    def prompt(text: str) -> None:
        print(text, file=sys.stderr, flush=True)  # before the report: it waits for a card

    checks = run_checks_for_path(config_path, timeout_s=timeout_s, listen_s=listen_s,
                                 prompt=prompt)
    (out or sys.stdout).write(format_report(checks, lang))
    return exit_code(checks)
