"""axe-core in the browser tests: WCAG 2.1 A/AA checks of what a resident sees.

axe-core comes from npm (package.json, `npm ci`); it is injected into the page, so the browser
context must be created with ``bypass_csp=True`` (the portal's CSP allows only its own
scripts). Use the ``a11y_context_args`` fixture's values or pass ``bypass_csp`` yourself.
"""

from pathlib import Path

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def axe_violations(page) -> list[str]:
    """WCAG 2.1 A/AA violations on the current page, one readable line per failing node."""
    if not AXE.exists():
        raise RuntimeError(f"{AXE} is missing: run `npm ci` (the Makefile's install does).")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async (tags) => await axe.run(document, {runOnly: {type: "tag", values: tags}})""",
        WCAG_21_AA,
    )
    return [
        f"{violation['id']}: {node['target']} – {node['failureSummary'].splitlines()[-1].strip()}"
        for violation in result["violations"]
        for node in violation["nodes"]
    ]


def horizontal_overflow(page) -> bool:
    """True when the page is wider than the window (a column pushed off a phone screen)."""
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
