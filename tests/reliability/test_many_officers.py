"""Ten officers take the whole course at the same time, each in a browser context of its own
(one Chromium, ten contexts, Playwright's async API), against one `streamlit run` server with the
seat-time gate off. Every one must reach "Training complete", the ledger must hold exactly one
completion per officer with distinct certificate codes, and no page may ever show an error.

Each officer's time is printed (run with `-s`), never asserted: it measures this machine."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import re
import statistics
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Locator, Page, async_playwright, expect
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, IDLE, ROOT, AppServer
from tests.browser.test_officer_journey import (
    AGENCY,
    CERTIFICATE_CODE,
    _check_after,
    _same_module,
    read_completions,
)
from training.content import Course, Question, Quiz, load_course

pytestmark = pytest.mark.browser

NAMES = [
    "Avery Brooks",
    "Jordan Ellis-Parker",
    "Maya O'Connor",
    "Luis Peña",
    "Dana St. James",
    "Keisha Washington",
    "Tom Nguyen",
    "Renée Dubois",
    "Marcus Hale",
    "Priya Raman",
]
OFFICERS = len(NAMES)  # the issue asks for ten at once
#: One expectation's limit. Ten sessions share two cores, so a rerun can take several seconds;
#: a wait this long only passes when the page does show what it should.
STEP_TIMEOUT_MS = 45_000
#: Reports what a page shows that an officer should never see: an exception, an error alert,
#: a traceback. Runs on every DOM change (at most every 50 ms), from before the first render.
ERROR_WATCH = """
(() => {
  const reported = new Set();
  let scheduled = false;
  const report = (what) => {
    const text = what.replace(/\\s+/g, " ").trim().slice(0, 500);
    if (!reported.has(text)) {
      reported.add(text);
      window.__reportAppError(text);
    }
  };
  const scan = () => {
    scheduled = false;
    for (const el of document.querySelectorAll('[data-testid="stException"]')) {
      report("stException: " + el.textContent);
    }
    for (const el of document.querySelectorAll('[data-testid="stAlert"]')) {
      if (el.querySelector('[data-testid="stAlertContentError"]')) {
        report("error alert: " + el.textContent);
      }
    }
    const text = document.body ? document.body.textContent : "";
    const at = text.indexOf("Traceback");
    if (at >= 0) report("Traceback: " + text.slice(at, at + 400));
  };
  new MutationObserver(() => {
    if (!scheduled) {
      scheduled = true;
      setTimeout(scan, 50);
    }
  }).observe(document, { childList: true, subtree: true, characterData: true });
})();
"""
EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(?:Error|Exception): ")
ERRORS_NOW = """() => {
  const found = [];
  for (const el of document.querySelectorAll('[data-testid="stException"]')) {
    found.push("stException: " + el.textContent);
  }
  for (const el of document.querySelectorAll('[data-testid="stAlert"]')) {
    if (el.querySelector('[data-testid="stAlertContentError"]')) {
      found.push("error alert: " + el.textContent);
    }
  }
  if (document.body.textContent.includes("Traceback")) found.push("Traceback on the page");
  return found;
}"""


@dataclass
class Officer:
    number: int
    name: str
    badge: str  # as typed (lower case); the app stores it upper-cased
    step: str = "not started"
    elapsed_s: float = 0.0
    certificate_code: str | None = None
    failure: str | None = None
    screenshot: Path | None = None
    errors: list[str] = field(default_factory=list)
    error_shown: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def stored_badge(self) -> str:
        return self.badge.upper()

    def saw(self, text: str) -> None:
        self.errors.append(f"{self.step}: {text}")
        self.error_shown.set()


# --- async counterparts of tests/browser/test_officer_journey.py's helpers ---------------------


def heading(page: Page, text: str) -> Locator:
    return page.get_by_role("heading", name=text, exact=True)


def button(page: Page, name: str) -> Locator:
    return page.get_by_role("button", name=name, exact=True)


async def visible(locator: Locator) -> None:
    await expect(locator).to_be_visible(timeout=STEP_TIMEOUT_MS)


async def wait_idle(page: Page) -> None:
    """Connected and no script run in progress (pair it with a `visible` on the result)."""
    connected = '[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
    await expect(page.locator(connected)).to_be_attached(timeout=STEP_TIMEOUT_MS)
    await expect(page.locator(IDLE)).to_be_attached(timeout=STEP_TIMEOUT_MS)


async def fill_text(page: Page, label: str, value: str) -> None:
    box = page.get_by_label(label, exact=True)
    await box.fill(value)
    await box.press("Tab")  # commits the value (fill alone does not)
    await expect(box).to_have_value(value, timeout=STEP_TIMEOUT_MS)


async def sign_in(page: Page, app: AppServer, officer: Officer) -> None:
    officer.step = "sign-in"
    await page.goto(app.url)
    await visible(button(page, "Start training"))  # the form's last element
    await wait_idle(page)
    await fill_text(page, "Full name", officer.name)
    await fill_text(page, "Badge or officer ID", officer.badge)
    agency = page.get_by_role("combobox", name="Agency")
    await agency.click()
    await agency.press_sequentially(AGENCY[:12])
    await page.get_by_role("option", name=AGENCY, exact=True).click()
    await expect(agency).to_have_value(AGENCY, timeout=STEP_TIMEOUT_MS)
    await wait_idle(page)
    await button(page, "Start training").click()


async def press_next(page: Page, course: Course, index: int, officer: Officer) -> None:
    lessons = course.lessons
    officer.step = f"lesson {index + 1} “{lessons[index].title}”"
    await visible(heading(page, lessons[index].title))
    await wait_idle(page)  # until the run ends, the previous lesson's "Next" may still show
    await button(page, "Next").click()
    if index + 1 < len(lessons) and _same_module(course, index, index + 1):
        await visible(heading(page, lessons[index + 1].title))
    else:
        await visible(heading(page, _check_after(course, index).title))


def question_group(page: Page, question: Question) -> Locator:
    if question.type == "multiple":
        return (
            page.locator('[data-testid="stVerticalBlock"]')
            .filter(has=page.get_by_text(question.prompt, exact=False))
            .last
        )
    return page.get_by_role("radiogroup", name=question.prompt)


async def answer_correctly(page: Page, question: Question) -> None:
    group = question_group(page, question)
    await visible(group)
    role = "checkbox" if question.type == "multiple" else "radio"
    for option in question.options:
        control = group.get_by_role(role, name=option.text, exact=True)
        if option.correct:
            await group.get_by_text(option.text, exact=True).click()
            await expect(control).to_be_checked(timeout=STEP_TIMEOUT_MS)
        else:
            await expect(control).not_to_be_checked(timeout=STEP_TIMEOUT_MS)


async def questions_on_page(page: Page, quiz: Quiz, expected: int) -> list[Question]:
    form = page.locator('[data-testid="stForm"]')
    await visible(form)
    await visible(button(page, "Submit answers"))
    prompts = [" ".join(q.prompt.split()) for q in quiz.questions]
    with contextlib.suppress(PlaywrightTimeoutError):  # the caller's assertion says what is missing
        await page.wait_for_function(
            """([prompts, expected]) => {
                const form = document.querySelector('[data-testid="stForm"]');
                if (!form) return false;
                const text = form.innerText.replace(/\\s+/g, " ");
                return prompts.filter((p) => text.includes(p)).length >= expected;
            }""",
            arg=[prompts, expected],
            polling=100,  # not every animation frame: ten pages share two cores
            timeout=STEP_TIMEOUT_MS,
        )
    text = " ".join((await form.inner_text()).split())
    return [q for q, prompt in zip(quiz.questions, prompts, strict=True) if prompt in text]


async def pass_check(page: Page, quiz: Quiz, officer: Officer) -> None:
    officer.step = f"knowledge check “{quiz.title}”"
    await visible(heading(page, quiz.title))
    shown = await questions_on_page(page, quiz, len(quiz.questions))
    assert [q.id for q in shown] == [q.id for q in quiz.questions], (
        f"“{quiz.title}” should show every question of its bank, showed {[q.id for q in shown]}"
    )
    for question in shown:
        await answer_correctly(page, question)
    await wait_idle(page)
    await button(page, "Submit answers").click()
    total = len(quiz.questions)
    await visible(page.get_by_text(f"You answered {total} of {total} correctly (100%)."))
    await wait_idle(page)
    await button(page, "Continue").click()
    await expect(heading(page, quiz.title)).to_be_hidden(timeout=STEP_TIMEOUT_MS)


async def pass_final(page: Page, quiz: Quiz, officer: Officer) -> str:
    officer.step = f"final “{quiz.title}”"
    await visible(heading(page, quiz.title))
    shown = await questions_on_page(page, quiz, quiz.draw_count)
    assert len(shown) == quiz.draw_count, (
        f"the final should show {quiz.draw_count} drawn questions, found {[q.id for q in shown]}"
    )
    for question in shown:
        await answer_correctly(page, question)
    await wait_idle(page)
    await button(page, "Submit answers").click()
    officer.step = "completion page"
    await visible(heading(page, "Training complete"))
    code_block = page.locator('[data-testid="stCode"]')
    await expect(code_block).to_have_text(CERTIFICATE_CODE, timeout=STEP_TIMEOUT_MS)
    code = CERTIFICATE_CODE.search(await code_block.inner_text())
    assert code is not None
    return code.group(0)


# --- one officer, and ten at once ----------------------------------------------------------------


def first_line(error: BaseException) -> str:
    return f"{type(error).__name__}: {(str(error).strip().splitlines() or [''])[0]}"


async def walk_the_course(page: Page, app: AppServer, course: Course, officer: Officer) -> None:
    await sign_in(page, app, officer)
    lesson_index = 0
    for module in course.modules:
        for _ in module.lessons:
            await press_next(page, course, lesson_index, officer)
            lesson_index += 1
        await pass_check(page, course.check_for(module), officer)
    officer.certificate_code = await pass_final(page, course.final, officer)


async def take_course(
    browser: Browser, app: AppServer, course: Course, officer: Officer, shots: Path
) -> None:
    """The whole course for one officer in a context of its own. Never raises: what went wrong
    is kept on `officer`, so that one officer's failure does not hide the others'. Stops as soon
    as the page shows an error (waiting out the step's time would only slow the run down)."""
    context: BrowserContext = await browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-US"
    )
    context.set_default_timeout(STEP_TIMEOUT_MS)
    await context.expose_function("__reportAppError", officer.saw)
    await context.add_init_script(ERROR_WATCH)
    page = await context.new_page()
    started = time.perf_counter()
    journey = asyncio.create_task(walk_the_course(page, app, course, officer))
    error_shown = asyncio.create_task(officer.error_shown.wait())
    try:
        await asyncio.wait({journey, error_shown}, return_when=asyncio.FIRST_COMPLETED)
        officer.elapsed_s = time.perf_counter() - started
        if not journey.done():
            journey.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await journey
            officer.failure = f"at {officer.step}: the page showed an error"
        elif (error := journey.exception()) is not None:
            officer.failure = f"at {officer.step}: {first_line(error)}"
        else:
            officer.step = "completion page (final look)"
            try:
                await wait_idle(page)
                for text in await page.evaluate(ERRORS_NOW):
                    officer.saw(text)
            except Exception as error:
                officer.failure = f"at {officer.step}: {first_line(error)}"
        if officer.failure:
            officer.screenshot = shots / f"officer-{officer.number:02d}.png"
            with contextlib.suppress(Exception):  # a courtesy; it never hides the failure
                await page.screenshot(path=str(officer.screenshot), full_page=True)
    finally:
        error_shown.cancel()
        with contextlib.suppress(Exception):
            await context.close()


