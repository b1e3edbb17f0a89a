"""Enroll this terminal with the central server: a one-time code becomes its own token.

``enroll_terminal`` checks the address first (``GET /v1/info``: reachable, a
kiosk server, speaking our protocol version), then trades the code
(``POST /v1/enroll``) and keeps the answer with ``kiosk.sync.credentials`` (mode 0600).
Every failure is an ``EnrollmentError`` with a stable ``code``, a ``message``
for people and a ``fix``.  Neither the code nor the token is ever logged.

A terminal already enrolled is replaced only with ``force=True``: its token is
then gone for good (the server keeps only hashes), so the caller must ask first.
Replacing an enrollment also forgets the pull cursor in the terminal database,
so the next sync rebuilds the worker directory from the new site.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from kiosk.settings.config import Config
from kiosk.storage import sqlite as sqlite_errors
from kiosk.storage.cache import forget_cursor_in
from kiosk.storage.private import private_folder
from kiosk.sync.client import PROTOCOL_VERSION, ServerClient
from kiosk.sync.credentials import Enrollment, enrollment_path, load_enrollment, save_enrollment
from kiosk.sync.errors import ForeignAnswer, IncompatibleServer, RequestRefused, ServerUnavailable
from kiosk.sync.netdiag import NOT_A_KIOSK_SERVER, check_url, diagnose_request_error
from kiosk.sync.signing import key_path, new_key, public_key_hex, save_key

log = logging.getLogger(__name__)

DATABASE_NAME = "kiosk.sqlite3"  # kiosk.settings.config.Config.database_path names the same file
MAX_NAME_CHARS = 64
ASK_ADMIN = ("ask the admin for a new code (on the server: "
             "python -m server terminals enroll-code --site SITE_ID)")

# Server error code -> (message, fix). Terminals switch on the code, never on the text.
_REFUSALS = {
    "enrollment_code_invalid": ("the server does not know this enrollment code",
                                "check the code as typed (letters and digits; dashes, spaces "
                                "and case do not matter), or " + ASK_ADMIN),
    "enrollment_code_used": ("this enrollment code was already used (a code works once)",
                             ASK_ADMIN),
    "enrollment_code_expired": ("this enrollment code has expired", ASK_ADMIN),
    "protocol_version": ("the server does not speak this terminal's protocol version "
                         f"({PROTOCOL_VERSION})", "upgrade the terminal or the server so "
                         "that they share a protocol version"),
}


class EnrollmentError(Exception):
    """Enrollment failed: ``code`` for programs, ``message`` and ``fix`` for people."""

    def __init__(self, code: str, message: str, fix: str) -> None:
        super().__init__(f"{message}; {fix}")
        self.code = code
        self.message = message
        self.fix = fix


def describe(enrollment: Enrollment) -> str:
    """One line naming an enrollment (no token): 'terminal 7 of site "Usine" at URL'."""
    site = enrollment.site.get("name", enrollment.site.get("id", "?"))
    return f'terminal {enrollment.terminal_id} of site "{site}" at {enrollment.server_url}'


def enroll_terminal(data_dir: Path, server_url: str, code: str, terminal_name: str, *,
                    force: bool = False) -> Enrollment:
    """Enroll with ``server_url`` using the one-time ``code``; returns the saved enrollment.

    Raises ``EnrollmentError`` with ``code`` among: ``bad_server_url``, ``bad_code``,
    ``bad_terminal_name``, ``already_enrolled`` (without ``force``), a network
    problem from ``kiosk.sync.netdiag`` (``dns_failure``, ``connection_refused``,
    ``timeout``, ``tls_error``, ``wrong_scheme``, ``not_a_kiosk_server``...),
    ``protocol_version``, ``enrollment_code_invalid``, ``enrollment_code_used``,
    ``enrollment_code_expired``, ``refused`` (any other refusal), ``server_error``
    (5xx), ``cannot_save`` (checked before the code is spent, so it stays usable).
    """
    data_dir = Path(data_dir)
    server_url = server_url.strip().rstrip("/")
    _check_arguments(server_url, code, terminal_name)
    previous = _previous(data_dir, force)
    _check_writable(data_dir)
    key = new_key()  # a new enrollment, a new key pair: the old key is replaced
    answer = _redeem(server_url, code, terminal_name, public_key_hex(key))
    try:
        enrollment = Enrollment(server_url, str(answer["token"]), int(answer["terminal_id"]),
                                dict(answer["site"]),
                                token_issued_at=datetime.now(UTC).isoformat(timespec="seconds"),
                                bound=True, seal_public_key=_seal_key(answer))
    except (TypeError, ValueError):  # the right keys, but not the values a server gives
        raise _not_a_kiosk_server(server_url, "the enrollment with values of another shape") \
            from None
    try:
        save_key(data_dir, key)
        _give_to_data_dir_owner(key_path(data_dir))
        path = save_enrollment(data_dir, enrollment)
        os.chmod(path, 0o600)
        _give_to_data_dir_owner(path)
    except OSError as exc:
        raise EnrollmentError(
            "cannot_save", f"enrolled as terminal {enrollment.terminal_id}, but cannot write "
            f"{enrollment_path(data_dir)} ({exc.strerror})",
            f"make {data_dir} writable by this user, then enroll again with a new code "
            "(the server already used this one)") from exc
    if previous is not None:
        _forget_cursor(data_dir / DATABASE_NAME)
        log.warning("enrollment replaced: was %s", describe(previous))
    log.info("enrolled as %s", describe(enrollment))
    return enrollment


def enroll_command(config: Config, server_url: str | None, code: str, *, force: bool = False,
                   out: TextIO | None = None, err: TextIO | None = None) -> int:
    """``kiosk enroll [--server URL] --code CODE [--force]``: enroll, print the outcome.

    The server is ``--server`` or else ``server.url``; the terminal name and the
    data folder come from ``config``.  Returns 0 on success, 1 on failure.
    """
    out, err = out or sys.stdout, err or sys.stderr
    url = server_url or config["server.url"]
    if not url:
        err.write("kiosk enroll: no server address; give --server https://... "
                  "(or set server.url in the configuration)\n")
        return 1
    try:
        previous = load_enrollment(config.data_dir) if force else None
    except (ValueError, OSError):
        previous = None
    try:
        enrollment = enroll_terminal(config.data_dir, url, code, config["terminal.name"],
                                     force=force)
    except EnrollmentError as exc:
        err.write(f"kiosk enroll: {exc.message}\n  fix: {exc.fix}\n")
        return 1
    if previous is not None:
        out.write(f"Replaced the enrollment of {describe(previous)}.\n")
    out.write(f"Enrolled as {describe(enrollment)}.\n"
              "If the terminal is running, restart it: systemctl restart kiosk-terminal\n")
    return 0


def _check_arguments(server_url: str, code: str, terminal_name: str) -> None:
    problem = check_url(server_url)
    if problem is not None:
        raise EnrollmentError(problem.code, problem.message, problem.fix)
    if sum(ch.isalnum() for ch in code) < 4:
        raise EnrollmentError("bad_code", "the enrollment code is empty or too short",
                              "type the code the admin gave, for example ABCD-EFGH-JKLM")
    if not terminal_name.strip() or len(terminal_name) > MAX_NAME_CHARS:
        raise EnrollmentError("bad_terminal_name",
                              f"the terminal name must have 1 to {MAX_NAME_CHARS} characters",
                              "set terminal.name in the configuration file")


def _check_writable(data_dir: Path) -> None:
    """A code works once: make sure the token can be kept before spending it."""
    try:
        private_folder(data_dir)
        with tempfile.NamedTemporaryFile(dir=data_dir, prefix=".enroll-"):
            pass
    except OSError as exc:
        raise EnrollmentError(
            "cannot_save", f"cannot write in the data folder {data_dir} ({exc.strerror})",
            f"run the command as the service user (runuser -u kiosk -- ...), or make {data_dir} "
            "writable by this user; the code was not used") from exc


def _previous(data_dir: Path, force: bool) -> Enrollment | None:
    """The enrollment ``force`` would replace; refuses to replace it without ``force``."""
    try:
        previous = load_enrollment(data_dir)
    except ValueError:
        return None  # a damaged file holds no usable token: nothing to lose by replacing it
    except OSError:
        return None  # unreadable or no folder: _check_writable says what is wrong
    if previous is not None and not force:
        raise EnrollmentError(
            "already_enrolled", f"this terminal is already enrolled as {describe(previous)}",
            "to replace that enrollment, run the command again with --force: the old token "
            "stops being used by this terminal; ask the admin to revoke terminal "
            f"{previous.terminal_id} afterwards")
    return previous


def _redeem(server_url: str, code: str, terminal_name: str, public_key: str) -> dict[str, Any]:
    client = ServerClient(server_url)
    try:
        _check_server(client, server_url)
        answer = client.enroll(code, terminal_name, public_key)
    except ForeignAnswer as exc:  # a page that is not our server's: HTML, another JSON
        raise _not_a_kiosk_server(server_url, f"the enrollment with {_what(exc)}") from exc
    except ServerUnavailable as exc:
        if exc.__cause__ is None:  # an HTTP 5xx or 429: the server is there but failing
            raise EnrollmentError("server_error", f"{server_url}: {exc}",
                                  "try again in a minute; if it persists, check the "
                                  "server's logs") from exc
        problem = diagnose_request_error(exc, server_url)
        raise EnrollmentError(problem.code, problem.message, problem.fix) from exc
    except IncompatibleServer as exc:
        message, fix = _REFUSALS["protocol_version"]
        raise EnrollmentError("protocol_version", message, fix) from exc
    except RequestRefused as exc:
        message, fix = _REFUSALS.get(exc.code, (
            f"the server refused the enrollment ({exc.status} {exc.code})",
            "check the terminal name and the code; " + ASK_ADMIN))
        raise EnrollmentError(exc.code if exc.code in _REFUSALS else "refused",
                              message, fix) from exc
    finally:
        client.close()
    if not isinstance(answer, dict) or not {"token", "terminal_id", "site"} <= answer.keys():
        raise _not_a_kiosk_server(server_url, "the enrollment without a token")
    if answer.get("protocol_version", PROTOCOL_VERSION) != PROTOCOL_VERSION:
        message, fix = _REFUSALS["protocol_version"]
        raise EnrollmentError("protocol_version", message, fix)
    return answer


def _seal_key(answer: dict[str, Any]) -> str | None:
    """The server's sealing public key from the enrollment answer, if it is one."""
    from contract.sealing import decode_key  # cryptography: loaded for the key pair anyway

    value = answer.get("seal_public_key")
    try:
        return value if isinstance(value, str) and decode_key(value) else None
    except ValueError:
        return None


