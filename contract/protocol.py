"""The sync protocol's version and the header that carries it, both ways: a terminal
sends it on every call, the server stamps it on every answer (how a terminal tells the
server's refusals from a proxy's: docs/sync-protocol.md, "Trust")."""

from __future__ import annotations

PROTOCOL_VERSION = 1
PROTOCOL_HEADER = "X-Kiosk-Protocol"

# The largest push body the server must take (its default limit; a server set lower is
# misconfigured, and its refusals of a lone item are not that item's fault).
MAX_PUSH_BYTES = 2 * 1024 * 1024