async def everyone_at_once(
    app: AppServer, course: Course, officers: list[Officer], shots: Path
) -> float:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            started = time.perf_counter()
            await asyncio.gather(
                *(take_course(browser, app, course, officer, shots) for officer in officers)
            )
            return time.perf_counter() - started
        finally:
            await browser.close()


def summary(officers: list[Officer], wall_s: float) -> str:
    lines = [f"{len(officers)} officers at once: {wall_s:.1f} s wall-clock"]
    for o in officers:
        outcome = o.certificate_code or f"FAILED {o.failure}"
        errors = f", {len(o.errors)} error(s) shown" if o.errors else ""
        lines.append(
            f"  {o.number:2d} {o.stored_badge:<12} {o.elapsed_s:6.1f} s  {outcome}{errors}"
        )
    times = [o.elapsed_s for o in officers]
    lines.append(
        f"  per officer: min {min(times):.1f} s, median {statistics.median(times):.1f} s, "
        f"max {max(times):.1f} s"
    )
    return "\n".join(lines)


def server_exceptions(base: Path) -> list[str]:
    """The distinct exception lines in the logs of this session's app servers (the page itself
    shows only a redacted message: the app sets `client.showErrorDetails = "none"`)."""
    found: list[str] = []
    for log in sorted(base.glob("streamlit-logs*/stderr.log")):
        for line in log.read_text(errors="replace").splitlines():
            if EXCEPTION_LINE.match(line) and line not in found:
                found.append(line)
    return found