def _check_server(client: ServerClient, server_url: str) -> None:
    """Before spending the code: the address is a kiosk server that speaks our version."""
    try:
        info = client.info()
    except ForeignAnswer as exc:  # a 404 page, or a 200 that is not JSON: another server
        raise _not_a_kiosk_server(server_url, _what(exc)) from exc
    except RequestRefused as exc:  # our server, yet no /v1/info: an odd version
        raise _not_a_kiosk_server(server_url, f"HTTP {exc.status}") from exc
    supported = info.get("supported_versions") if isinstance(info, dict) else None
    if not isinstance(supported, list):
        raise _not_a_kiosk_server(server_url, "JSON without supported_versions")
    if PROTOCOL_VERSION not in supported:
        raise EnrollmentError(
            "protocol_version", f"the server speaks protocol versions {supported}, this "
            f"terminal speaks {PROTOCOL_VERSION}",
            "upgrade the terminal or the server so that they share a protocol version")


def _what(exc: ForeignAnswer) -> str:
    """'HTTP 404', or what a 2xx of another shape is (a captive portal's page...)."""
    if exc.status is not None and not 200 <= exc.status < 300:
        return f"HTTP {exc.status}"
    return "a page that is not the kiosk server's JSON"


def _not_a_kiosk_server(server_url: str, what: str) -> EnrollmentError:
    return EnrollmentError(NOT_A_KIOSK_SERVER, f"{server_url} answers {what}, not as a kiosk "
                           "server", "check the address: it must be the kiosk server's base "
                           "URL, without a path such as /v1 or /admin")


def _give_to_data_dir_owner(path: Path) -> None:
    """``sudo kiosk enroll`` must not leave a root-only file the service user cannot read."""
    if os.geteuid() != 0:
        return
    owner = path.parent.stat()
    if owner.st_uid != 0:
        os.chown(path, owner.st_uid, owner.st_gid)


def _forget_cursor(database: Path) -> None:
    """Drop the pull cursor: the next pull is a full reset from the new enrollment's site."""
    if not database.exists():
        return
    try:
        conn = sqlite_errors.connect(str(database), timeout=5.0)
        try:
            with conn:
                forget_cursor_in(conn)
        finally:
            conn.close()
    except sqlite_errors.Error as exc:
        log.warning("could not reset the sync cursor (%s); the directory refreshes "
                    "at the next reset from the server", type(exc).__name__)
