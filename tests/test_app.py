"""The officer's pages in AppTest: sign-in, the seat-time gate, checks, the final, saving."""

from __future__ import annotations

import errno
import re
import time
import unicodedata
from pathlib import Path
from zoneinfo import ZoneInfo

import filelock
import pytest

from tests import poppler
from tests.apptest_helpers import (
    answer,
    button,
    click,
    labels,
    open_app,
    sign_in,
    titles,
    walk_to_final,
    walk_to_first_check,
)
from training.certificates.pdf import certificate_pdf
from training.content import Course, minimum_seconds
from training.storage import csv_files as ledger_module
from training.storage.csv_files import Ledger
from training.ui.common import CONTENT_CHECK_SECONDS
from training.ui.lesson import COUNTDOWN_CHECKBOX, COUNTDOWN_HIDDEN_TEXT


@pytest.fixture(autouse=True)
def _gate_off(monkeypatch: pytest.MonkeyPatch, results_dir: Path) -> None:
    monkeypatch.setenv("TRAINING_SEAT_TIME_SCALE", "0")


def errors(at) -> list[str]:  # type: ignore[no-untyped-def]
    """Error messages as read on screen (AppTest gives the escaped Markdown source)."""
    return [e.value.replace("\\", "") for e in at.error]


def test_sign_in_shows_a_message_under_each_bad_field(results_dir: Path, course: Course) -> None:
    at = open_app()
    assert titles(at) == [course.info.title]
    assert {"Full name", "Badge or officer ID", "Agency"} <= {
        w.label for w in [*at.text_input, *at.selectbox]
    }
    sign_in(at, name="=cmd|' /C calc'!A0", badge="12 34", agency=None)
    shown = errors(at)
    assert any("is not allowed" in e for e in shown)
    assert any("Use letters, digits and hyphens only" in e for e in shown)
    assert any("Choose your agency" in e for e in shown)
    assert titles(at) == [course.info.title], "the course did not start"
    assert not (results_dir / "progress").exists()


def test_other_agency_is_typed_and_checked(results_dir: Path, course: Course) -> None:
    at = open_app()
    at.selectbox(key="agency").select("Other (not listed)")
    at.run()
    other = at.text_input(key="agency_other")
    assert other.label == "Agency name"
    other.input("<b>Task Force</b>")
    sign_in(at, agency=None)
    assert any("“<” (less-than sign) is not allowed" in e for e in errors(at))
    at.text_input(key="agency_other").input("Gulf Coast Task Force")
    sign_in(at, agency=None)
    assert titles(at) == [course.lessons[0].title]
    assert at.session_state["progress"].agency == "Gulf Coast Task Force"


def countdown(at) -> int | None:  # type: ignore[no-untyped-def]
    """The seconds left that the lesson's countdown shows, as drawn by the server (the
    browser counts them down between the server's reruns); None without a countdown."""
    shown = [
        re.search(
            r"<p[^>]*>Next is available in <span [^>]*data-countdown-left=\"(\d+)\"[^>]*>"
            r"(\d+):(\d\d)</span>\. Take your time with the lesson\.</p>",
            h.value,
        )
        for h in at.html
    ]
    found = [m for m in shown if m is not None]
    if not found:
        return None
    assert len(found) == 1
    left, minutes, seconds = (int(g) for g in found[0].groups())
    assert left == int(minutes) * 60 + int(seconds), "the text and the figure agree"
    return left


