"""The station: turns badge reads and touches into sessions, on the UI (or main) thread.

It owns the current ``Session`` and hands disk work to the ``CoreWorker`` (and the
rendering of a message's picture to the ``MediaWorker``, so badge reads never wait
behind it).  It never draws: it tells a ``StationView`` what to show.  Results that come back
after their session ended (the worker is fast, but a worker can walk away
faster) are dropped, so nothing of a previous worker reaches the screen.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from kiosk.app.admin_desk import AdminDesk
from kiosk.app.media_worker import MediaWorker
from kiosk.app.worker import CoreWorker
from kiosk.domain.admin import AdminPinState
from kiosk.domain.models import (
    Attachment,
    BadgeOutcome,
    Contact,
    Message,
    MessageSummary,
    OutcomeKind,
    PhotoAttachment,
    Punch,
    SendRefused,
    SentMessage,
    StagedAttachment,
)
from kiosk.domain.session import Session, SessionPolicy
from kiosk.storage import StorageError

if TYPE_CHECKING:  # the camera's modules load with the first photo, not at start
    from kiosk.camera.frames import Frame


QUICK_REPLY_UNDO_S = 5.0  # a one-tap quick reply can be taken back this long


class StationView(Protocol):
    """What the station asks a front end (Kivy screens, or the headless log) to show."""

    def show_idle(self) -> None: ...

    def show_welcome(self, session: Session, outcome: BadgeOutcome) -> None: ...

    def show_notice(self, outcome: BadgeOutcome) -> None: ...

    def show_punch_changed(self, session: Session) -> None: ...

    def show_admin_pin(self, state: AdminPinState) -> None: ...

    def show_admin(self) -> None: ...


class Station:
    def __init__(
        self,
        worker: CoreWorker,
        view: StationView,
        policy: SessionPolicy,
        now: Callable[[], float] = time.monotonic,
        media: MediaWorker | None = None,
    ) -> None:
        self._worker = worker
        # Stages a message's photo or drawing before the core queues it; None: the core
        # stages it inline (tests, tools), as the headless API always could.
        self._media = media
        self._view = view
        self._policy = policy
        self._now = now
        self.session: Session | None = None
        self.storage_error: str = ""
        # The admin badge's session (PIN, then the admin screen); never with a worker's.
        self.admin = AdminDesk(worker, view, lambda: self._policy.timeout_s, now,
                               self._badge_failed)

    # Badge reads ---------------------------------------------------------

    def on_badge(self, badge: str) -> None:
        """A badge was read: the previous session (if any) ends now, then the core decides."""
        self.end_session()
        self._worker.submit(
            lambda t: t.present_badge(badge), self._badge_done, self._badge_failed
        )

    def _badge_done(self, outcome: BadgeOutcome) -> None:
        self.storage_error = ""
        if outcome.kind is OutcomeKind.WELCOME and outcome.employee is not None:
            self.session = Session(outcome.employee, outcome.punch, self._now(), self._policy,
                                   messages_locked=outcome.messages_locked)
            self._view.show_welcome(self.session, outcome)
        elif outcome.kind is OutcomeKind.ADMIN:
            self.admin.open(outcome)
        else:
            self._view.show_notice(outcome)

    def _badge_failed(self, exc: Exception) -> None:
        self.storage_error = str(exc) if isinstance(exc, StorageError) else "internal error"
        self._view.show_notice(BadgeOutcome(OutcomeKind.STORAGE_ERROR, detail=self.storage_error))

    # Session -------------------------------------------------------------

    def touch(self) -> None:
        if self.session is not None:
            self.session.touch(self._now())
        self.admin.touch()

    def tick(self) -> None:
        """Called about once a second: ends a session (a worker's or an admin's) left idle."""
        if self.session is not None and self.session.expired(self._now()):
            self.end_session()
        elif self.admin.expired():
            self.end_session()

    def end_session(self) -> None:
        ended = self.admin.close()
        if self.session is not None:
            self.session = None
            ended = True
        if ended:
            self._view.show_idle()

    def use_policy(self, policy: SessionPolicy) -> None:
        """Timeouts for the sessions opened from now on (site settings changed).  The
        current session keeps the policy it opened with: a shorter timeout arriving
        mid-session must not end a worker's session under their fingers."""
        self._policy = policy

    @property
    def policy(self) -> SessionPolicy:
        return self._policy

    def can_change_punch(self) -> bool:
        return self.session is not None and self.session.can_change_punch(self._now())

    def switch_punch(self) -> None:
        session = self.session
        if session is None or session.punch is None or not self.can_change_punch():
            return
        session.touch(self._now())
        punch_id = session.punch.id

        def done(punch: Punch) -> None:
            if self.session is session:
                session.punch_switched(punch)
                self._view.show_punch_changed(session)

        self._worker.submit(lambda t: t.switch_punch(punch_id), done, self._badge_failed)

    def undo_punch(self) -> None:
        session = self.session
        if session is None or session.punch is None or not self.can_change_punch():
            return
        session.touch(self._now())
        punch_id = session.punch.id

        def done(_: None) -> None:
            if self.session is session:
                session.punch_voided()
                self._view.show_punch_changed(session)

        self._worker.submit(lambda t: t.undo_punch(punch_id), done, self._badge_failed)

    # Messages --------------------------------------------------------------

    def load_inbox(
        self,
        on_result: Callable[[list[MessageSummary]], None],
        before: MessageSummary | None = None,
    ) -> None:
        """The newest page of the worker's inbox, or the page older than ``before``."""
        self._for_session(lambda t, emp: t.inbox(emp, before), on_result)

    def load_unread_count(self, on_result: Callable[[int], None]) -> None:
        self._for_session(lambda t, emp: t.unread_count(emp), on_result)

    def open_message(self, message_id: str, on_result: Callable[[Message | None], None]) -> None:
        self._for_session(lambda t, emp: t.open_message(message_id, emp), on_result)

    def acknowledge(
        self, message_id: str, on_result: Callable[[datetime | None], None]
    ) -> None:
        self._for_session(lambda t, emp: t.acknowledge(message_id, emp), on_result)

    def load_contacts(self, on_result: Callable[[list[Contact]], None]) -> None:
        self._for_session(lambda t, emp: t.contacts(emp), on_result)

    def load_sent(self, on_result: Callable[[list[SentMessage]], None]) -> None:
        self._for_session(lambda t, emp: t.sent(emp), on_result)

    def send(
        self,
        to_employees: list[int],
        to_groups: list[int],
        body: str,
        reply_to: str | None,
        on_result: Callable[[str], None],
        on_refused: Callable[[SendRefused], None],
        attachment: Attachment | None = None,
    ) -> None:
        """Queue the session worker's message (with a photo or drawing if given); a refusal
        (not a storage fault) goes to ``on_refused`` so the screen can say why and keep
        the draft.  With a media worker, the attachment is staged there first, then the
        core writes the message (one transaction); a session that ended meanwhile
        sends nothing."""
        employees, groups = list(to_employees), list(to_groups)
        media, session = self._media, self.session
        if attachment is None or media is None or session is None:
            extra = {"attachment": attachment} if attachment is not None else {}
            self._for_session(
                lambda t, emp: t.send_message(emp, employees, groups, body, reply_to, **extra),
                on_result, on_refused,
            )
            return
        session.touch(self._now())

        def staged(ready: StagedAttachment) -> None:
            if self.session is session:  # the worker may have walked away meanwhile
                self._for_session(
                    lambda t, emp: t.send_message(emp, employees, groups, body, reply_to,
                                                  attachment=ready),
                    on_result, on_refused,
                )

        media.submit(lambda: _stage(attachment), staged, self._failed(session, on_refused))

    def send_quick_reply(
        self,
        message: Message,
        text: str,
        on_result: Callable[[str], None],
        on_refused: Callable[[SendRefused], None],
    ) -> None:
        """One tap: ``text`` to ``message``'s sender at once, held back in the outbox for
        QUICK_REPLY_UNDO_S (committed now: a power cut in the window loses nothing,
        the reply just leaves after the restart); ``undo_send`` takes it back meanwhile."""
        if message.sender_id is None:
            return
        to = [message.sender_id]
        self._for_session(
            lambda t, emp: t.send_message(emp, to, [], text, message.id,
                                          hold_s=QUICK_REPLY_UNDO_S),
            on_result, on_refused,
        )

    def undo_send(self, message_id: str, on_result: Callable[[bool], None]) -> None:
        """Take back a quick reply still in its undo window (False: too late)."""
        self._for_session(lambda t, emp: t.withdraw_message(message_id, emp), on_result)

    def develop_photo(
        self,
        frame: Frame,
        on_done: Callable[[PhotoAttachment], None],
        on_error: Callable[[Exception], None],
    ) -> None:
        """The camera's ``frame`` made into the photo a message carries, on the media
        worker (tens of milliseconds: never on the UI thread, never on the core worker,
        which must stay free for badges).  Without a media worker (tests, tools) it runs
        here."""
        if self.session is not None:
            self.session.touch(self._now())
        if self._media is None:
            try:
                photo = _develop(frame)
            except Exception as exc:  # a broken frame: the camera screen says so
                on_error(exc)
                return
            on_done(photo)
            return
        self._media.submit(lambda: _develop(frame), on_done, on_error)

    def load_attachment(
        self, sha256: str, on_result: Callable[[tuple[bytes, str] | None], None]
    ) -> None:
        """A photo's (or rendered drawing's) bytes and content type; None if not here yet."""
        self._for_session(lambda t, _emp: t.attachment(sha256), on_result)

    def _for_session(self, call, on_result, on_refused=None) -> None:  # type: ignore[no-untyped-def]
        session = self.session
        if session is None:
            return
        session.touch(self._now())
        employee_id = session.employee.id

        def done(result) -> None:  # type: ignore[no-untyped-def]
            if self.session is session:  # never show a result to the next worker
                on_result(result)

        self._worker.submit(lambda t: call(t, employee_id), done,
                            self._failed(session, on_refused))

    def _failed(
        self, session: Session, on_refused: Callable[[SendRefused], None] | None
    ) -> Callable[[Exception], None]:
        """A refusal to ``on_refused`` (if ``session`` still runs); a fault to the notice."""

        def failed(exc: Exception) -> None:
            if on_refused is not None and isinstance(exc, SendRefused):
                if self.session is session:
                    on_refused(exc)
            else:
                self._badge_failed(exc)

        return failed


def _stage(attachment: Attachment) -> StagedAttachment:
    # On the media thread: Pillow and the renderer load there, on the first picture.
    from kiosk.domain.message_attachments import stage

    return stage(attachment)


def _develop(frame: Frame) -> PhotoAttachment:
    # On the media thread: Pillow loads there, with the first photo taken.
    from kiosk.camera.develop import develop

    return develop(frame)
