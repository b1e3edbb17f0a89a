"""HTTP routers, one per domain, all mounted under /v1."""
