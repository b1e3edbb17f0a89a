"""Browser helpers of the console's tests: log in as a user would, and run axe-core."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.console_rig import PASSWORD

AXE = Path(__file__).with_name("vendor") / "axe-4.14.1.min.js"
BLOCKING = ("serious", "critical")


def log_in(page: Any, email: str, password: str = PASSWORD) -> None:
    page.goto("/console/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def accessibility_violations(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, "
                           "{resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} — "
            f"{[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in BLOCKING]
