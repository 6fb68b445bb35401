"""Every page as an accessibility auditor tests it (WCAG 2.2 AA), in Chromium: axe-core with
every WCAG A/AA and best-practice rule, every Tab stop visible with a focus indicator of 3:1,
targets of 24 × 24 px or spaced as 2.5.8 allows, no sideways scrolling at 320 CSS px or at 200%
zoom, titles that name the page and the state; and Lighthouse 100 on the pages the issue names.

The officer's pages are opened at the step wanted through a saved place (the `resume` link), so
that each is one page load away; the walk through the course itself is test_keyboard.py's.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser import a11y
from tests.browser.a11y import AGENCY, SITE
from tests.browser.conftest import COORDINATOR_PASSWORD, AppServer, wait_idle
from tests.browser.test_officer_journey import (
    answer_correctly,
    button,
    choose_agency,
    fill_text,
    heading,
    question_group,
    questions_on_page,
)
from tests.factories import completion
from training.content import Course, Question
from training.officers import Officer
from training.progress import Progress, steps
from training.storage.csv import CsvStore
from training.storage.csv_files import Ledger

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_server(own_app_server: AppServer) -> AppServer:
    """A server of this module's own: the completions its tests add would push other modules'
    records out of the console's first screen."""
    return own_app_server


@pytest.fixture(scope="module")
def records(app_server: AppServer) -> None:
    """Completions for the console to show, filter and chart."""
    book = Ledger(app_server.results_dir)
    for n, agency in enumerate(["Mississippi Highway Patrol", AGENCY, AGENCY]):
        book.append_completion(completion(700 + n, badge_number=f"SEED-{n}", agency=agency))


def open_at(page: Page, app: AppServer, course: Course, position: int) -> None:
    """The course at step `position` for a new officer who has done every step before it."""
    store = CsvStore(app.results_dir, b"test-key")  # the app server's TRAINING_SECRET_KEY
    officer = Officer("Pat Doe", f"A11Y-{uuid.uuid4().hex[:8].upper()}", AGENCY)
    prog = Progress.start(officer, course, store.completions_mark(), store.attempts_mark())
    for step in steps(course)[:position]:
        assert step.module_index is not None
        module = course.modules[step.module_index]
        if step.kind == "lesson":
            assert step.lesson_index is not None
            prog.lessons_done.append(module.lessons[step.lesson_index].id)
        else:
            prog.checks[module.quiz] = 100
    prog.position = position
    token = store.progress_token(officer)
    store.save_progress(token, prog)
    page.goto(f"{app.url}/?resume={token}")
    expect(page.get_by_text("Course progress:")).to_be_visible(timeout=a11y.LOAD_TIMEOUT_MS)
    wait_idle(page)


def answer_wrongly(page: Page, question: Question) -> None:
    group = question_group(page, question)
    wrong = next(option for option in question.options if not option.correct)
    group.get_by_text(wrong.text, exact=True).click()


def final_position(course: Course) -> int:
    return len(steps(course)) - 1


def console(page: Page, app: AppServer) -> None:
    page.goto(f"{app.url}/coordinator")
    password = page.get_by_label("Password", exact=True)
    expect(password).to_be_visible(timeout=a11y.LOAD_TIMEOUT_MS)
    password.fill(COORDINATOR_PASSWORD)
    button(page, "Sign in").click()
    expect(button(page, "Sign out")).to_be_visible()
    expect(
        page.get_by_role("gridcell", name="SEED-2", exact=True, include_hidden=True)
    ).to_have_count(1)
    wait_idle(page)


class Audits:
    """The pages audited so far, their figures and their problems."""

    def __init__(self) -> None:
        self.done: list[a11y.PageAudit] = []

    def __call__(self, page: Page, where: str, title: str) -> None:
        expect(page).to_have_title(title)
        self.done.append(a11y.audit(page, where))

    def report(self) -> str:
        lines = [f"{'page':44} {'stops':>5} {'lowest focus contrast':>22} {'smallest target':>16}"]
        for done in self.done:
            lines.append(
                f"{done.where:44} {len(done.stops):5d} {done.lowest_contrast:21.2f}:1 "
                f"{done.smallest_target:13.1f} px"
            )
        return "\n".join(lines)


