"""Measurements an accessibility auditor takes in the browser, for the tests: the focus
indicator of every Tab stop (WCAG 2.4.7, 1.4.11), the size and spacing of every target (2.5.8),
reflow at 320 CSS pixels and at 200% zoom (1.4.10), axe-core's rules, and a key-press counter for
walking the app with the keyboard alone."""

from __future__ import annotations

import json
import re
import selectors
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Locator, Page

from tests.browser.conftest import axe_violations, wait_idle

HERE = Path(__file__).resolve().parent
LIGHTHOUSE_JS = HERE / "lighthouse.mjs"
LIGHTHOUSE_PACKAGE = HERE / "node_modules" / "lighthouse" / "package.json"

#: WCAG 1.4.11: a focus indicator needs 3:1 against the colours next to it.
MIN_CONTRAST = 3.0
#: WCAG 2.5.8: 24 × 24 CSS pixels, or a 24-pixel circle around the target that touches no other.
MIN_TARGET = 24.0
#: WCAG 1.4.10: 320 CSS pixels wide, and a 1280-pixel window at 200% zoom (640 CSS pixels).
REFLOW_WIDTHS = (320, 640)
#: How long a page may take to draw after page.goto: the first page a fresh server draws (the
#: course read, the agency list) takes several seconds on a busy 2-core machine.
LOAD_TIMEOUT_MS = 30_000
#: More Tab stops than this on one page means focus is going round in circles.
MAX_STOPS = 150


#: The site's name at the end of every page title, and the agency the walks sign in with.
SITE = "Human Trafficking Training"
AGENCY = "Hinds County Sheriff's Office"


def _script(name: str) -> str:
    """A function in a .js file beside this one, without its opening comment (Playwright
    evaluates the text as an expression)."""
    lines = (HERE / name).read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if not line.startswith("//"))


#: Scripts run in the page: the focus indicator of the element with focus, and every target.
_FOCUS_JS = _script("focus_indicator.js")
_TARGETS_JS = _script("target_sizes.js")


@dataclass(frozen=True)
class Stop:
    """One Tab stop and how its focus shows."""

    name: str
    kind: str
    visible: bool
    link_to_heading: bool
    thickness: float | None
    contrast: float | None  # the lower of the indicator's contrasts on either side

    def problem(self) -> str | None:
        if self.link_to_heading:
            return "an invisible “Link to heading” anchor is a Tab stop"
        if not self.visible:
            return "a Tab stop that cannot be seen (transparent, hidden or of no size)"
        if self.thickness is None or self.contrast is None:
            return "focus does not show (no outline or box-shadow of 2 px or more)"
        if self.contrast < MIN_CONTRAST:
            return f"its focus indicator has {self.contrast:.2f}:1 against what is next to it"
        return None


def _stop(found: dict[str, object]) -> Stop:
    indicator = found["indicator"]
    width, height, opacity = (float(found[k]) for k in ("width", "height", "opacity"))  # type: ignore[arg-type]
    visible = bool(found["visible"]) and opacity > 0.99 and width > 0 and height > 0
    if isinstance(indicator, dict):
        thickness: float | None = float(indicator["thickness"])
        contrast: float | None = min(float(indicator["inner"]), float(indicator["outer"]))
    else:
        thickness = contrast = None
    return Stop(
        str(found["name"]),
        str(found["kind"]),
        visible,
        bool(found["linkToHeading"]),
        thickness,
        contrast,
    )


def focused_stop(page: Page) -> Stop | None:
    """The element with focus now, measured; None when nothing has focus."""
    # A table's tools fade in when focused: measure once they have.
    page.wait_for_function(
        "() => { const e = document.activeElement; for (let n = e; n && n.nodeType === 1; "
        "n = n.parentElement) { const o = parseFloat(getComputedStyle(n).opacity); "
        "if (o > 0.01 && o < 0.99) return false; } return true; }",
        timeout=2_000,
    )
    found = page.evaluate(_FOCUS_JS)
    return None if found is None else _stop(found)


def tab_stops(page: Page) -> list[Stop]:
    """Every Tab stop on the page, in order, once round (from the top of the page)."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    page.evaluate("() => { delete window.__tabSweep; }")
    stops: list[Stop] = []
    first: str | None = None
    for _ in range(MAX_STOPS):
        page.keyboard.press("Tab")
        key = page.evaluate(
            "() => { const e = document.activeElement; if (!e || e === document.body) return null;"
            " if (!e.__tabSweep) e.__tabSweep = String(Math.random()); return e.__tabSweep; }"
        )
        if key is None:
            continue  # the browser's own toolbar, between the last stop and the first
        if key == first:
            return stops
        first = first or key
        stop = focused_stop(page)
        if stop is not None:
            stops.append(stop)
    raise AssertionError(f"more than {MAX_STOPS} Tab stops: {[s.name for s in stops[-10:]]}")


def focus_problems(stops: list[Stop]) -> list[str]:
    return [f"{stop.name}: {problem}" for stop in stops if (problem := stop.problem())]


def target_problems(page: Page) -> tuple[list[str], float]:
    """Targets smaller than 24 × 24 whose 24-pixel circle meets another target or its circle;
    and the smallest target's smaller side."""
    targets = page.evaluate(_TARGETS_JS)
    small = {i for i, t in enumerate(targets) if min(t["width"], t["height"]) < MIN_TARGET - 0.01}
    problems = []
    for i in sorted(small):
        t = targets[i]
        cx, cy = t["x"] + t["width"] / 2, t["y"] + t["height"] / 2
        for j, other in enumerate(targets):
            if j == i or j in t["inside"] or i in other["inside"]:
                continue  # the same target, or one holding the other (the main area)
            dx = max(other["x"] - cx, 0, cx - (other["x"] + other["width"]))
            dy = max(other["y"] - cy, 0, cy - (other["y"] + other["height"]))
            near_target = (dx * dx + dy * dy) ** 0.5 < MIN_TARGET / 2
            ox, oy = other["x"] + other["width"] / 2, other["y"] + other["height"] / 2
            near_circle = j in small and ((ox - cx) ** 2 + (oy - cy) ** 2) ** 0.5 < MIN_TARGET
            if near_target or near_circle:
                problems.append(
                    f"{t['name']} is {t['width']:.1f} × {t['height']:.1f} px and within 12 px of "
                    f"{other['name']}"
                )
                break
    smallest = min((min(t["width"], t["height"]) for t in targets), default=MIN_TARGET)
    return problems, smallest


