"""The result type of ``kiosk doctor`` and the permission advice its checks share.

A ``Check`` passes (``ok``) or names the problem (``summary``) and what to do
(``fix``).  ``severity`` says how bad a failure is: ``error`` (the terminal
cannot do its job: ``kiosk doctor`` exits non-zero), ``warning`` (it works, but
something will bite), ``info`` (passing checks and plain facts).
"""

from __future__ import annotations

import grp
import os
import pwd
import stat
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]

SERVICE_USER = "kiosk"       # the user deploy/install.sh creates and the unit runs as
SERVICE_NAME = "kiosk-terminal"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    severity: Severity
    summary: str
    fix: str = ""


def passed(name: str, summary: str) -> Check:
    return Check(name, True, "info", summary)


def failed(name: str, severity: Severity, summary: str, fix: str) -> Check:
    return Check(name, False, severity, summary, fix)


def current_user() -> str:
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:  # a uid without a passwd entry (containers)
        return str(os.geteuid())


def service_user() -> str:
    """Who the fixes should name: this user, or the service user when run as root."""
    return SERVICE_USER if os.geteuid() == 0 else current_user()


def group_name(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def access_fix(path: str, user: str, group: str, in_group_db: bool, in_session: bool) -> str:
    """What to do when ``user`` cannot open ``path``, owned by ``group`` (pure, for tests)."""
    if group in ("root", "0"):
        return (f"{path} belongs to root alone: give it to a group with a udev rule, e.g. "
                f'SUBSYSTEM=="tty", GROUP="dialout", MODE="0660" in '
                f"/etc/udev/rules.d/60-kiosk.rules, then: udevadm trigger")
    if in_group_db and not in_session:
        return (f"{user} is in the {group} group, but this login session started before: "
                f"log out and back in; the service gets it at its next start: "
                f"systemctl restart {SERVICE_NAME}")
    return (f"add the {user} user to the {group} group: usermod -aG {group} {user}, "
            f"then log out and back in (the service gets it at its next start)")


def device_access_fix(path: str) -> str:
    """``access_fix`` for an existing device node, from its owner group and this process."""
    st = os.stat(path)
    group = group_name(st.st_gid)
    user = service_user()
    try:
        members = grp.getgrgid(st.st_gid).gr_mem
    except KeyError:
        members = []
    try:
        primary = pwd.getpwnam(user).pw_gid == st.st_gid
    except KeyError:
        primary = False
    in_session = st.st_gid in os.getgroups() or st.st_gid == os.getegid()
    return access_fix(path, user, group, user in members or primary, in_session)


def describe_mode(path: str) -> str:
    """'crw-rw---- root:dialout' for a path, for messages."""
    st = os.stat(path)
    try:
        owner = pwd.getpwuid(st.st_uid).pw_name
    except KeyError:
        owner = str(st.st_uid)
    return f"{stat.filemode(st.st_mode)} {owner}:{group_name(st.st_gid)}"