def test_every_page_meets_wcag_2_2_aa(
    page: Page, app_server: AppServer, course: Course, records: None, tmp_path: Path
) -> None:
    audits = Audits()
    first, check = course.modules[0], course.check_for(course.modules[0])

    page.goto(app_server.url)
    expect(button(page, "Start training")).to_be_visible(timeout=a11y.LOAD_TIMEOUT_MS)
    audits(page, "sign-in", f"Sign in — {SITE}")
    button(page, "Start training").click()
    expect(page.get_by_text("Enter your badge or officer ID.")).to_be_visible()
    audits(page, "sign-in, refused", f"Sign in — {SITE}")
    fill_text(page, "Full name", "Pat Doe")
    fill_text(page, "Badge or officer ID", "A11Y-FORM")
    choose_agency(page, AGENCY)
    audits(page, "sign-in, filled in", f"Sign in — {SITE}")

    open_at(page, app_server, course, 0)
    audits(
        page,
        "a lesson (the first)",
        f"Lesson 1 of {len(first.lessons)}: {first.lessons[0].title} — Module 1 of "
        f"{len(course.modules)}: {first.title} — {SITE}",
    )
    open_at(page, app_server, course, len(first.lessons))
    audits(
        page,
        "a knowledge check",
        f"{check.title} — Module 1 of {len(course.modules)}: {first.title} — {SITE}",
    )
    for question in questions_on_page(page, check, len(check.questions)):
        answer_correctly(page, question)
    wait_idle(page)
    button(page, "Submit answers").click()
    expect(page.get_by_text("correctly (100%)", exact=False)).to_be_visible()
    audits(
        page,
        "a knowledge check, marked",
        f"{check.title}: your results — Module 1 of {len(course.modules)}: {first.title} — {SITE}",
    )

    final = course.final
    open_at(page, app_server, course, final_position(course))
    audits(page, "the final assessment", f"{final.title} — {SITE}")
    for question in questions_on_page(page, final, final.draw_count):
        answer_wrongly(page, question)
    wait_idle(page)
    button(page, "Submit answers").click()
    expect(button(page, "Try again")).to_be_visible()
    audits(page, "the final assessment, not passed", f"{final.title}: not passed yet — {SITE}")

    open_at(page, app_server, course, final_position(course))
    for question in questions_on_page(page, final, final.draw_count):
        answer_correctly(page, question)
    wait_idle(page)
    button(page, "Submit answers").click()
    expect(heading(page, "Training complete")).to_be_visible()
    audits(page, "completion", f"Training complete — {SITE}")
    page.get_by_text("Review your final assessment answers").click()
    expect(page.get_by_text("Your answer:").first).to_be_visible()
    audits(page, "completion, answers reviewed", f"Training complete — {SITE}")
    code = page.locator('[data-testid="stCode"]').inner_text().strip()

    page.goto(f"{app_server.url}/who-to-call")
    expect(button(page, "Download the Who to call card (PDF)")).to_be_visible(
        timeout=a11y.LOAD_TIMEOUT_MS
    )
    audits(page, "Who to call", f"Who to call — {SITE}")

    page.goto(f"{app_server.url}/verify")
    expect(button(page, "Check")).to_be_visible(timeout=a11y.LOAD_TIMEOUT_MS)
    audits(page, "Verify certificate", f"Verify certificate — {SITE}")
    page.goto(f"{app_server.url}/verify?code={code}")
    expect(page.get_by_text("Valid certificate", exact=True)).to_be_visible(
        timeout=a11y.LOAD_TIMEOUT_MS
    )
    audits(page, "Verify certificate, valid", f"Valid certificate — Verify certificate — {SITE}")
    page.get_by_label("Certificate code").fill("ABCD-EFGH-JKLM-NPQR")
    button(page, "Check").click()
    expect(page.get_by_text("Not a valid certificate", exact=True)).to_be_visible()
    audits(
        page,
        "Verify certificate, not valid",
        f"Not a valid certificate — Verify certificate — {SITE}",
    )

    page.goto(f"{app_server.url}/coordinator")
    expect(page.get_by_label("Password", exact=True)).to_be_visible(timeout=a11y.LOAD_TIMEOUT_MS)
    audits(page, "Coordinator sign-in", f"Coordinator: sign in — {SITE}")
    console(page, app_server)
    audits(page, "Coordinator: Completions", f"Completions — Coordinator — {SITE}")
    page.get_by_label("Agency", exact=True).click()
    page.keyboard.type("Mississippi Highway")
    page.get_by_role("option", name="Mississippi Highway Patrol").click()
    page.keyboard.press("Escape")
    expect(
        page.get_by_role("gridcell", name="SEED-2", exact=True, include_hidden=True)
    ).to_have_count(0)
    audits(page, "Coordinator: Completions, filtered", f"Completions — Coordinator — {SITE}")
    page.get_by_role("tab", name="Who has not completed").click()
    roster = tmp_path / "roster.csv"
    roster.write_text("badge_number,name\nSEED-1,Sam Lee\nNEW-1,Pat Roe\n", encoding="utf-8")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(roster))
    expect(page.get_by_text("1 of 2")).to_be_visible()
    audits(
        page,
        "Coordinator: Who has not completed",
        f"Who has not completed — Coordinator — {SITE}",
    )
    page.get_by_role("tab", name="Question analysis").click()
    expect(page.get_by_text("How often each question was drawn")).to_be_visible()
    audits(page, "Coordinator: Question analysis", f"Question analysis — Coordinator — {SITE}")

    print("\n" + audits.report())
    problems = [f"{done.where}: {problem}" for done in audits.done for problem in done.problems]
    assert not problems, "\n".join(problems)


