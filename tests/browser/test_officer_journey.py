"""An officer's way through the course in a real browser: sign-in, lessons, knowledge checks,
the final assessment, the completion record; resuming after a refresh or on another device;
a refused sign-in. Accessibility is audited with axe-core on the main kinds of page."""

from __future__ import annotations

import contextlib
import csv
import re
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from pypdf import PdfReader

from tests.browser.conftest import EXPECT_TIMEOUT_MS, ROOT, AppServer, axe_violations, wait_idle
from training.content import Course, Question, Quiz, load_course

pytestmark = pytest.mark.browser

AGENCY = "Hinds County Sheriff's Office"
OFFICER_NAME = "Zoë O'Neil"
CERTIFICATE_CODE = re.compile(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}\b")


@pytest.fixture(scope="module")
def course() -> Course:
    return load_course(Path(ROOT))


def unique_badge() -> str:
    """A badge no other test uses; typed in lower case to see the app upper-case it."""
    return f"t-{uuid.uuid4().hex[:10]}"


# --- finding things ---------------------------------------------------------------------------


def heading(page: Page, text: str) -> Locator:
    return page.get_by_role("heading", name=text, exact=True)


def button(page: Page, name: str) -> Locator:
    return page.get_by_role("button", name=name, exact=True)


def lesson_title(page: Page) -> str:
    return page.locator("h1").first.inner_text().strip()


def axe_check(page: Page, where: str) -> None:
    violations = axe_violations(page)
    listed = "\n".join(f"  {rule}: {help_} -> {targets}" for rule, help_, targets in violations)
    assert not violations, f"axe-core: violations on {where}:\n{listed}"


# --- doing things -----------------------------------------------------------------------------


def open_sign_in(page: Page, app: AppServer) -> None:
    page.goto(app.url)
    # The title renders before the rest: wait for the form's last element.
    expect(button(page, "Start training")).to_be_visible()
    wait_idle(page)


def fill_text(page: Page, label: str, value: str) -> None:
    field = page.get_by_label(label, exact=True)
    field.fill(value)
    field.press("Tab")  # commits the value (fill alone does not)
    expect(field).to_have_value(value)


def choose_agency(page: Page, agency: str) -> None:
    combobox = page.get_by_role("combobox", name="Agency")
    combobox.click()
    combobox.press_sequentially(agency[:12])
    page.get_by_role("option", name=agency, exact=True).click()
    expect(combobox).to_have_value(agency)


def sign_in(page: Page, app: AppServer, name: str, badge: str, agency: str = AGENCY) -> None:
    open_sign_in(page, app)
    fill_text(page, "Full name", name)
    fill_text(page, "Badge or officer ID", badge)
    choose_agency(page, agency)
    wait_idle(page)
    button(page, "Start training").click()


def press_next(page: Page, course: Course, index: int) -> None:
    """Press "Next" on the index-th lesson of the course and see the step after it."""
    lessons = course.lessons
    current = lessons[index]
    expect(heading(page, current.title)).to_be_visible()
    # Until the rerun that drew this lesson ends, the last lesson's "Next" may still be on the
    # page (Streamlit keeps stale elements until the run finishes): wait for the run to end.
    wait_idle(page)
    button(page, "Next").click()
    if index + 1 < len(lessons) and _same_module(course, index, index + 1):
        expected = lessons[index + 1].title
    else:
        expected = _check_after(course, index).title
    try:
        expect(heading(page, expected)).to_be_visible()
    except AssertionError:
        shown = lesson_title(page)
        # Diagnosis only (the test fails either way): does a reload show the next step?
        wait_idle(page)
        page.reload()
        expect(page.locator("h1").first).to_be_visible()
        wait_idle(page)
        after_reload = lesson_title(page)
        raise AssertionError(
            f"After pressing “Next” on lesson {index + 1} “{current.title}” the page should show "
            f"“{expected}”, but it still shows “{shown}”. After a reload it shows "
            f"“{after_reload}”"
            + (
                ": the officer's place advanced on the server but the page was not redrawn."
                if after_reload == expected
                else "."
            )
        ) from None


def _module_of(course: Course, lesson_index: int) -> int:
    count = 0
    for m, module in enumerate(course.modules):
        count += len(module.lessons)
        if lesson_index < count:
            return m
    raise IndexError(lesson_index)


def _same_module(course: Course, a: int, b: int) -> bool:
    return _module_of(course, a) == _module_of(course, b)


def _check_after(course: Course, lesson_index: int) -> Quiz:
    return course.check_for(course.modules[_module_of(course, lesson_index)])


