"""The limits of a finger drawing: the terminal's canvas enforces them, the server's
wire model refuses beyond them, and the renderer (``sketch``) relies on them."""

from __future__ import annotations

MAX_CANVAS_SIZE = 4096  # width and height, in canvas units (pixels at scale 1)
MAX_STROKES = 500
MAX_STROKE_POINTS = 5000
MAX_STROKE_WIDTH = 100.0
COORD_LIMIT = 100_000.0  # a point's coordinates, either way
# Ink: the points of a whole drawing, the terminal editor's budget, so that whatever a
# worker can draw can be sent. The terminal refuses a drawing whose JSON is over 1.5 MB
# (kiosk.domain.message_attachments.MAX_DRAWING_WIRE_BYTES, within the server's 2 MiB push
# batch). Worst case, coordinates rounded to 0.01 as the editor does: a point is at
# most "[-99999.99, -99999.99], " (24 bytes), a stroke adds at most 70 bytes (the
# longest width repr), the drawing 46: 60,000 x 24 + 500 x 70 + 46 < 1,476,000
# (tests/kiosk/test_message_attachments.py builds that drawing). The server renders
# such a drawing in about half a second of one core.
MAX_DRAWING_POINTS = 60_000
