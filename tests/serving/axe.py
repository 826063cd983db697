"""axe-core in the browser tests: load it from node_modules/ into the open page and run it.

The file comes from npm (package.json pins it, `bin/install` runs `npm ci`), so a test run needs
no network; it is injected as text rather than served, so the page under test stays unchanged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypedDict

from selenium.webdriver.remote.webdriver import WebDriver

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
# Selectors shown per violation in a failure: enough to find the element, short enough to read.
TARGETS_SHOWN = 3

RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ["violations"]})
  .then((result) => done(result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map((node) => node.target.join(" ")),
    why: v.nodes.length ? v.nodes[0].failureSummary : "",
  }))))
  .catch((error) => done([
    {id: "axe-error", impact: "critical", help: String(error), targets: [], why: ""},
  ]));
"""


class Violation(TypedDict):
    id: str
    impact: str
    help: str
    targets: list[str]
    why: str  # axe's summary for the first element, e.g. the contrast it measured


def axe_violations(driver: WebDriver, *, impacts: tuple[str, ...] = BLOCKING) -> list[Violation]:
    """The open page's axe-core violations of the given impacts (serious and critical)."""
    assert AXE_JS.is_file(), f"{AXE_JS} is missing: run bin/install (it runs `npm ci`)"
    if not driver.execute_script("return typeof window.axe !== 'undefined'"):
        driver.execute_script(AXE_JS.read_text(encoding="utf-8"))
    driver.set_script_timeout(60)
    found: list[Any] = driver.execute_async_script(RUN)
    return [violation for violation in found if violation["impact"] in impacts]


def describe(violations: list[Violation]) -> str:
    """Per violation: its rule id, impact, what it asks, where it is and why the first fails."""
    lines = []
    for v in violations:
        where = ", ".join(v["targets"][:TARGETS_SHOWN])
        more = len(v["targets"]) - TARGETS_SHOWN
        lines.append(
            f"{v['id']} ({v['impact']}): {v['help']} at {where}"
            + (f" and {more} more" if more > 0 else "")
            + (f"\n    {' '.join(v['why'].split())}" if v["why"] else "")
        )
    return "\n".join(lines)