# --- Lighthouse -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lighthouse(devtools_port: int) -> Iterator[a11y.Lighthouse]:
    if not a11y.LIGHTHOUSE_PACKAGE.is_file():
        pytest.fail(
            "Lighthouse is missing: run `npm ci --prefix tests/browser` (done by `make test`).",
            pytrace=False,
        )
    yield from a11y.lighthouse(devtools_port)


def scored(lighthouse: a11y.Lighthouse, mode: str, target: str, where: str) -> dict[str, object]:
    result = lighthouse.audit(mode, target)
    assert "error" not in result, f"Lighthouse could not audit {where}: {result['error']}"
    failing = "\n".join(
        f"  {audit['id']}: {audit['title']} -> {audit['nodes']}"  # type: ignore[index]
        for audit in result["failing"]  # type: ignore[attr-defined]
    )
    assert result["score"] == 1, (
        f"Lighthouse's accessibility score for {where} is {result['score']}, not 1:\n{failing}"
    )
    assert not result["errors"], f"Lighthouse audits that could not run on {where}: {result}"
    return result


def snapshot_of(page: Page) -> str:
    """A name Lighthouse finds the page's tab by."""
    name = f"lighthouse-{uuid.uuid4().hex}"
    page.evaluate("(name) => { window.name = name; }", name)
    return name


def test_lighthouse_scores_100(
    page: Page,
    app_server: AppServer,
    course: Course,
    records: None,
    lighthouse: a11y.Lighthouse,
) -> None:
    scores: list[tuple[str, str, object]] = []

    def audit(mode: str, target: str, where: str) -> dict[str, object]:
        result = scored(lighthouse, mode, target, where)
        if mode == "snapshot":
            assert result["url"] == page.url, f"Lighthouse audited another tab: {result['url']}"
        scores.append((where, mode, result["score"]))
        return result

    # Public pages, loaded by Lighthouse itself. The fields were on the page when it audited
    # them ("label" applied): it did not audit the page before Streamlit drew it.
    for where, url in [("sign-in", app_server.url), ("Verify", f"{app_server.url}/verify")]:
        result = audit("navigation", url, where)
        assert "label" in result["passed"], f"{where}: audited before its form was drawn"

    open_at(page, app_server, course, 0)
    audit("snapshot", snapshot_of(page), "a lesson")
    open_at(page, app_server, course, len(course.modules[0].lessons))
    expect(button(page, "Submit answers")).to_be_visible()
    audit("snapshot", snapshot_of(page), "a knowledge check")

    open_at(page, app_server, course, final_position(course))
    final = course.final
    for question in questions_on_page(page, final, final.draw_count):
        answer_correctly(page, question)
    wait_idle(page)
    button(page, "Submit answers").click()
    expect(heading(page, "Training complete")).to_be_visible()
    wait_idle(page)
    audit("snapshot", snapshot_of(page), "completion")

    console(page, app_server)
    audit("snapshot", snapshot_of(page), "Coordinator")

    print("\nLighthouse accessibility scores:")
    for where, mode, score in scores:
        print(f"  {where:20} {mode:10} {round(float(score) * 100)}")  # type: ignore[arg-type]