# Ten sessions on two cores take two to three minutes, more when the machine is busy. Each step
# has its own limit (STEP_TIMEOUT_MS), so a stuck page fails long before this one.
@pytest.mark.timeout(600)
def test_ten_officers_complete_the_course_at_the_same_time(
    app_server: AppServer, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    course = load_course(Path(ROOT))
    run = uuid.uuid4().hex[:8]
    officers = [
        Officer(number=i + 1, name=name, badge=f"r{i + 1:02d}-{run}")
        for i, name in enumerate(NAMES)
    ]
    assert len({o.stored_badge for o in officers}) == OFFICERS == 10

    # asyncio gets a thread of its own: the sync `browser` fixture of tests/browser may already
    # run Playwright's event loop in this one.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        wall_s = pool.submit(
            asyncio.run, everyone_at_once(app_server, course, officers, tmp_path)
        ).result()
    print("\n" + summary(officers, wall_s))

    failed = [
        f"officer {o.number} ({o.stored_badge}) {o.failure}; screenshot {o.screenshot}"
        for o in officers
        if o.failure
    ]
    errors = [f"officer {o.number} ({o.stored_badge}) at {e}" for o in officers for e in o.errors]
    if failed or errors:
        logged = server_exceptions(tmp_path_factory.getbasetemp())
        errors += [f"the app server's log: {line}" for line in logged]
    assert not failed and not errors, (
        "every officer should reach “Training complete” without the page ever showing an error:\n"
        + "\n".join(failed + errors)
    )

    rows = read_completions(app_server.results_dir)
    ours = {o.stored_badge: o for o in officers}
    by_badge: dict[str, list[dict[str, str]]] = {badge: [] for badge in ours}
    for row in rows:
        if row["badge_number"] in by_badge:
            by_badge[row["badge_number"]].append(row)
    wrong = {badge: found for badge, found in by_badge.items() if len(found) != 1}
    assert not wrong, f"completions.csv should have exactly one row per officer: {wrong}"
    for badge, (row,) in by_badge.items():
        officer = ours[badge]
        assert row["officer_name"] == officer.name, row
        assert row["agency"] == AGENCY, row
        assert row["certificate_code"] == officer.certificate_code, (
            f"officer {officer.number}'s page showed {officer.certificate_code}, "
            f"completions.csv has {row['certificate_code']}"
        )
    codes = [row["certificate_code"] for (row,) in by_badge.values()]
    assert len(set(codes)) == OFFICERS, f"certificate codes should be distinct: {sorted(codes)}"
