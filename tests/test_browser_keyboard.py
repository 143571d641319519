"""A keyboard user sees where the focus is on every control and can Tab through every page
and out of it again (WCAG 2.4.7, 1.4.11, 2.1.2)."""

import pytest

from tests.test_browser_a11y import resident_with_everything  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each focused element: its outline and the colour behind it (the nearest opaque background of
# the element's parent, where an outline drawn outside the element lands).
FOCUS_STATE = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  let node = el.parentElement, bg = "rgb(255, 255, 255)";
  while (node) {
    const colour = getComputedStyle(node).backgroundColor;
    if (colour !== "rgba(0, 0, 0, 0)" && colour !== "transparent") { bg = colour; break; }
    node = node.parentElement;
  }
  if (el === document.body) { return null; }
  return {
    name: el.tagName + " " + (el.textContent || el.name || "").trim().slice(0, 30),
    key: el.outerHTML.slice(0, 120),
    style: style.outlineStyle, width: parseFloat(style.outlineWidth),
    colour: style.outlineColor, behind: bg,
  };
}"""

FOCUSABLE = """() => [...document.querySelectorAll(
  'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex="0"]'
)].filter(e => e.getClientRects().length && !e.disabled).map(e => e.outerHTML.slice(0, 120))"""


def _luminance(rgb: str) -> float:
    parts = [float(p) for p in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
    channels = [c / 255 for c in parts]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("path", ["/", "/finanse/", "meter", "/awarie/zglos/"])
def test_tab_shows_a_clear_focus_on_every_control_and_leaves_the_page(
    live_server,
    page,
    live_login,
    resident_with_everything,  # noqa: F811
    path,
):
    live_login(resident_with_everything["resident"])
    if path == "meter":
        path = f"/liczniki/{resident_with_everything['meter'].pk}/"
    page.goto(f"{live_server.url}{path}")
    controls = page.evaluate(FOCUSABLE)
    seen, problems = set(), []
    for _ in range(3 * len(controls)):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS_STATE)
        if state is None:  # past the last control: the focus left the page, no trap
            break
        seen.add(state["key"])
        if state["style"] == "none" or state["width"] < 2:
            problems.append(f"{state['name']}: no outline ({state['style']} {state['width']}px)")
        elif _contrast(state["colour"], state["behind"]) < 3:
            problems.append(f"{state['name']}: outline {state['colour']} on {state['behind']}")
    else:
        problems.append("the focus never left the page")
    assert sorted(set(controls) - seen) == [], path
    assert problems == [], path


def test_the_focused_error_summary_shows_a_clear_ring(
    live_server,
    page,
    live_login,
    resident_with_everything,  # noqa: F811
):
    live_login(resident_with_everything["resident"])
    page.goto(f"{live_server.url}/awarie/zglos/")
    page.evaluate("document.querySelectorAll('[required]').forEach(e => e.required = false)")
    page.get_by_role("button", name="Wyślij zgłoszenie").click()
    page.wait_for_load_state()
    state = page.evaluate(FOCUS_STATE)
    assert "error-summary" in state["key"]
    assert state["style"] != "none" and state["width"] >= 2
    assert _contrast(state["colour"], state["behind"]) >= 3, state
