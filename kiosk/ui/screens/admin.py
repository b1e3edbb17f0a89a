"""The admin screen: reader, touch test, network and outbox, versions and enrollment.

Opened by an admin badge and its PIN.  The core gathers an ``AdminReport``
off the UI thread every ``REFRESH_S`` seconds while this screen shows
(``Router.load_admin_report``); this screen only turns it into rows.  It ends
like a worker's session (timeout, next badge, Done) and ``clear()`` forgets
everything it showed.  Badge ids appear here (raw reader frames), never in logs.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from kivy.clock import Clock
from kivy.properties import (
    BooleanProperty,
    ColorProperty,
    NumericProperty,
    OptionProperty,
    StringProperty,
)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.utils import get_hex_from_color

from badge_reader.frames import ACCEPTED, REPEAT, FrameSnapshot
from kiosk.doctor.diagnostics import AdminReport, SyncSnapshot, format_age
from kiosk.ui.i18n import tr
from kiosk.ui.platform_info import graphics_versions
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.theme import theme
from kiosk.ui.widgets.common import TouchTarget
from kiosk.ui.widgets.status import reader_level, reader_words
from kiosk.ui.widgets.touch_pad import TouchPad  # noqa: F401  (registered for admin.kv)

REFRESH_S = 2.0
TABS = ("reader", "touch", "network", "system")
OUTBOX_AGE_WARN_S = 3600.0
Row = tuple[str, str, str]  # key, value, level ("", "ok", "warn", "error")


class AdminTab(TouchTarget, ButtonBehavior, BoxLayout):
    """One tab of the admin screen's bar (rule in admin.kv)."""

    text = StringProperty("")
    icon = StringProperty("")
    selected = BooleanProperty(False)


class InfoRow(BoxLayout):
    """A key and its value (wrapped when long), the value coloured by its level."""

    key = StringProperty("")
    value = StringProperty("")
    value_color = ColorProperty(theme.text)
    stacked = BooleanProperty(False)  # the key above the value, for narrow columns
    key_share = NumericProperty(0.42)  # of the row's width, side by side


def _level_color(level: str) -> list[float]:
    return {"ok": theme.ok, "warn": theme.warn, "error": theme.error}.get(level, theme.text)


def fill_rows(box: Any, rows: list[Row], stacked: bool = False, key_share: float = 0.42) -> None:
    """Show ``rows`` in ``box``, reusing its InfoRows (a refresh every 2 s rebuilds nothing)."""
    while len(box.children) > len(rows):
        box.remove_widget(box.children[0])
    while len(box.children) < len(rows):
        box.add_widget(InfoRow(stacked=stacked, key_share=key_share))
    for widget, (key, value, level) in zip(reversed(box.children), rows, strict=True):
        widget.key, widget.value, widget.value_color = key, value, _level_color(level)


def age_text(seconds: float) -> str:
    return format_age(seconds, {"s": tr._("{n} s"), "min": tr._("{n} min"),
                                "h": tr._("{n} h"), "d": tr._("{n} d")})


def clock_text(moment: float) -> str:
    """HH:MM:SS: diagnostics care about seconds (the rest of the screens show HH:MM)."""
    return datetime.fromtimestamp(moment).strftime("%H:%M:%S")


def _at(moment: float | None, now: float) -> str:
    if moment is None:
        return tr._("never")
    clock = clock_text(moment)
    return tr._("{time} ({age} ago)").format(time=clock, age=age_text(max(0.0, now - moment)))


