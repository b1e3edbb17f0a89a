"""The idle screen tells a damaged database from other storage faults: site IT must act."""

from kiosk.app.runtime import StorageStatus
from kiosk.sync.status import SyncState, SyncStatus
from kiosk.ui.tooling.layout_check import layout_problems


def test_a_damaged_database_is_named_on_the_idle_screen(app):
    idle = app.screen("idle")
    try:
        app.shell.status.set_storage(StorageStatus(False, "the database is damaged", True))
        app.pump(0.1)
        assert idle.storage_text == "Base endommagée"
    finally:
        app.shell.status.set_storage(StorageStatus(True))
    app.pump(0.1)
    assert idle.storage_text == "Stockage OK"


def test_the_damaged_database_chip_fits_beside_a_long_server_status(app):
    idle = app.screen("idle")
    status = app.shell.status
    before = SyncStatus(SyncState(status.server_state or "disabled"))
    try:
        status.set_storage(StorageStatus(False, "the database is damaged", True))
        status.set_sync(SyncStatus(SyncState.OFFLINE, "down", outbox_depth=12), 60.0)
        app.pump(0.2)
        chips = [idle.ids[name] for name in ("reader_chip", "storage_chip", "server_chip")]
        assert [(c.x >= 0, c.right <= idle.width) for c in chips] == [(True, True)] * 3
        assert layout_problems(idle, app.shell.runtime.config["display.dpi"]) == []
    finally:
        status.set_storage(StorageStatus(True))
        status.set_sync(before, 60.0)
    app.pump(0.1)
