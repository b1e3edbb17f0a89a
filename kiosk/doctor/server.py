"""Doctor checks of the central server: enrollment, reachability, protocol, clock, token.

Two requests at most, each bounded by ``timeout_s``: ``GET /v1/info`` (no
token: reachability, protocol versions, server clock) and, when enrolled,
``GET /v1/pull?wait=0`` with the token, streamed and closed unread: only its
status matters (401 unknown token, 403 revoked).  It sends the terminal's saved
cursor so the server has little to compute.  The token is never printed.
"""

from __future__ import annotations

import stat
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import requests

from kiosk.doctor.cache import check_cache
from kiosk.doctor.check import Check, current_user, failed, passed, service_user
from kiosk.settings.config import Config
from kiosk.storage import sqlite as sqlite_errors
from kiosk.sync.client import PROTOCOL_HEADER, PROTOCOL_VERSION
from kiosk.sync.credentials import Enrollment, enrollment_path, load_enrollment
from kiosk.sync.enrollment import describe
from kiosk.sync.netdiag import check_url, diagnose_request_error, diagnose_response
from kiosk.sync.signing import RequestSigner, load_key

ENROLL_HINT = "kiosk enroll --server URL --code CODE"


@dataclass(frozen=True)
class ServerReport:
    checks: list[Check]
    syncing: bool  # enrolled with a server: the outbox is expected to drain


def check_server(config: Config, *, timeout_s: float) -> ServerReport:
    data_dir = config.data_dir
    checks: list[Check] = []
    enrollment, problem = _load(data_dir)
    if problem is not None:
        return ServerReport([problem], False)
    url = (config["server.url"] or (enrollment.server_url if enrollment else "")).rstrip("/")
    if enrollment is None and not url:
        return ServerReport([passed("enrollment", "offline-only terminal: no server.url "
                                    "configured and not enrolled")], False)
    if enrollment is None:
        checks.append(failed("enrollment", "error", f"not enrolled with {url}",
                             "ask the admin for a code (python -m server terminals enroll-code "
                             f"--site SITE_ID), then: {ENROLL_HINT.replace('URL', url)}"))
    else:
        checks += _enrollment_checks(config, enrollment, data_dir)
    bad_url = check_url(url)
    if bad_url is not None:
        return ServerReport(checks + [failed("server", "error", bad_url.message, bad_url.fix)],
                            enrollment is not None)
    with requests.Session() as session:
        session.headers[PROTOCOL_HEADER] = str(PROTOCOL_VERSION)
        info_checks, reachable = _info_checks(session, url, config, timeout_s)
        checks += info_checks
        if reachable and enrollment is not None:
            checks.append(_token_check(session, url, enrollment, config.database_path, timeout_s))
        if enrollment is not None:
            checks.append(check_cache(
                session, url, enrollment, config.database_path, timeout_s, reachable=reachable,
                sign=lambda r: _sign(r, url, enrollment.token, data_dir)))
    return ServerReport(checks, enrollment is not None)


def _load(data_dir: Path) -> tuple[Enrollment | None, Check | None]:
    """The enrollment, or a check saying why it cannot be read."""
    path = enrollment_path(data_dir)
    try:
        return load_enrollment(data_dir), None
    except ValueError:
        return None, failed("enrollment", "error", f"{path} is damaged",
                            f"enroll again with a new code: {ENROLL_HINT} --force")
    except PermissionError:
        return None, failed("enrollment", "error", f"{path} is not readable by "
                            f"{current_user()} (made by another user)",
                            f"chown {service_user()}: {path}")
    except OSError:
        return None, None  # no data folder: not enrolled; the data_dir check says why


def _enrollment_checks(config: Config, enrollment: Enrollment, data_dir: Path) -> list[Check]:
    checks = [passed("enrollment", f"enrolled as {describe(enrollment)}")]
    mode = stat.S_IMODE(enrollment_path(data_dir).stat().st_mode)
    if mode & 0o077:
        checks.append(failed("enrollment", "warning",
                             f"{enrollment_path(data_dir)} (the terminal's token) is readable by "
                             f"other users (mode {mode:o})",
                             f"chmod 600 {enrollment_path(data_dir)}"))
    configured = config["server.url"].rstrip("/")
    if configured and configured != enrollment.server_url.rstrip("/"):
        checks.append(failed("enrollment", "warning",
                             f"server.url is {configured} but the terminal was enrolled with "
                             f"{enrollment.server_url}: its token is sent to the configured one",
                             "leave server.url empty (the enrollment remembers its server), set "
                             f"it to {enrollment.server_url}, or enroll with {configured}"))
    return checks