class AdminScreen(KioskScreen):
    tab = OptionProperty("reader", options=TABS)
    footer_text = StringProperty("")
    updated_text = StringProperty("")
    reader_level = StringProperty("unknown")
    reader_title = StringProperty("")
    frames_text = StringProperty("")
    touch_text = StringProperty("")
    touch_downs = NumericProperty(0)
    touch_doubles = NumericProperty(0)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._report: AdminReport | None = None
        self._poll: Any = None
        self._pending = False  # a report is on its way: a slow worker never gets a queue

    # Called by the router ------------------------------------------------------------------

    def opened(self) -> None:
        """The PIN was right: start on the reader tab, with nothing from an earlier visit."""
        self.clear()
        self.tab = "reader"

    def show_report(self, report: AdminReport) -> None:
        self._pending = False
        self._report = report
        self.refresh()

    def entered(self) -> None:
        self._pending = False
        self._request()
        if self._poll is None:
            self._poll = Clock.schedule_interval(lambda _dt: self._request(), REFRESH_S)

    def left(self) -> None:
        self._stop_poll()

    def _request(self) -> None:
        if self.router is not None and not self._pending:
            self._pending = True
            self.router.load_admin_report(self.show_report)

    def _stop_poll(self) -> None:
        if self._poll is not None:
            self._poll.cancel()
            self._poll = None

    def pick(self, tab: str) -> None:
        self.tab = tab
        self.ids.panels.current = tab

    def reset_touch_test(self) -> None:
        self.ids.touch_pad.reset()

    # Drawing -----------------------------------------------------------------------------------

    def redraw(self) -> None:
        report = self._report
        if report is None:
            self._blank()
            return
        now = time.time()
        self.footer_text = tr._("Admin · {terminal} · {site}").format(
            terminal=report.terminal_name, site=report.site_name)
        self.updated_text = tr._("Updated {time}").format(time=clock_text(report.taken_at))
        self._draw_reader(report)
        fill_rows(self.ids.server_card.rows, self._server_rows(report, now))
        fill_rows(self.ids.outbox_card.rows, self._outbox_rows(report), key_share=0.64)
        versions = (*report.versions[:3], *graphics_versions(), *report.versions[3:])
        fill_rows(self.ids.versions_card.rows, [(k, v, "") for k, v in versions])
        fill_rows(self.ids.enrollment_card.rows, self._enrollment_rows(report), stacked=True)

    def _draw_reader(self, report: AdminReport) -> None:
        reader = report.reader
        self.reader_level = reader_level(reader.state)
        self.reader_title = reader_words(reader.state)
        frames = reader.frames
        rejects = " · ".join(f"{reason} {n}" for reason, n in sorted(frames.rejected.items()))
        rows: list[Row] = []
        if reader.state not in ("connected", "") and reader.message:
            rows.append((tr._("Problem"), reader.message, "error"))  # names the port, not a badge
        rows += [
            (tr._("Protocol"), reader.protocol, ""),
            (tr._("Port"), reader.source, ""),
            (tr._("Speed"), f"{reader.baud} baud" if reader.baud else "—", ""),
            (tr._("Frames"), tr._("{a} accepted · {r} repeats · {x} rejected").format(
                a=frames.accepted, r=frames.repeats, x=frames.rejected_total), ""),
            (tr._("Rejects"), rejects or tr._("none"), "warn" if rejects else ""),
        ]
        fill_rows(self.ids.reader_rows, rows, stacked=True)
        self.frames_text = self._frames_markup(frames)

    def _frames_markup(self, frames: FrameSnapshot) -> str:
        if not frames.frames:
            return tr._("No frame since the terminal started. Present a badge to see its bytes.")
        muted = get_hex_from_color(theme.text_muted)
        lines = []
        for frame in frames.frames:
            if frame.outcome == ACCEPTED:
                color, what = theme.ok, tr._("accepted")
            elif frame.outcome == REPEAT:
                color, what = theme.text_muted, tr._("repeat (card still on the reader)")
            else:
                color, what = theme.error, tr._("rejected: {reason}").format(reason=frame.reason)
            clock = clock_text(frame.wall_time)
            lines.append(f"[color={muted}]{clock}[/color]  [color={get_hex_from_color(color)}]"
                         f"{what}[/color]\n  {frame.hex}")
        return "\n".join(lines)

    def _server_rows(self, report: AdminReport, now: float) -> list[Row]:
        sync: SyncSnapshot = report.sync
        status = sync.status
        state = status.state.value if status else ""
        text = {
            "online": tr._("Server connected"),
            "connecting": tr._("Connecting to the server"),
            "offline": tr._("Server unreachable"),
            "not_enrolled": tr._("Terminal not enrolled"),
            "revoked": tr._("Terminal revoked"),
            "incompatible": tr._("Server version not supported"),
        }.get(state, tr._("Offline mode"))
        level = {"online": "ok", "connecting": "warn", "offline": "warn", "not_enrolled": "warn",
                 "revoked": "error", "incompatible": "error"}.get(state, "")
        rows: list[Row] = [
            (tr._("Address"), report.server_url or tr._("none (offline only)"), ""),
            (tr._("State"), text, level),
            (tr._("Last success"), _at(sync.last_success, now), ""),
            (tr._("Last error"), f"{sync.last_error} · {_at(sync.last_error_at, now)}"
             if sync.last_error else tr._("none"), "warn" if sync.last_error else ""),
        ]
        offset = status.clock_offset_s if status else None
        if offset is None:
            rows.append((tr._("Clock offset"), tr._("not known yet"), ""))
        else:
            words = (tr._("{n} s: in step with the server") if abs(offset) < 0.5
                     else tr._("{n} s, the server is ahead") if offset > 0
                     else tr._("{n} s, this terminal is ahead"))
            rows.append((tr._("Clock offset"), words.format(n=f"{abs(offset):.1f}"),
                         "warn" if abs(offset) > report.clock_warning_s else "ok"))
        # Changes from the server this terminal could not apply (kiosk.sync.apply): set aside,
        # the rest applied. Counted here; kiosk doctor says what to do.
        rows.append((tr._("Changes set aside"), str(report.quarantined),
                     "warn" if report.quarantined else ""))
        return rows

    def _outbox_rows(self, report: AdminReport) -> list[Row]:
        outbox = report.outbox
        if outbox is None:
            return [(tr._("Storage"), report.storage_error or tr._("not readable"), "error")]
        # A damaged file may still be readable: its counts, under what is wrong and the fix.
        damage: list[Row] = ([(tr._("Storage"), report.storage_error, "error")]
                             if report.storage_error else [])
        old = outbox.oldest_age_s is not None and outbox.oldest_age_s > OUTBOX_AGE_WARN_S
        rows: list[Row] = [
            (tr._("Waiting to be sent"), str(outbox.depth), "warn" if old else ""),
            (tr._("Oldest item"), age_text(outbox.oldest_age_s)
             if outbox.oldest_age_s is not None else "—", "warn" if old else ""),
            (tr._("Refused by the server"), str(outbox.rejected),
             "warn" if outbox.rejected else ""),
        ]
        if outbox.last_rejection:
            rows.append((tr._("Last refusal"), outbox.last_rejection, ""))
        return damage + rows

    def _enrollment_rows(self, report: AdminReport) -> list[Row]:
        info = report.enrollment
        if not info.enrolled:
            return [(tr._("Enrollment"), info.problem or tr._("not enrolled"),
                     "error" if info.problem else "warn"),
                    (tr._("Data folder"), report.data_dir, "")]
        terminal = report.terminal_name
        if info.terminal_id is not None:
            terminal += f" (id {info.terminal_id})"
        return [
            (tr._("Server"), info.server_url, ""),
            (tr._("Site"), info.site_name or "—", ""),
            (tr._("Terminal"), terminal, ""),
            (tr._("Token"), tr._("present (never shown)") if info.token_present
             else tr._("missing"), "ok" if info.token_present else "error"),
            (tr._("Data folder"), report.data_dir, ""),
        ]

    def _blank(self) -> None:
        self.footer_text = self.updated_text = self.reader_title = ""
        self.frames_text = ""
        self.reader_level = "unknown"
        fill_rows(self.ids.reader_rows, [])
        for card in ("server_card", "outbox_card", "versions_card", "enrollment_card"):
            fill_rows(self.ids[card].rows, [])

    def clear(self) -> None:
        self._stop_poll()
        self._pending = False
        self._report = None
        self.ids.touch_pad.reset()
        self.pick("reader")
        self._blank()
