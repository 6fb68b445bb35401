"""The whole course, and the Coordinator's console, with the keyboard alone, in Chromium.

After page.goto, nothing but key presses: Tab and Shift+Tab to move, Enter and Space to act,
the arrow keys in radio groups, tabs and lists, typed text for the fields. The walk counts every
press and prints the counts; each step's Tabs are held to what the step's content needs (each
Tab limit below says what it allows for), so a new invisible or useless Tab stop fails it. At
every step the page's title must name it and its heading must have focus, and every control the
walk lands on must show its focus (3:1, tests/browser/a11y.py).
"""

from __future__ import annotations

import csv
import io
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import FileChooser, Locator, Page, expect
from pypdf import PdfReader

from tests.browser import a11y
from tests.browser.a11y import AGENCY, SITE, Keys, focused_stop, heading_has_focus, markdown_links
from tests.browser.conftest import (
    COORDINATOR_PASSWORD,
    EXPECT_TIMEOUT_MS,
    AppServer,
    wait_idle,
)
from tests.browser.test_officer_journey import (
    CERTIFICATE_CODE,
    OFFICER_NAME,
    button,
    questions_on_page,
    unique_badge,
)
from tests.factories import completion
from training.content import Course, Question, Quiz
from training.storage.csv_files import Ledger

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_server(own_app_server: AppServer) -> AppServer:
    """A server of this module's own: the completions its tests add would push other modules'
    records out of the console's first screen."""
    return own_app_server


@dataclass
class Walk:
    """The keyboard, and what each step of a walk took."""

    page: Page
    keys: Keys = field(init=False)
    steps: list[tuple[str, int, int]] = field(default_factory=list)  # (step, presses, Tabs)
    unseen: list[str] = field(default_factory=list)  # controls whose focus did not show
    _mark: tuple[int, int] = (0, 0)

    def __post_init__(self) -> None:
        self.keys = Keys(self.page)

    def _tabs(self) -> int:
        return self.keys.presses["Tab"] + self.keys.presses["Shift+Tab"]

    def done(self, step: str) -> None:
        self.steps.append((step, self.keys.total - self._mark[0], self._tabs() - self._mark[1]))
        self._mark = (self.keys.total, self._tabs())

    def to(self, target: Locator, tabs: int, backwards: bool = False) -> None:
        """Tab to `target` in at most `tabs` presses; its focus must show."""
        self.keys.focus(target, tabs, backwards)
        stop = focused_stop(self.page)
        problem = stop.problem() if stop else "nothing has focus"
        if problem:
            self.unseen.append(f"{stop.name if stop else target}: {problem}")

    def arrived(self, title: str, heading: str) -> None:
        """A new step: its title, and its heading has focus (so a screen reader reads it)."""
        expect(self.page).to_have_title(title)
        wait_idle(self.page)
        expect(self.page.locator('[data-testid="stMain"] h1')).to_be_focused()
        assert heading_has_focus(self.page) == heading

    def report(self, who: str) -> str:
        lines = [
            f"{who}: {self.keys.total} key presses ({self._tabs()} Tab or Shift+Tab), "
            f"{self.keys.typed} characters typed"
        ]
        lines += [
            f"  {step:58} {presses:4d} presses, {tabs:3d} Tabs"
            for step, presses, tabs in self.steps
        ]
        return "\n".join(lines)


# --- the officer ---------------------------------------------------------------------------


def in_page_order(page: Page, questions: list[Question]) -> list[Question]:
    text = " ".join(page.locator('[data-testid="stForm"]').inner_text().split())
    return sorted(questions, key=lambda q: text.index(" ".join(q.prompt.split())))


def answer(walk: Walk, question: Question) -> None:
    """Choose the right options: a radio group is one Tab stop, where ArrowDown moves to (and
    chooses) the next option and Space chooses the first; each checkbox is a Tab stop of its
    own, where Space ticks it."""
    page = walk.page
    if question.type == "multiple":
        group = (
            page.locator('[data-testid="stVerticalBlock"]')
            .filter(has=page.get_by_text(question.prompt, exact=False))
            .last
        )
        boxes = group.get_by_role("checkbox")
        for i in range(boxes.count()):
            box = boxes.nth(i)
            walk.to(box, 1)  # the next checkbox, nothing between
            text = box.evaluate("(e) => e.closest('label').innerText.trim()")
            if next(o for o in question.options if o.text == text).correct:
                walk.keys.press("Space")
                expect(box).to_be_checked()
        return
    group = page.get_by_role("radiogroup", name=question.prompt)
    walk.to(group, 1)  # the group is the next stop; Tab lands on its first option
    texts = group.get_by_role("radio").evaluate_all(
        "(radios) => radios.map((r) => r.closest('label').innerText.trim())"
    )
    right = next(o.text for o in question.options if o.correct)
    position = texts.index(right)
    if position == 0:
        walk.keys.press("Space")
    else:
        walk.keys.press("ArrowDown", position)
    expect(group.get_by_role("radio", name=right, exact=True)).to_be_checked()