def question_group(page: Page, question: Question) -> Locator:
    """Where a question's options are: its radio group, or the block holding its checkboxes."""
    if question.type == "multiple":
        # The innermost block that holds the prompt (ancestors come first in document order).
        return (
            page.locator('[data-testid="stVerticalBlock"]')
            .filter(has=page.get_by_text(question.prompt, exact=False))
            .last
        )
    return page.get_by_role("radiogroup", name=question.prompt)


def answer_correctly(page: Page, question: Question) -> None:
    """Choose the right options by clicking their text (the inputs themselves are hidden)."""
    group = question_group(page, question)
    expect(group).to_be_visible()
    role = "checkbox" if question.type == "multiple" else "radio"
    for option in question.options:
        control = group.get_by_role(role, name=option.text, exact=True)
        if option.correct:
            group.get_by_text(option.text, exact=True).click()
            expect(control).to_be_checked()
        else:
            expect(control).not_to_be_checked()


def questions_on_page(page: Page, quiz: Quiz, expected: int) -> list[Question]:
    """The bank questions the page shows, found by their prompts, once `expected` of them have
    rendered (a widget can appear a moment after the text around it)."""
    form = page.locator('[data-testid="stForm"]')
    expect(form).to_be_visible()
    expect(button(page, "Submit answers")).to_be_visible()
    prompts = [" ".join(q.prompt.split()) for q in quiz.questions]
    # Too few within the time: the caller's assertion says which are missing.
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_function(
            """([prompts, expected]) => {
                const form = document.querySelector('[data-testid="stForm"]');
                if (!form) return false;
                const text = form.innerText.replace(/\\s+/g, " ");
                return prompts.filter((p) => text.includes(p)).length >= expected;
            }""",
            arg=[prompts, expected],
            timeout=EXPECT_TIMEOUT_MS,
        )
    text = " ".join(form.inner_text().split())
    return [q for q, prompt in zip(quiz.questions, prompts, strict=True) if prompt in text]


def pass_check(page: Page, quiz: Quiz, audit: bool = False) -> None:
    expect(heading(page, quiz.title)).to_be_visible()
    shown = questions_on_page(page, quiz, len(quiz.questions))
    assert [q.id for q in shown] == [q.id for q in quiz.questions], (
        f"the knowledge check “{quiz.title}” should show every question of its bank"
    )
    if audit:
        axe_check(page, f"the knowledge check “{quiz.title}”")
    for question in shown:
        answer_correctly(page, question)
    wait_idle(page)
    button(page, "Submit answers").click()
    total = len(quiz.questions)
    expect(page.get_by_text(f"You answered {total} of {total} correctly (100%).")).to_be_visible()
    wait_idle(page)
    button(page, "Continue").click()
    expect(heading(page, quiz.title)).to_be_hidden()


def read_completions(results_dir: Path) -> list[dict[str, str]]:
    path = results_dir / "completions.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# --- the tests (the long journey last, so that `-x` stops early) ----------------------------------


def test_refresh_and_new_device_resume_the_course(
    page: Page, app_server: AppServer, course: Course, new_page: Callable[[], Page]
):
    badge = unique_badge()
    sign_in(page, app_server, OFFICER_NAME, badge)
    press_next(page, course, 0)
    press_next(page, course, 1)
    title = course.lessons[2].title
    assert lesson_title(page) == title
    assert "resume=" in page.url, f"the address should carry a resume link: {page.url}"

    page.reload()
    expect(heading(page, title)).to_be_visible()
    expect(button(page, "Start training")).to_have_count(0)
    expect(page.get_by_text("Course progress:")).to_be_visible()
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar.get_by_text("Your progress")).to_be_visible()
    expect(sidebar).to_contain_text(badge.upper())

    other = new_page()
    sign_in(other, app_server, OFFICER_NAME, badge)
    expect(heading(other, title)).to_be_visible()
    expect(other.get_by_text("Course progress:")).to_be_visible()


def test_sign_in_refuses_a_formula_as_name(page: Page, app_server: AppServer):
    badge = unique_badge()
    sign_in(page, app_server, "=cmd|' /C calc'!A0", badge)

    message = page.locator('[data-testid="stAlert"]').filter(has_text="not allowed")
    expect(message).to_be_visible()
    expect(message).to_contain_text("Use letters, spaces, apostrophes, hyphens and periods only")
    # Under the name field, above the badge field.
    name_box = page.get_by_label("Full name", exact=True).bounding_box()
    badge_box = page.get_by_label("Badge or officer ID", exact=True).bounding_box()
    message_box = message.bounding_box()
    assert name_box and badge_box and message_box
    assert name_box["y"] + name_box["height"] <= message_box["y"] < badge_box["y"], (
        "the message about the name should sit between the name and badge fields"
    )
    # The course did not start.
    wait_idle(page)
    expect(button(page, "Start training")).to_be_visible()
    expect(button(page, "Next")).to_have_count(0)
    expect(page.get_by_text("Your progress")).to_have_count(0)
    assert "resume=" not in page.url


