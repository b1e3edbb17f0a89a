"""Camera: a live preview, a big Take photo button, then the frozen picture to use or retake.

The camera runs only while this screen is shown (``entered`` opens it, ``left``
closes it). Use (and Annotate) hand the captured frame to the photo worker, a
thread of its own: the frame is encoded and goes through ``prepare_photo`` (upright,
no metadata, <= 1600 px, q85) and the resulting ``PhotoAttachment`` goes to the
router. Any failure to get a camera (none configured, no OpenCV, no device, or
unplugged or stalled while live) shows "No camera on this terminal" with a way back.
The device itself is only touched on the camera source's thread (``kiosk.camera``).
``clear`` (the session ended) drops the captured frame and the texture, so nothing of
the picture stays.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kivy.graphics.texture import Texture
from kivy.properties import (
    BooleanProperty,
    ListProperty,
    ObjectProperty,
    OptionProperty,
    StringProperty,
)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk.camera import CameraUnavailable, Frame
from kiosk.domain.models import PhotoAttachment
from kiosk.domain.session import Session
from kiosk.ui.i18n import tr
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.widgets.camera_feed import SourceFeed, open_feed
from kiosk.ui.widgets.common import TouchTarget

if TYPE_CHECKING:  # loaded with the first camera opened, not at the terminal's start
    from kiosk.camera.virtual import VirtualCamera

log = logging.getLogger(__name__)

STATES = ("off", "starting", "live", "captured", "working", "none")
DEFAULT_ASPECT = 16 / 9


class CameraPreview(Widget):
    """The camera picture, as large as fits, aspect kept, centred, corners rounded."""

    texture = ObjectProperty(None, allownone=True)
    fit_pos = ListProperty([0, 0])
    fit_size = ListProperty([0, 0])

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for name in ("pos", "size", "texture"):
            self.fbind(name, self._fit)

    def _fit(self, *_: Any) -> None:
        texture = self.texture
        if texture is not None and texture.width and texture.height:
            aspect = texture.width / texture.height
        else:
            aspect = DEFAULT_ASPECT  # the stage waiting for the first frame has the usual shape
        scale = min(self.width / aspect, self.height)
        width, height = aspect * scale, scale
        self.fit_size = [width, height]
        self.fit_pos = [self.center_x - width / 2, self.center_y - height / 2]


class ActionTile(TouchTarget, ButtonBehavior, BoxLayout):
    """The screen's main action: a tall button, big icon above a label that may wrap
    (French labels are long and the action column is narrow)."""

    text = StringProperty("")
    icon = StringProperty("")
    primary = BooleanProperty(False)  # blue; else light (the shutter)


class CameraScreen(KioskScreen):
    state = OptionProperty("off", options=STATES)
    texture = ObjectProperty(None, allownone=True)
    name_text = StringProperty("")
    notice_text = StringProperty("")
    can_annotate = BooleanProperty(False)

    def __init__(self, source: str = "auto", index: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.index = index
        # The test-pattern camera keeps its state (unplugged or not) across openings.
        self.virtual: VirtualCamera | None = None
        self._feed: SourceFeed | None = None
        self._frame: Frame | None = None
        self._generation = 0  # bumped by clear(): a photo developed for a gone session is dropped
        # Strong references: ``ids`` holds weak proxies, and the hidden parts leave the tree.
        self._bodies = {"camera": self.ids.camera_body.__self__,
                        "none": self.ids.none_body.__self__}
        self._columns = {"live": self.ids.live_actions.__self__,
                         "review": self.ids.review_actions.__self__}
        for part in (*self._bodies.values(), *self._columns.values()):
            part.parent.remove_widget(part)  # written at the rule's top level; placed by on_state
        self.on_state()

    # Set up by the router ----------------------------------------------------------------

    def start(self, session: Session) -> None:
        """A fresh camera for ``session``'s worker; the device opens when the screen shows."""
        self.clear()
        employee = session.employee
        self.name_text = employee.first_name or employee.display_name
        self.state = "starting"

    def entered(self) -> None:
        self.can_annotate = callable(getattr(self.router, "open_drawing", None))
        if self.state == "starting" and self._feed is None:
            self._open()

    def left(self) -> None:
        # Out of sight, the camera is off and the picture forgotten (Use/Annotate already
        # handed the photo on; Back and Done drop it).
        self._close()
        self._frame = None
        if self.state != "none":
            self.state = "off"

    # The worker's taps -------------------------------------------------------------------

    def capture(self) -> None:
        if self.state != "live" or self._feed is None:
            return
        frame = self._feed.capture()
        if frame is not None:
            self._frame = frame
            self.notice_text = ""
            self.state = "captured"

    def retake(self) -> None:
        if self.state != "captured" or self._feed is None:
            return
        self._frame = None
        self.notice_text = ""
        self._feed.resume()
        self.state = "live"

    def use(self) -> None:
        self._develop(lambda photo: self.router.photo_taken(photo))

    def annotate(self) -> None:
        if self.can_annotate:
            self._develop(lambda photo: self.router.open_drawing(photo.data))

    def back(self) -> None:
        if self.router is not None:
            self.router.back()

    # Behind the taps ---------------------------------------------------------------------

    def _open(self) -> None:
        if self.source == "virtual" and self.virtual is None:
            from kiosk.camera.virtual import VirtualCamera

            self.virtual = VirtualCamera()
        try:
            feed = open_feed(self.source, self.index, self.virtual, self._texture_changed,
                             self._lost)
            feed.start()
        except CameraUnavailable as exc:
            log.info("no camera (%s)", exc.reason)
            self.state = "none"
            return
        self._feed = feed

    def _close(self) -> None:
        feed, self._feed = self._feed, None
        if feed is not None:
            feed.stop()
        self.texture = None

    def _texture_changed(self, texture: Texture) -> None:
        if self._feed is None:
            return
        self.texture = texture
        self.ids.preview.canvas.ask_update()  # same texture object, new pixels
        if self.state == "starting":
            self.state = "live"

    def _lost(self, reason: str) -> None:
        log.info("camera lost while shown (%s)", reason)
        self._feed = None
        self.texture = None
        self._frame = None
        self.state = "none"

    def _develop(self, then: Callable[[PhotoAttachment], None]) -> None:
        if self.state != "captured" or self._frame is None or self.router is None:
            return
        self.state = "working"
        self.notice_text = tr._("Preparing the photo…")
        generation = self._generation

        def done(photo: PhotoAttachment) -> None:
            if generation != self._generation or self.state != "working":
                return  # the session ended, or the worker left, meanwhile
            self.state = "captured"
            self.notice_text = ""
            then(photo)

        def failed(_exc: Exception) -> None:
            if generation == self._generation and self.state == "working":
                self.state = "captured"
                self.notice_text = tr._("This photo cannot be used. Take it again.")

        # On the runtime's media worker: no screen owns a thread.
        self.router.develop_photo(self._frame, done, failed)

    # Drawing -------------------------------------------------------------------------------

    def on_state(self, *_: Any) -> None:
        body = self.ids.body
        body.clear_widgets()
        body.add_widget(self._bodies["none" if self.state == "none" else "camera"])
        actions = self.ids.actions
        actions.clear_widgets()
        review = self.state in ("captured", "working")
        actions.add_widget(self._columns["review" if review else "live"])

    @property
    def captured(self) -> Frame | None:
        """The frame taken and not yet used or retaken (None when there is none)."""
        return self._frame

    def clear(self) -> None:
        self._generation += 1
        self._close()
        self._frame = None
        self.name_text = ""
        self.notice_text = ""
        self.state = "off"