def submit(walk: Walk, quiz: Quiz, shown: list[Question]) -> None:
    for question in in_page_order(walk.page, shown):
        answer(walk, question)
    walk.to(button(walk.page, "Submit answers"), 1)
    walk.keys.press("Enter")


def test_the_whole_course_by_keyboard(page: Page, app_server: AppServer, course: Course) -> None:
    walk = Walk(page)
    keys = walk.keys
    badge = unique_badge()

    page.goto(app_server.url)
    expect(button(page, "Start training")).to_be_visible(timeout=a11y.LOAD_TIMEOUT_MS)
    walk.arrived(f"Sign in — {SITE}", course.info.title)
    walk.to(page.get_by_label("Full name", exact=True), 1)
    keys.type(OFFICER_NAME)
    walk.to(page.get_by_label("Badge or officer ID", exact=True), 1)
    keys.type(badge)
    agency = page.get_by_role("combobox", name="Agency")
    walk.to(agency, 1)
    keys.type(AGENCY[:16])
    expect(page.get_by_role("option", name=AGENCY, exact=True)).to_be_visible()
    keys.press("ArrowDown")
    keys.press("Enter")
    expect(agency).to_have_value(AGENCY)
    wait_idle(page)
    walk.to(button(page, "Start training"), 2)  # past the agency's "Clear value"
    keys.press("Enter")
    walk.done("sign-in")

    modules = len(course.modules)
    position = 0
    for m, module in enumerate(course.modules, start=1):
        where = f"Module {m} of {modules}: {module.title}"
        for n, lesson in enumerate(module.lessons, start=1):
            expect(page.get_by_role("heading", name=lesson.title, exact=True)).to_be_visible()
            walk.arrived(
                f"Lesson {n} of {len(module.lessons)}: {lesson.title} — {where} — {SITE}",
                lesson.title,
            )
            # The lesson's links, "Back" (not on the first step: it is disabled), "Next".
            text = lesson.body + ("\n".join(module.objectives) if n == 1 else "")
            walk.to(button(page, "Next"), markdown_links(text) + (position > 0) + 1)
            keys.press("Enter")
            walk.done(f"lesson {m}.{n}")
            position += 1
        check = course.check_for(module)
        expect(button(page, "Submit answers")).to_be_visible()
        walk.arrived(f"{check.title} — {where} — {SITE}", check.title)
        submit(walk, check, questions_on_page(page, check, len(check.questions)))
        total = len(check.questions)
        expect(page.get_by_text(f"You answered {total} of {total} correctly")).to_be_visible()
        walk.arrived(f"{check.title}: your results — {where} — {SITE}", check.title)
        walk.to(button(page, "Continue"), 2)  # "Back", "Continue"
        keys.press("Enter")
        walk.done(f"knowledge check {m} ({total} questions)")
        position += 1

    final = course.final
    expect(button(page, "Submit answers")).to_be_visible()
    walk.arrived(f"{final.title} — {SITE}", final.title)
    submit(walk, final, questions_on_page(page, final, final.draw_count))
    walk.done(f"final assessment ({final.draw_count} questions)")

    expect(page.get_by_role("heading", name="Training complete")).to_be_visible()
    walk.arrived(f"Training complete — {SITE}", "Training complete")
    code = CERTIFICATE_CODE.search(page.locator('[data-testid="stCode"]').inner_text())
    assert code is not None
    # The certificate code (a scrollable box) and its "Copy" button, then the download.
    walk.to(button(page, "Download certificate"), 3)
    with page.expect_download() as download:
        keys.press("Enter")
    text = PdfReader(download.value.path()).pages[0].extract_text()
    assert OFFICER_NAME in text and code.group(0) in text
    walk.done("certificate download")

    print("\n" + walk.report("The course by keyboard"), flush=True)
    assert not walk.unseen, "focus did not show on:\n" + "\n".join(walk.unseen)


# --- the Coordinator ---------------------------------------------------------------------------

SEEDED = [
    ("KEY-1", "Mississippi Highway Patrol"),
    ("KEY-2", AGENCY),
    ("KEY-3", "Mississippi Highway Patrol"),
]


@pytest.fixture(scope="module")
def seeded(app_server: AppServer) -> None:
    book = Ledger(app_server.results_dir)
    for n, (badge, agency) in enumerate(SEEDED):
        book.append_completion(completion(800 + n, badge_number=badge, agency=agency))


def cell(page: Page, text: str) -> Locator:
    return page.get_by_role("gridcell", name=text, exact=True, include_hidden=True)


def download(walk: Walk, name: str) -> bytes:
    """Enter on the focused download button; the file's bytes."""
    with walk.page.expect_download() as download:
        walk.keys.press("Enter")
    data = Path(download.value.path()).read_bytes()
    assert data, f"“{name}” downloaded an empty file"
    return data


def tables(page: Page) -> int:
    return page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').count()


def help_marks(page: Page) -> int:
    return page.locator('[data-testid="stMain"] [data-testid="stTooltipIcon"]').count()


