"""The idle screen tells what the sync worker knows: offline, revoked, refused items, clock."""

from kiosk.sync.status import SyncState, SyncStatus


def show(app, status: SyncStatus) -> str:
    app.shell.status.set_sync(status, 60.0)
    app.pump(0.1)
    return app.screen("idle").server_text


def test_a_clock_far_off_the_servers_is_warned_about_on_the_idle_screen(app):
    text = show(app, SyncStatus(SyncState.ONLINE, clock_offset_s=600))
    assert "10" in text and "horloge" in text


def test_a_small_clock_offset_is_not_mentioned(app):
    assert "horloge" not in show(app, SyncStatus(SyncState.ONLINE, clock_offset_s=5))


def test_a_revoked_terminal_says_so(app):
    assert "révoqué" in show(app, SyncStatus(SyncState.REVOKED, "revoked")).lower()


def test_items_refused_by_the_server_are_counted_on_screen(app):
    text = show(app, SyncStatus(SyncState.ONLINE, rejected=2))
    assert "2 refusés" in text


def test_waiting_items_are_counted_while_the_server_is_unreachable(app):
    text = show(app, SyncStatus(SyncState.OFFLINE, "down", outbox_depth=3))
    assert "3" in text
