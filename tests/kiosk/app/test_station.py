"""The station: badge reads and touches become sessions, with disk work on the core worker."""

import queue
import threading
from pathlib import Path

import pytest

from kiosk.app.media_worker import MediaWorker
from kiosk.app.station import Station
from kiosk.app.worker import CoreWorker
from kiosk.camera import Frame
from kiosk.camera.virtual import VirtualCamera
from kiosk.demo.company import demo_message_id as _mid
from kiosk.demo.company import seed_demo
from kiosk.domain.models import Direction, OutcomeKind, PhotoAttachment
from kiosk.domain.session import SessionPolicy
from kiosk.domain.terminal import Terminal
from tests.support.clocks_and_loops import FakeClock, MainLoop
from tests.support.station_view import RecordingView


@pytest.fixture
def seeded(tmp_path: Path) -> Path:
    path = tmp_path / "kiosk.sqlite3"
    term = Terminal.open(path)
    seed_demo(term.db)
    term.close()
    return path


@pytest.fixture
def rig(seeded):
    loop = MainLoop()
    worker = CoreWorker(lambda: Terminal.open(seeded), loop.deliver)
    worker.start()
    view = RecordingView()
    clock = FakeClock()
    station = Station(worker, view, SessionPolicy(timeout_s=30, punch_undo_s=8), now=clock)
    yield station, view, loop, clock
    worker.stop()

MSG = {n: _mid(n) for n in range(1, 8)}


def test_a_known_badge_opens_a_session_and_shows_the_welcome(rig):
    station, view, loop, _ = rig
    station.on_badge("0F00123456")
    loop.run_one()
    assert view.brief() == [("welcome", 1, Direction.IN)]
    assert station.session.employee.id == 1


def test_an_unknown_badge_shows_a_notice_and_opens_no_session(rig):
    station, view, loop, _ = rig
    station.on_badge("0BADBADBAD")
    loop.run_one()
    assert view.brief() == [("notice", OutcomeKind.UNKNOWN_BADGE)]
    assert station.session is None


def test_the_next_badge_ends_the_current_session_first(rig):
    station, view, loop, _ = rig
    station.on_badge("0F00123456")
    loop.run_one()
    station.on_badge("1A0067B3C2")
    loop.run_one()
    assert view.brief()[1:] == [("idle",), ("welcome", 2, Direction.IN)]


def test_inactivity_ends_the_session_and_returns_to_idle(rig):
    station, view, loop, clock = rig
    station.on_badge("0F00123456")
    loop.run_one()
    clock.now += 29
    station.tick()
    assert station.session is not None
    clock.now += 1
    station.tick()
    assert station.session is None
    assert view.brief()[-1] == ("idle",)


def test_switch_within_the_window_changes_the_direction(rig):
    station, view, loop, clock = rig
    station.on_badge("0F00123456")
    loop.run_one()
    clock.now += 3
    station.switch_punch()
    loop.run_one()
    assert view.brief()[-1] == ("punch", Direction.OUT, False)


def test_switch_after_the_window_does_nothing(rig):
    station, view, loop, clock = rig
    station.on_badge("0F00123456")
    loop.run_one()
    clock.now += 9
    station.switch_punch()
    with pytest.raises(queue.Empty):
        loop.run_one(timeout=0.3)


def test_an_inbox_that_arrives_after_the_session_ended_is_dropped(rig):
    station, view, loop, _ = rig
    station.on_badge("0F00123456")
    loop.run_one()
    got = []
    station.load_inbox(got.append)
    station.end_session()
    loop.run_one()
    assert got == []


def test_the_inbox_reaches_the_screen_during_the_session(rig):
    station, _, loop, _ = rig
    station.on_badge("0F00123456")
    loop.run_one()
    got = []
    station.load_inbox(got.append)
    loop.run_one()
    assert got and got[0][0].id == MSG[1]  # HR's medical check, to acknowledge, on top


def test_a_database_that_cannot_be_opened_gives_a_storage_notice(tmp_path):
    loop = MainLoop()
    blocker = tmp_path / "file"
    blocker.write_text("x")
    worker = CoreWorker(lambda: Terminal.open(blocker / "db" / "k.sqlite3"), loop.deliver)
    worker.start()
    view = RecordingView()
    station = Station(worker, view, SessionPolicy())
    station.on_badge("0F00123456")
    loop.run_one()
    worker.stop()
    assert view.brief() == [("notice", OutcomeKind.STORAGE_ERROR)]
    assert "cannot create the data folder" in station.storage_error


def test_the_worker_reopens_the_database_once_the_folder_is_fixed(tmp_path):
    loop = MainLoop()
    blocker = tmp_path / "data"
    blocker.write_text("x")
    worker = CoreWorker(lambda: Terminal.open(blocker / "k.sqlite3"), loop.deliver)
    worker.start()
    station = Station(worker, RecordingView(), SessionPolicy())
    station.on_badge("0F00123456")
    loop.run_one()
    blocker.unlink()
    blocker.mkdir()
    results = []
    worker.submit(lambda t: t.present_badge("0F00123456").kind, results.append)
    loop.run_one()
    worker.stop()
    assert results == [OutcomeKind.UNKNOWN_BADGE]  # opened (empty directory), no error


# Photos from the camera ------------------------------------------------------------------

@pytest.fixture
def media_rig(seeded):
    """A station with the runtime's media worker, as the running terminal has."""
    loop = MainLoop()
    worker = CoreWorker(lambda: Terminal.open(seeded), loop.deliver)
    worker.start()
    media = MediaWorker(loop.deliver)
    station = Station(worker, RecordingView(), SessionPolicy(), media=media)
    yield station, loop
    media.stop()
    worker.stop()


def test_a_camera_frame_is_developed_on_the_media_worker_and_handed_back_to_the_ui(media_rig):
    station, loop = media_rig
    developed_on: list[str] = []
    photos: list[PhotoAttachment] = []

    def done(photo: PhotoAttachment) -> None:
        developed_on.append(threading.current_thread().name)
        photos.append(photo)

    station.develop_photo(VirtualCamera(size=(320, 180)).render(1), done,
                          lambda exc: pytest.fail(f"unexpected {exc!r}"))
    loop.run_one(timeout=10)
    assert developed_on == [threading.current_thread().name]  # the "UI thread"
    assert photos[0].width == 320 and photos[0].data[:2] == b"\xff\xd8"


def test_a_broken_frame_is_reported_and_the_next_one_still_develops(media_rig):
    station, loop = media_rig
    errors: list[Exception] = []
    photos: list[PhotoAttachment] = []
    station.develop_photo(Frame(100, 100, b"\x00" * 10), photos.append, errors.append)
    station.develop_photo(VirtualCamera(size=(320, 180)).render(1), photos.append, errors.append)
    loop.run_one(timeout=10)
    loop.run_one(timeout=10)
    assert len(errors) == 1 and isinstance(errors[0], ValueError) and len(photos) == 1