def test_next_waits_for_the_lessons_reading_time(
    results_dir: Path, course: Course, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRAINING_SEAT_TIME_SCALE", "1")
    at = sign_in(open_app())
    first = course.lessons[0]
    assert titles(at) == [first.title]
    assert button(at, "Next").disabled
    left = at.session_state["progress"].seconds_left(course, first, 1.0)
    assert countdown(at) == left and 0 < left <= minimum_seconds(first, 1.0)
    at.run()  # time passing by itself does not open the gate early
    assert button(at, "Next").disabled
    assert first.id not in at.session_state["progress"].lessons_done
    monkeypatch.setenv("TRAINING_SEAT_TIME_SCALE", "0")
    at.run()
    assert not button(at, "Next").disabled
    assert countdown(at) is None
    click(at, "Next")
    assert titles(at) == [course.lessons[1].title]
    click(at, "Back")
    assert titles(at) == [first.title]


def test_an_officer_can_hide_the_countdown_for_the_rest_of_the_course(
    results_dir: Path, course: Course, monkeypatch: pytest.MonkeyPatch
) -> None:
    """WCAG 2.2.2: the seconds changing beside the lesson can be stopped; "Next" still waits."""
    monkeypatch.setenv("TRAINING_SEAT_TIME_SCALE", "1")
    at = sign_in(open_app())
    checkbox = at.checkbox(key=COUNTDOWN_CHECKBOX)
    assert checkbox.label == "Show the countdown" and checkbox.value
    assert countdown(at) is not None
    checkbox.set_value(False).run()
    assert countdown(at) is None
    assert [h.value for h in at.html if COUNTDOWN_HIDDEN_TEXT in h.value]
    assert button(at, "Next").disabled
    at.run()  # a rerun of the countdown keeps it hidden
    assert countdown(at) is None and button(at, "Next").disabled
    # The next lesson, after one whose "Next" opened (no countdown, no checkbox there).
    monkeypatch.setenv("TRAINING_SEAT_TIME_SCALE", "0")
    at.run()
    assert not [c for c in at.checkbox if c.key == COUNTDOWN_CHECKBOX]
    click(at, "Next")
    monkeypatch.setenv("TRAINING_SEAT_TIME_SCALE", "1")
    at.run()
    assert titles(at) == [course.lessons[1].title]
    assert countdown(at) is None and not at.checkbox(key=COUNTDOWN_CHECKBOX).value
    at.checkbox(key=COUNTDOWN_CHECKBOX).set_value(True).run()
    assert countdown(at) is not None


def test_progress_is_always_visible_with_the_report_it_panel(results_dir: Path) -> None:
    at = open_app()
    assert any(m.value.startswith("## Report it\n") for m in at.markdown)
    sign_in(at)
    assert at.get("progress")[0].value is not None
    assert "Course progress" in at.get("progress")[0].proto.text
    panel = " ".join(m.value for m in at.markdown).replace("\\", "")  # markdown escapes
    assert "1-800-222-8000" in panel and "1-888-373-7888" in panel and "601-987-1671" in panel
    assert "BEFREE (233733)" in panel


def test_a_check_needs_every_answer_and_marks_each_with_its_explanation(
    results_dir: Path, course: Course
) -> None:
    at = sign_in(open_app())
    module = course.modules[0]
    for _ in module.lessons:
        click(at, "Next")
    check = course.check_for(module)
    assert titles(at) == [check.title]
    assert "Continue" not in labels(at), "a check cannot be skipped"
    click(at, "Submit answers")
    assert any("Answer every question before submitting" in e for e in errors(at))
    assert not Ledger(results_dir).attempts_path.exists()
    answer(at, check, right=False)
    click(at, "Submit answers")
    text = " ".join(m.value for m in at.markdown)
    assert text.count("✗ Incorrect") == len(check.questions)
    assert all(q.explanation in text for q in check.questions)
    attempts = Ledger(results_dir).read_attempts()
    assert list(attempts["quiz_id"]) == [check.id]
    assert list(attempts["passed"]) == ["false"]
    click(at, "Continue")
    assert titles(at) == [course.modules[1].lessons[0].title]


def test_a_check_stays_done_when_the_officer_leaves_right_after_it(
    results_dir: Path, course: Course
) -> None:
    at = sign_in(open_app(), badge="leave-1")
    check = walk_to_first_check(at, course)
    answer(at, check, right=True)
    click(at, "Submit answers")
    token = at.query_params["resume"]
    # The officer closes the window here, before "Continue" would save their place.
    for again in (sign_in(open_app(), badge="LEAVE-1"), open_app({"resume": token})):
        assert titles(again) == [check.title]
        assert "Submit answers" not in labels(again), "the check is not asked again"
        assert "Continue" in labels(again)
        assert any("You completed this check (100%)" in s.value for s in again.success)
    assert len(Ledger(results_dir).read_attempts()) == 1


def test_a_failed_final_offers_a_fresh_draw_and_a_pass_gives_one_completion(
    results_dir: Path, course: Course
) -> None:
    at = walk_to_final(sign_in(open_app(), name="Zoë O'Neil", badge="ms-77"), course)
    first_draw = {r.key for r in at.radio} | {c.key for c in at.checkbox}
    answer(at, course.final, right=False)
    click(at, "Submit answers")
    assert any(e.startswith("Not passed yet.") for e in errors(at))
    ledger = Ledger(results_dir)
    assert ledger.read_completions().empty
    finals = ledger.read_attempts().query("quiz_id == 'final'")
    assert list(finals["passed"]) == ["false"] and list(finals["score_percent"]) == [0]
    click(at, "Try again")
    second_draw = {r.key for r in at.radio} | {c.key for c in at.checkbox}
    assert all(r.value is None for r in at.radio), "answers from the last try are cleared"
    assert second_draw, "a new set of questions is shown"
    assert len(course.final.questions) > course.final.draw or first_draw == second_draw
    answer(at, course.final, right=True)
    click(at, "Submit answers")
    assert "Training complete" in titles(at)
    code = at.code[0].value
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){3}", code)
    for _ in range(3):
        at.run()
    rows = ledger.read_completions()
    assert len(rows) == 1
    row = rows.iloc[0]
    assert (row.officer_name, row.badge_number, row.agency) == (
        "Zoë O'Neil",
        "MS-77",
        "Hinds County Sheriff's Office",
    )
    assert (row.certificate_code, row.attempts, row.score_percent) == (code, 2, 100)
    assert row.course_version == course.version
    assert len(ledger.read_attempts()) == len(course.modules) + 2
    # The officer leaves without another click: signing in again, or the resume link, shows
    # the same completion and code.
    token = at.query_params["resume"]
    for again in (sign_in(open_app(), badge="MS-77"), open_app({"resume": token})):
        assert titles(again) == ["Training complete"]
        assert again.code[0].value == code
    assert len(ledger.read_completions()) == 1


