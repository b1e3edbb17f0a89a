"""The languages a terminal speaks (its screens, its gettext catalogs, a worker's choice)."""

from __future__ import annotations

LANGUAGES: tuple[str, ...] = ("fr", "en")