def opened_file_chooser(page: Page, choosers: list[FileChooser]) -> FileChooser:
    """The file chooser the last key press opened."""
    deadline = time.monotonic() + EXPECT_TIMEOUT_MS / 1000
    while not choosers:
        assert time.monotonic() < deadline, "the key press opened no file chooser"
        page.wait_for_timeout(50)
    return choosers.pop()


def download_all(walk: Walk, first_tabs: int) -> list[str]:
    """Every download button on the open tab, in order, by keyboard; their names. The first
    is at most `first_tabs` Tabs away; each next one a Tab or two (a line of text between
    them has no stop)."""
    buttons = walk.page.locator('[data-testid="stMain"] [data-testid="stDownloadButton"] button')
    names = [" ".join(n.split()) for n in buttons.all_inner_texts()]
    assert names, "no download on this tab"
    for i, name in enumerate(names):
        walk.to(buttons.nth(i), first_tabs if i == 0 else 2)
        data = download(walk, name)
        if name == "Download CSV":
            rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
            assert rows and {r["agency"] for r in rows} == {"Mississippi Highway Patrol"}, (
                "the completions download follows the agency chosen by keyboard"
            )
    return names


def test_the_coordinator_console_by_keyboard(
    page: Page, app_server: AppServer, seeded: None, tmp_path: Path
) -> None:
    walk = Walk(page)
    keys = walk.keys

    # Listened for from the start: Playwright intercepts the file chooser only once a listener
    # is there, and turning that on is not awaited (a listener added just before the key
    # press sometimes missed the chooser).
    choosers: list[FileChooser] = []
    page.on("filechooser", lambda chooser: choosers.append(chooser))
    page.goto(f"{app_server.url}/coordinator")
    expect(page.get_by_label("Password", exact=True)).to_be_visible(timeout=a11y.LOAD_TIMEOUT_MS)
    walk.arrived(f"Coordinator: sign in — {SITE}", "Coordinator")
    walk.to(page.get_by_label("Password", exact=True), 1)
    keys.type(COORDINATOR_PASSWORD)
    keys.press("Enter")
    expect(button(page, "Sign out")).to_be_visible()
    walk.arrived(f"Completions — Coordinator — {SITE}", "Coordinator")
    expect(cell(page, "KEY-2")).to_have_count(1)
    walk.done("sign-in")

    # "Sign out", the tabs, "Search name or badge", then the agency filter.
    agency = page.get_by_role("combobox", name="Agency")
    walk.to(agency, 4)
    keys.type("Mississippi Highway")
    expect(page.get_by_role("option", name="Mississippi Highway Patrol")).to_be_visible()
    keys.press("ArrowDown")
    keys.press("Enter")
    keys.press("Escape")
    wait_idle(page)
    expect(cell(page, "KEY-2")).to_have_count(0)
    expect(cell(page, "KEY-1")).to_have_count(1)
    walk.done("filter by agency")

    # From the agency filter to the first download: the chosen agency and "Clear all", the
    # course version, the date range's six parts and its calendar (10 stops), the figures'
    # help marks, and each table's four tools and the table itself.
    names = download_all(walk, 10 + help_marks(page) + 5 * tables(page))
    walk.done(f"{len(names)} downloads of the Completions tab")

    tabs = page.get_by_role("tablist")
    walk.to(tabs, 40, backwards=True)
    keys.press("ArrowRight")
    expect(page.get_by_text("Upload a roster")).to_be_visible()
    expect(page).to_have_title(f"Who has not completed — Coordinator — {SITE}")
    wait_idle(page)
    roster = tmp_path / "roster.csv"
    roster.write_text("badge_number,name\nKEY-1,Ann Lee\nNEW-9,Pat Doe\n", encoding="utf-8")
    # The tab's panel, then the uploader's button: Enter opens the file chooser.
    walk.to(page.get_by_role("button", name="Upload", exact=True), 2)
    keys.press("Enter")
    chooser = opened_file_chooser(page, choosers)
    chooser.set_files(str(roster))
    expect(page.get_by_text("1 of 2")).to_be_visible()
    expect(cell(page, "Pat Doe")).to_have_count(1)
    wait_idle(page)
    walk.done("roster upload")
    # Focus is on "Add files", where the file chooser was opened; then each table's four tools
    # and the table.
    expect(page.get_by_role("button", name="Add files")).to_be_focused()
    names += download_all(walk, 5 * tables(page) + 1)
    walk.done("downloads of the Who has not completed tab")

    walk.to(tabs, 12, backwards=True)
    keys.press("ArrowRight")
    expect(page).to_have_title(f"Question analysis — Coordinator — {SITE}")
    expect(page.get_by_text("How often each question was drawn")).to_be_visible()
    wait_idle(page)
    table = page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]')
    walk.to(table, 6)  # the tab's panel, the table's tools, the table
    walk.done("question analysis")

    print("\n" + walk.report("The Coordinator’s console by keyboard"), flush=True)
    print("  downloaded: " + "; ".join(names))
    assert not walk.unseen, "focus did not show on:\n" + "\n".join(walk.unseen)