def test_a_full_disk_keeps_the_result_and_retry_saves_it_once(
    results_dir: Path, course: Course, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = walk_to_final(sign_in(open_app()), course)

    def disk_full(path: Path, header: bytes, line: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    working = ledger_module._append_locked
    monkeypatch.setattr(ledger_module, "_append_locked", disk_full)
    answer(at, course.final, right=True)
    click(at, "Submit answers")
    assert any("Your result is not saved yet: the disk is full" in e for e in errors(at))
    assert "Training complete" not in titles(at)
    click(at, "Retry saving")
    assert "Retry saving" in labels(at), "still failing, still offered"
    monkeypatch.setattr(ledger_module, "_append_locked", working)  # space is freed
    click(at, "Retry saving")
    assert "Training complete" in titles(at)
    assert len(Ledger(results_dir).read_completions()) == 1
    assert "Training complete" in titles(sign_in(open_app())), "the saved progress knows it too"


def test_a_check_that_could_not_be_recorded_is_not_shown_done(
    results_dir: Path, course: Course, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = sign_in(open_app(), badge="disk-1")
    check = walk_to_first_check(at, course)

    def disk_full(path: Path, header: bytes, line: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    working = ledger_module._append_locked
    monkeypatch.setattr(ledger_module, "_append_locked", disk_full)
    answer(at, check, right=True)
    click(at, "Submit answers")
    assert any("Your result is not saved yet: the disk is full" in e for e in errors(at))
    assert "Continue" not in labels(at) and "Back" not in labels(at), "not until it is recorded"
    elsewhere = sign_in(open_app(), badge="disk-1")  # the officer tries another window
    assert "Submit answers" in labels(elsewhere), "nothing recorded, so the check is asked"
    monkeypatch.setattr(ledger_module, "_append_locked", working)  # space is freed
    click(at, "Retry saving")
    assert "Continue" in labels(at)
    assert len(Ledger(results_dir).read_attempts()) == 1
    assert "Continue" in labels(sign_in(open_app(), badge="disk-1"))


def test_a_busy_officer_lock_keeps_the_result_and_retry_saves_it_once(
    results_dir: Path, course: Course, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = walk_to_final(sign_in(open_app(), badge="LOCK-1"), course)
    working = ledger_module._append_unless_recorded

    def lock_timed_out(*args: object, **kwargs: object) -> None:
        raise filelock.Timeout("completions.csv.lock")

    monkeypatch.setattr(ledger_module, "_append_unless_recorded", lock_timed_out)
    answer(at, course.final, right=True)
    click(at, "Submit answers")
    assert any("Your result is not saved yet" in e for e in errors(at)), "no error page"
    assert Ledger(results_dir).read_completions().empty
    monkeypatch.setattr(ledger_module, "_append_unless_recorded", working)
    click(at, "Retry saving")
    assert "Training complete" in titles(at)
    assert len(Ledger(results_dir).read_completions()) == 1
    finals = Ledger(results_dir).read_attempts().query("quiz_id == 'final'")
    assert len(finals) == 1, "the attempt was written once, before the lock gave out"


def test_a_refresh_or_a_return_resumes_where_the_officer_was(
    results_dir: Path, course: Course
) -> None:
    at = sign_in(open_app(), badge="R-1")
    click(at, "Next")
    click(at, "Next")
    here = titles(at)
    token = at.query_params["resume"]
    token = token[0] if isinstance(token, list) else token
    refreshed = open_app({"resume": token})
    assert titles(refreshed) == here
    returned = sign_in(open_app(), badge="r-1")
    assert titles(returned) == here
    assert titles(open_app({"resume": "0" * 32})) == [course.info.title], "no such officer"


def test_broken_content_shows_the_problems_not_a_traceback(
    course_copy: Path, monkeypatch: pytest.MonkeyPatch, results_dir: Path
) -> None:
    final = course_copy / "quizzes" / "final.yaml"
    final.write_text(re.sub(r"(?m)^draw: \d+", "draw: 99", final.read_text("utf-8")), "utf-8")
    monkeypatch.setenv("TRAINING_CONTENT_DIR", str(course_copy))
    at = open_app()
    assert titles(at) == ["The course cannot be shown"]
    assert "quizzes/final.yaml: draw: draws 99 questions" in at.code[0].value
    assert not at.text_input


def test_a_course_file_changed_while_running_is_seen_within_a_second(
    course_copy: Path, monkeypatch: pytest.MonkeyPatch, results_dir: Path, course: Course
) -> None:
    monkeypatch.setenv("TRAINING_CONTENT_DIR", str(course_copy))
    at = open_app()
    assert titles(at) == [course.info.title]
    final = course_copy / "quizzes" / "final.yaml"
    final.write_text(re.sub(r"(?m)^draw: \d+", "draw: 99", final.read_text("utf-8")), "utf-8")
    time.sleep(CONTENT_CHECK_SECONDS + 0.1)
    at.run()
    assert titles(at) == ["The course cannot be shown"]


def test_a_bad_setting_shows_a_plain_error_page(
    monkeypatch: pytest.MonkeyPatch, results_dir: Path
) -> None:
    monkeypatch.setenv("TRAINING_PASS_MARK", "eighty")
    at = open_app()
    assert titles(at) == ["The training is not set up correctly"]
    assert "TRAINING_PASS_MARK must be a whole number" in at.code[0].value


def test_a_results_folder_that_cannot_be_written_is_a_plain_page(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the results folder should be", encoding="utf-8")
    monkeypatch.setenv("TRAINING_RESULTS_DIR", str(blocked))
    monkeypatch.delenv("TRAINING_SECRET_KEY")
    at = open_app()
    assert titles(at) == ["The training cannot save results right now"]
    assert str(blocked) in at.code[0].value


def test_who_to_call_lists_every_contact_without_signing_in(course: Course) -> None:
    at = open_app()
    links = at.get("page_link")
    assert [link.proto.label for link in links] == ["Who to call: all numbers and a printable card"]
    at.switch_page("training/ui/pages/who_to_call.py").run()
    assert not at.exception
    assert titles(at) == ["Who to call"]
    assert [b.proto.label for b in at.get("download_button")] == [
        "Download the Who to call card (PDF)"
    ]
    text = " ".join(m.value for m in at.markdown).replace("\\", "")
    for contact in course.info.contacts.values():
        assert contact.name in text
        assert contact.when in text
        for way in (contact.phone, contact.text):
            if way:
                assert way in text


def test_the_who_to_call_link_is_one_click_away_on_a_lesson(results_dir: Path) -> None:
    at = sign_in(open_app())
    assert [link.proto.label for link in at.get("page_link")] == [
        "Who to call: all numbers and a printable card"
    ]


def test_after_completing_the_certificate_is_offered_and_a_retake_keeps_it(
    results_dir: Path, course: Course
) -> None:
    at = walk_to_final(sign_in(open_app(), badge="RT-1"), course)
    answer(at, course.final, right=True)
    click(at, "Submit answers")
    assert "Training complete" in titles(at)
    downloads = [d.proto.label for d in at.get("download_button")]
    assert "Download certificate" in downloads
    returned = sign_in(open_app(), badge="rt-1")
    assert "Training complete" in titles(returned), "a return offers the certificate"
    click(returned, "Retake the course")
    assert titles(returned) == [course.lessons[0].title]
    sidebar_downloads = [d.proto.label for d in returned.get("download_button")]
    assert "Download certificate" in sidebar_downloads, "the earned certificate stays available"
    assert len(Ledger(results_dir).read_completions()) == 1
    walk_to_final(returned, course)
    answer(returned, course.final, right=True)
    click(returned, "Submit answers")
    assert "Training complete" in titles(returned)
    # One completion per officer and course version: the retake's certificate is the first one.
    assert len(Ledger(results_dir).read_completions()) == 1


@pytest.mark.parametrize(
    "typed", ["محمد عبد الله", unicodedata.normalize("NFD", "김민준"), "山田 太郎"]
)
def test_a_name_in_arabic_korean_or_japanese_signs_in_and_is_on_the_certificate(
    results_dir: Path, course: Course, typed: str
) -> None:
    at = sign_in(open_app(), name=typed, badge="INTL-1")
    name = unicodedata.normalize("NFC", typed)
    assert not errors(at)
    assert titles(at) == [course.lessons[0].title], "the course started"
    assert at.session_state["progress"].name == name
    walk_to_final(at, course)
    answer(at, course.final, right=True)
    click(at, "Submit answers")
    assert "Training complete" in titles(at)
    record = Ledger(results_dir).find_certificate(at.code[0].value)
    assert record is not None and record.officer_name == name
    # The bytes the "Download certificate" button sends (AppTest does not expose them).
    pdf = certificate_pdf(record, course.info, ZoneInfo("America/Chicago"), "http://x")
    lines = poppler.text_lines(pdf)
    assert lines[lines.index("This certifies that") + 1] == name
    assert all(font.embedded for font in poppler.fonts(pdf))
