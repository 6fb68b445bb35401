"""The course model: the real course loads, and every kind of broken file is named exactly."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.course_files import edit_yaml, problems
from training.config import PROJECT_ROOT
from training.content import ContentError, Course, course_version, load_course

SOURCE_PAGE = PROJECT_ROOT.parent / "shared" / "domain" / "source-mbi-human-trafficking-unit.txt"


_edit = edit_yaml
_messages = problems


def test_the_course_loads_with_its_modules_checks_and_final(course: Course) -> None:
    assert len(course.modules) >= 2
    assert course.final.kind == "final"
    assert course.final.draw_count <= len(course.final.questions)
    for module in course.modules:
        assert course.check_for(module).kind == "check"
    assert re.fullmatch(r"[0-9a-f]{12}", course.version)


def test_contacts_are_the_numbers_the_sources_give(course: Course) -> None:
    """Every number on the MBI page is a contact, and every other contact's number and web
    address stands in the fact sheet beside it."""
    phones = {c.phone for c in course.info.contacts.values() if c.phone}
    if SOURCE_PAGE.exists():
        page = SOURCE_PAGE.read_text(encoding="utf-8")
        on_page = set(re.findall(r"\d-\d{3}-\d{3}-\d{4}|\d{3}-\d{3}-\d{4}", page))
        assert on_page <= phones
        facts = (SOURCE_PAGE.parent / "FACTS.md").read_text(encoding="utf-8")
        for contact in course.info.contacts.values():
            for value in (contact.phone, contact.web):
                assert value is None or value in page or value in facts, value
    assert {
        "1-800-222-8000",
        "1-888-373-7888",
        "601-987-1671",
        "601-432-4570",
        "844-437-6282",
        "1-866-347-2423",
    } <= phones
    assert any(c.text == "BEFREE (233733)" for c in course.info.contacts.values())
    assert any(c.web == "reportabuse.mdcps.ms.gov" for c in course.info.contacts.values())


def test_contacts_are_filled_into_lessons_and_questions(course: Course) -> None:
    bodies = " ".join(lesson.body for lesson in course.lessons)
    assert "{{" not in bodies
    assert "1-800-222-8000" in bodies
    texts = [
        part
        for quiz in course.quizzes.values()
        for q in quiz.questions
        for part in (q.prompt, q.explanation, *(o.text for o in q.options))
    ]
    assert not any("{{" in t for t in texts)


def test_version_is_a_hash_of_every_content_file(course_copy: Path) -> None:
    before = course_version(course_copy)
    assert before == course_version(course_copy)
    quiz = course_copy / "quizzes" / "final.yaml"
    quiz.write_text(quiz.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert course_version(course_copy) != before


def test_loading_is_cached_until_a_file_changes(course_copy: Path) -> None:
    first = load_course(course_copy)
    assert load_course(course_copy) is first
    path = course_copy / "course.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Recognize", "Recognise"), "utf-8")
    os.utime(path, ns=(1, 1))
    second = load_course(course_copy)
    assert second is not first and "Recognise" in second.info.title


def test_sessions_arriving_together_build_the_course_once(course_copy: Path) -> None:
    # A restarted server: every reconnecting browser asks for the course at the same moment.
    together = threading.Barrier(6)
    courses: list[Course] = []

    def session() -> None:
        together.wait()
        courses.append(load_course(course_copy))

    threads = [threading.Thread(target=session) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(courses) == 6
    assert all(course is courses[0] for course in courses), "the course was built more than once"


def test_a_file_added_or_removed_after_loading_is_noticed(course_copy: Path) -> None:
    load_course(course_copy)
    (course_copy / "modules" / "draft.yml").write_text("title: Draft\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"draft\.yml"):
        load_course(course_copy)
    (course_copy / "modules" / "draft.yml").unlink()
    load_course(course_copy)
    (course_copy / "course.yaml").unlink()
    with pytest.raises(ContentError, match=r"course\.yaml"):
        load_course(course_copy)


M1 = "modules/01-what-is-trafficking.yaml"
M2 = "modules/02-labor-trafficking.yaml"
C1 = "quizzes/what-is-trafficking-check.yaml"
C2 = "quizzes/labor-trafficking-check.yaml"
FINAL = "quizzes/final.yaml"


def _read(root: Path, rel: str) -> dict:
    return yaml.safe_load((root / rel).read_text(encoding="utf-8"))


def _duplicate_question_id(r: Path) -> str:
    first = _read(r, C1)["questions"][0]["id"]
    _edit(r, C1, lambda d: d["questions"][1].update(id=first))
    return f"{C1}: questions[1].id: question id {first!r} is also used in {C1}"


def _duplicate_lesson_id(r: Path) -> str:
    first = _read(r, M1)["lessons"][0]["id"]
    _edit(r, M2, lambda d: d["lessons"][0].update(id=first))
    return f"{M2}: lessons[0].id: lesson id {first!r} is also used in {M1}"


def _two_correct_in_single(r: Path) -> str:
    def change(d: dict) -> None:
        question = d["questions"][0]
        question["type"] = "single"
        question["options"] = [
            {"text": f"Option {i}", "correct": i < 2} for i in range(len(question["options"]))
        ]

    _edit(r, FINAL, change)
    return (
        f"{FINAL}: questions[0].options: a single-choice question needs exactly one correct "
        "option (found 2)"
    )


def _change(rel: str, expected: str, change: Callable[[dict], object]) -> Callable[[Path], str]:
    def breaker(r: Path) -> str:
        _edit(r, rel, change)  # type: ignore[arg-type]
        return expected

    return breaker


def _append_to_lesson(rel: str, index: int, text: str, expected: str) -> Callable[[Path], str]:
    return _change(
        rel,
        expected,
        lambda d: d["lessons"][index].update(body=d["lessons"][index]["body"] + text),
    )


def _no_final(r: Path) -> str:
    (r / FINAL).unlink()
    return "quizzes/: kind: no quiz has kind: final"


# Each case breaks a copy of the course and returns the line `validate` must print for it.
BROKEN: dict[str, Callable[[Path], str]] = {
    "duplicate question id": _duplicate_question_id,
    "duplicate lesson id": _duplicate_lesson_id,
    "module names a missing quiz": _change(
        M1,
        f"{M1}: quiz: names quiz 'no-such-check', but quizzes/ has no such quiz",
        lambda d: d.update(quiz="no-such-check"),
    ),
    "single with two correct options": _two_correct_in_single,
    "true_false with other options": _change(
        FINAL,
        f"{FINAL}: questions[0].options: a true_false question has exactly the options True "
        "and False",
        lambda d: d["questions"][0].update(
            type="true_false", options=[{"text": "Yes", "correct": True}, {"text": "No"}]
        ),
    ),
    "empty explanation": _change(
        FINAL,
        f"{FINAL}: questions[2].explanation: String should have at least 1 character",
        lambda d: d["questions"][2].update(explanation="  "),
    ),
    "draw larger than the bank": _change(
        FINAL,
        f"{FINAL}: draw: draws 500 questions but the bank has only",
        lambda d: d.update(draw=500),
    ),
    "phone number that is not a contact": _append_to_lesson(
        M1,
        1,
        "\nCall (601) 555-0123.",
        f"{M1}: lessons[1].body: has the number 6015550123, which is not a contact in course.yaml",
    ),
    "a contact's number written out": _change(
        FINAL,
        f"{FINAL}: questions[3].prompt: writes the number 8002228000 out; use "
        "{{ contacts.cps_hotline.phone }}",
        lambda d: d["questions"][3].update(prompt=d["questions"][3]["prompt"] + " 1-800-222-8000"),
    ),
    "placeholder naming an unknown contact": _change(
        M2,
        f"{M2}: lessons[0].body: refers to contact 'fbi', which course.yaml does not define",
        lambda d: d["lessons"][0].update(body="Call {{ contacts.fbi.phone }} now."),
    ),
    "a top-level heading in a lesson": _change(
        M2,
        f"{M2}: lessons[1].body: uses a top-level # heading",
        lambda d: d["lessons"][1].update(body="# Big heading\n\nText."),
    ),
    "unknown field": _change(
        M2,
        f"{M2}: lessons[0].vidoe: is not a known field",
        lambda d: d["lessons"][0].update(vidoe="x"),
    ),
    "missing field": _change(
        C2, f"{C2}: questions[0].prompt: is required", lambda d: d["questions"][0].pop("prompt")
    ),
    "lesson without sources": _change(
        M2, f"{M2}: lessons[0].sources: is required", lambda d: d["lessons"][0].pop("sources")
    ),
    "wrong type": _change(
        M1, f"{M1}: minutes: Input should be a valid integer", lambda d: d.update(minutes="soon")
    ),
    "pass mark on a check": _change(
        C2, f"{C2}: pass_mark: only the final has a pass mark", lambda d: d.update(pass_mark=70)
    ),
    "planned minutes shorter than reading and exercises": _change(
        M2, f"{M2}: minutes: plans 1 minutes but its lessons take", lambda d: d.update(minutes=1)
    ),
    "more credit hours than planned minutes": _change(
        "course.yaml",
        "course.yaml: credit_hours: claims 10 hours but the course plans only",
        lambda d: d.update(credit_hours=10),
    ),
    "a code fence in a question": _change(
        C2,
        f"{C2}: questions[1].explanation: starts a block (```, ~~~, $$ or HTML)",
        lambda d: d["questions"][1].update(explanation="See:\n```\nnot closed"),
    ),
    "a code fence in an option": _change(
        FINAL,
        f"{FINAL}: questions[0].options[1].text: starts a block (```, ~~~, $$ or HTML)",
        lambda d: d["questions"][0]["options"][1].update(text="~~~ fenced"),
    ),
    "display math or an HTML block in a question": _change(
        FINAL,
        f"{FINAL}: questions[2].prompt: starts a block (```, ~~~, $$ or HTML)",
        lambda d: d["questions"][2].update(prompt="Which?\n$$\nx\n\n<!-- and more"),
    ),
    "no final": _no_final,
}


@pytest.mark.parametrize("case", list(BROKEN), ids=list(BROKEN))
def test_each_broken_case_is_reported_as_path_field_message(case: str, course_copy: Path) -> None:
    expected = BROKEN[case](course_copy)
    messages = _messages(course_copy)
    assert any(m.startswith(expected) for m in messages), messages
    with pytest.raises(ContentError):
        load_course(course_copy)


def test_a_section_number_is_not_mistaken_for_a_text_code(course_copy: Path) -> None:
    cite = "Federal law (34 U.S.C. § 41309) makes it a Part I offense."
    _edit(course_copy, M1, lambda d: d["lessons"][0].update(body=cite))
    assert _messages(course_copy) == []
    _edit(course_copy, M1, lambda d: d["lessons"][0].update(body="Text 41309 for help."))
    assert any("has the number 41309" in m for m in _messages(course_copy))


def test_yaml_syntax_errors_give_their_line(course_copy: Path) -> None:
    path = course_copy / "quizzes" / "final.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[4] = "  - id: [unclosed"
    path.write_text("\n".join(lines), encoding="utf-8")
    messages = _messages(course_copy)
    assert len(messages) == 1
    assert re.match(r"quizzes/final\.yaml: line \d+: YAML syntax error: ", messages[0]), messages


def test_a_key_given_twice_is_an_error_not_a_silent_overwrite(course_copy: Path) -> None:
    path = course_copy / "course.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\nid: other-course\n", encoding="utf-8")
    messages = _messages(course_copy)
    assert any("course.yaml: line" in m and "key 'id' is given twice" in m for m in messages)


def test_every_problem_is_reported_not_just_the_first(course_copy: Path) -> None:
    for case in ("empty explanation", "unknown field", "module names a missing quiz"):
        BROKEN[case](course_copy)
    assert len(_messages(course_copy)) >= 3


def test_file_names_must_match_ids(course_copy: Path) -> None:
    (course_copy / "quizzes" / "final.yaml").rename(course_copy / "quizzes" / "exam.yaml")
    assert "quizzes/exam.yaml: id: is 'final' but the file name says 'exam'" in _messages(
        course_copy
    )