@pytest.mark.parametrize("name", ["محمد عبد الله", "王秀英"])
def test_a_name_in_arabic_or_chinese_signs_in_and_is_shown_as_typed(
    page: Page, app_server: AppServer, name: str
):
    sign_in(page, app_server, name, unique_badge())
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar.get_by_text("Your progress")).to_be_visible()
    expect(sidebar.locator("strong").filter(has_text=name)).to_have_text(name)
    expect(page.locator('[data-testid="stAlert"]')).to_have_count(0)


def test_new_officer_completes_the_course(page: Page, app_server: AppServer, course: Course):
    badge = unique_badge()
    open_sign_in(page, app_server)
    axe_check(page, "the sign-in page")

    sign_in(page, app_server, OFFICER_NAME, badge)
    first = course.lessons[0]
    expect(heading(page, first.title)).to_be_visible()
    expect(page.get_by_text("Course progress:")).to_be_visible()
    axe_check(page, f"the first lesson “{first.title}”")

    lesson_index = 0
    for m, module in enumerate(course.modules):
        for _ in module.lessons:
            press_next(page, course, lesson_index)
            lesson_index += 1
        pass_check(page, course.check_for(module), audit=m == 0)

    final = course.final
    expect(heading(page, final.title)).to_be_visible()
    shown = questions_on_page(page, final, final.draw_count)
    assert len(shown) == final.draw_count, (
        f"the final should show {final.draw_count} drawn questions, found {[q.id for q in shown]}"
    )
    for question in shown:
        answer_correctly(page, question)
    wait_idle(page)
    button(page, "Submit answers").click()

    expect(heading(page, "Training complete")).to_be_visible()
    code_block = page.locator('[data-testid="stCode"]')
    expect(code_block).to_have_text(CERTIFICATE_CODE)
    code = CERTIFICATE_CODE.search(code_block.inner_text())
    assert code is not None
    axe_check(page, "the completion page")

    rows = [
        r for r in read_completions(app_server.results_dir) if r["badge_number"] == badge.upper()
    ]
    assert len(rows) == 1, f"completions.csv should have one row for {badge.upper()}: {rows}"
    row = rows[0]
    assert row["officer_name"] == OFFICER_NAME
    assert row["badge_number"] == badge.upper()
    assert row["agency"] == AGENCY
    assert row["course_id"] == course.info.id
    assert row["certificate_code"] == code.group(0)
    assert int(row["score_percent"]) == 100

    # The certificate: download it, read it, open the address it prints (and QR-codes).
    with page.expect_download() as download:
        button(page, "Download certificate").click()
    pdf = PdfReader(download.value.path())
    assert len(pdf.pages) == 1
    text = pdf.pages[0].extract_text()
    assert OFFICER_NAME in text and code.group(0) in text
    address = re.search(r"Verify at (\S+)", text)
    assert address, text
    assert address.group(1) == f"{app_server.url}/verify?code={code.group(0)}"
    page.goto(address.group(1))
    expect(page.get_by_text("Valid certificate", exact=True)).to_be_visible()
    expect(page.get_by_text(OFFICER_NAME, exact=False).first).to_be_visible()
    expect(page.get_by_text(badge.upper())).to_have_count(0)
    axe_check(page, "the Verify certificate page")
    page.get_by_label("Certificate code").fill("ABCD-EFGH-JKLM-NPQR")
    button(page, "Check").click()
    expect(page.get_by_text("Not a valid certificate", exact=True)).to_be_visible()


def test_who_to_call_is_one_click_from_a_lesson_and_back(
    page: Page, app_server: AppServer, course: Course
):
    badge = unique_badge()
    sign_in(page, app_server, OFFICER_NAME, badge)
    press_next(page, course, 0)
    title = course.lessons[1].title
    page.get_by_role("link", name="Who to call: all numbers and a printable card").click()
    expect(heading(page, "Who to call")).to_be_visible()
    for contact in course.info.contacts.values():
        if contact.phone:
            link = page.get_by_role("link", name=contact.phone)
            expect(link).to_be_visible()
            digits = re.sub(r"\D", "", contact.phone)
            assert (link.get_attribute("href") or "").endswith(digits[-10:])
        if contact.text:
            expect(page.get_by_text(contact.text, exact=False).first).to_be_visible()
    with page.expect_download() as download:
        button(page, "Download the Who to call card (PDF)").click()
    card = " ".join(p.extract_text() for p in PdfReader(download.value.path()).pages)
    assert all(c.phone in card for c in course.info.contacts.values() if c.phone), card
    axe_check(page, "the Who to call page")
    page.go_back()
    expect(heading(page, title)).to_be_visible()
    page.reload()
    expect(heading(page, title)).to_be_visible()