def reflow_problems(page: Page) -> list[str]:
    """Widths at which the page scrolls sideways (a table may scroll inside its own box)."""
    size = page.viewport_size
    assert size is not None
    problems = []
    try:
        for width in REFLOW_WIDTHS:
            page.set_viewport_size({"width": width, "height": max(size["height"] // 2, 480)})
            page.wait_for_timeout(300)  # a layout pass; nothing reruns on the server
            overflow = page.evaluate(
                "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
                " const d = document.scrollingElement;"
                " return Math.max(d.scrollWidth - d.clientWidth,"
                " m ? m.scrollWidth - m.clientWidth : 0); }"
            )
            if overflow > 1:
                problems.append(f"at {width} CSS px wide the page scrolls {overflow} px sideways")
    finally:
        page.set_viewport_size(size)
        page.wait_for_timeout(300)
    return problems


@dataclass
class PageAudit:
    """What one page showed: its Tab stops, its smallest target, and every problem found."""

    where: str
    stops: list[Stop]
    smallest_target: float
    problems: list[str]

    @property
    def lowest_contrast(self) -> float:
        return min((s.contrast for s in self.stops if s.contrast is not None), default=0.0)


def audit(page: Page, where: str) -> PageAudit:
    """axe-core (every AXE_TAGS rule), target sizes, reflow, and every Tab stop's focus."""
    wait_idle(page)
    problems = [f"axe {rule}: {help_} -> {where}" for rule, help_, where in axe_violations(page)]
    targets, smallest = target_problems(page)
    problems += targets
    problems += reflow_problems(page)
    wait_idle(page)
    stops = tab_stops(page)
    problems += focus_problems(stops)
    return PageAudit(where, stops, smallest, problems)


# --- the keyboard ---------------------------------------------------------------------------


@dataclass
class Keys:
    """The keyboard, counting every key pressed (typed characters apart)."""

    page: Page
    presses: Counter[str] = field(default_factory=Counter)
    typed: int = 0

    @property
    def total(self) -> int:
        return sum(self.presses.values())

    def press(self, key: str, times: int = 1) -> None:
        for _ in range(times):
            self.page.keyboard.press(key)
            self.presses[key] += 1

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.typed += len(text)

    def focus(self, target: Locator, limit: int, backwards: bool = False) -> int:
        """Tab (or Shift+Tab) until focus is on or in `target`; the presses it took. Fails
        after `limit` presses, naming the stops it passed."""
        key = "Shift+Tab" if backwards else "Tab"
        passed: list[str] = []
        for count in range(1, limit + 1):
            self.press(key)
            if target.evaluate("(e) => e.contains(document.activeElement)"):
                return count
            passed.append(
                self.page.evaluate(
                    "() => { const e = document.activeElement; return e ? `${e.tagName} "
                    "${(e.getAttribute('aria-label') || e.innerText || '').slice(0, 40)}` : ''; }"
                )
            )
        raise AssertionError(
            f"{limit} × {key} did not reach {target}; focus went through: {passed}"
        )


def heading_has_focus(page: Page) -> str | None:
    """The text of the page's h1 when it has focus, else None."""
    return page.evaluate(
        "() => { const e = document.activeElement; return e && e.tagName === 'H1' "
        "&& e.closest('[data-testid=\"stMain\"]') ? e.innerText.trim() : null; }"
    )


def markdown_links(text: str) -> int:
    """Links a Markdown text makes (each is a Tab stop before the buttons below it)."""
    return len(re.findall(r"\]\(|<https?://|(?<![\w/])www\.", text))


# --- Lighthouse -----------------------------------------------------------------------------


class Lighthouse:
    """One Node process running Lighthouse (tests/browser/lighthouse.mjs) against the browser
    the tests drive, one audit at a time."""

    TIMEOUT_S = 180

    def __init__(self, devtools_port: int) -> None:
        self.process = subprocess.Popen(
            ["node", str(LIGHTHOUSE_JS), str(devtools_port)],
            cwd=HERE,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def audit(self, mode: str, target: str) -> dict[str, object]:
        """Lighthouse's accessibility result for `target`: a URL (mode "navigation") or the
        window.name of an open tab (mode "snapshot")."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps({"mode": mode, "target": target}) + "\n")
        self.process.stdin.flush()
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            deadline = time.monotonic() + self.TIMEOUT_S
            while not selector.select(timeout=1):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.close()
                    err = self.process.stderr.read() if self.process.stderr else ""
                    raise AssertionError(f"Lighthouse gave no answer for {target}:\n{err}")
            line = self.process.stdout.readline()
        result: dict[str, object] = json.loads(line)
        return result

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close() if self.process.stdin else None
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def lighthouse(devtools_port: int) -> Iterator[Lighthouse]:
    runner = Lighthouse(devtools_port)
    try:
        yield runner
    finally:
        runner.close()