def _info_checks(session: requests.Session, url: str, config: Config,
                 timeout_s: float) -> tuple[list[Check], bool]:
    """Reachable, a kiosk server, our protocol, and the clock offset; (checks, reachable)."""
    sent = time.time()
    try:
        response = session.get(url + "/v1/info", timeout=(timeout_s, timeout_s))
    except requests.RequestException as exc:
        problem = diagnose_request_error(exc, url)
        return [failed("server", "error", problem.message, problem.fix)], False
    received = time.time()
    problem = diagnose_response(response, url)
    if problem is not None:
        return [failed("server", "error", problem.message, problem.fix)], False
    info = response.json()
    checks = [passed("server", f"{url} answers (kiosk server {info.get('server_version', '?')},"
                     f" {1000 * (received - sent):.0f} ms)")]
    supported = info["supported_versions"]
    if PROTOCOL_VERSION not in supported:
        checks.append(failed("protocol", "error", f"the server speaks protocol versions "
                             f"{supported}, this terminal speaks {PROTOCOL_VERSION}",
                             "upgrade the terminal or the server so that they share a version"))
        return checks, False
    checks.append(_clock_check(info.get("server_time"), (sent + received) / 2,
                               config["server.clock_warning_s"]))
    return checks, True


def _clock_check(server_time: object, local_mid: float, threshold_s: int) -> Check:
    """Server minus terminal clock, the server time taken at the request's midpoint."""
    try:
        offset = datetime.fromisoformat(str(server_time)).timestamp() - local_mid
    except ValueError:
        return failed("clock", "warning", "the server sent no usable time", "upgrade the server")
    direction = "behind" if offset > 0 else "ahead of"
    text = f"this terminal's clock is {abs(offset):.1f} s {direction} the server's"
    if abs(offset) > threshold_s:
        return failed("clock", "warning", f"{text} (limit server.clock_warning_s = "
                      f"{threshold_s} s): punch times will be wrong",
                      "turn on time sync: timedatectl set-ntp true, and check "
                      "timedatectl status; a Raspberry Pi has no battery clock, so it needs the "
                      "network (or an RTC module) at boot")
    return passed("clock", text)


def _saved_cursor(database: Path) -> str | None:
    if not database.exists():
        return None
    try:
        conn = sqlite_errors.connect(database.resolve().as_uri() + "?mode=ro", uri=True,
                                     timeout=2.0)
        try:
            # The pull's own cursor is in the encrypted cache; this copy needs no key.
            row = conn.execute("SELECT value FROM sync_state WHERE key IN ('last_cursor', "
                               "'cursor') ORDER BY key = 'cursor'").fetchone()
        finally:
            conn.close()
    except sqlite_errors.Error:
        return None
    return row[0] if row else None


def _token_check(session: requests.Session, url: str, enrollment: Enrollment, database: Path,
                 timeout_s: float) -> Check:
    params: dict[str, str | int] = {"wait": 0}
    cursor = _saved_cursor(database)
    if cursor:
        params["cursor"] = cursor
    headers = {"Authorization": f"Bearer {enrollment.token}"}
    terminal = f"terminal {enrollment.terminal_id}"
    request = session.prepare_request(
        requests.Request("GET", url + "/v1/pull", params=params, headers=headers))
    _sign(request, url, enrollment.token, database.parent)
    try:
        with session.send(request, timeout=(timeout_s, timeout_s), stream=True) as response:
            status = response.status_code
            code = _error_code(response) if status >= 400 else ""
    except requests.RequestException as exc:
        problem = diagnose_request_error(exc, url)
        return failed("token", "warning", f"token not checked: {problem.message}", problem.fix)
    if status < 400 or code == "invalid_cursor":
        return passed("token", f"the server accepts the token of {terminal}")
    if code == "terminal_revoked":
        return failed("token", "error", f"{terminal} was revoked by the admin: it no longer "
                      "syncs (its unsent items stay in the outbox)",
                      "if this terminal should work, ask the admin for a new code and enroll "
                      f"again: {ENROLL_HINT.replace('URL', url)} --force")
    if code == "signature_stale":
        return failed("token", "error", f"the server refuses {terminal}'s signed requests: "
                      "this machine's clock is more than 5 minutes off the server's",
                      "set the clock: sudo timedatectl set-ntp true (the terminal itself "
                      "signs on the server's time once it got an answer)")
    if code in ("signature_required", "signature_invalid"):
        return failed("token", "error", f"the server refuses {terminal}'s token without "
                      "the signing key it knows (signing-key missing or replaced)",
                      f"enroll again: {ENROLL_HINT.replace('URL', url)} --force")
    if status == 401:
        return failed("token", "error", f"the server does not know the token of {terminal} "
                      "(a server restored from backup, or another server at this address)",
                      f"enroll again: {ENROLL_HINT.replace('URL', url)} --force")
    return failed("token", "warning", f"the server answered the token check with HTTP {status} "
                  f"{code}".rstrip(), "check the server's logs")


def _sign(request: requests.PreparedRequest, url: str, token: str, data_dir: Path) -> None:
    """Sign the check as the terminal signs its requests (a bound token alone is refused);
    unsigned when this terminal has no key (enrolled before keys, or unreadable)."""
    try:
        key = load_key(data_dir)
    except (ValueError, OSError):
        key = None
    if key is None:
        return
    path = request.path_url
    base = urlsplit(url).path
    if base and path.startswith(base):
        path = path[len(base):]
    request.headers.update(RequestSigner(key).headers(request.method or "GET", path, b"",
                                                      token))


def _error_code(response: requests.Response) -> str:
    try:
        return str(response.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return ""
