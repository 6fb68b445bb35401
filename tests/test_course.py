"""The full course against its measures: length, coverage, plain language, and exactness."""

from __future__ import annotations

import math
import re

import pytest

from tests.readability import flesch_kincaid_grade
from training.config import READING_WORDS_PER_MINUTE
from training.content import MINUTES_PER_QUESTION, PHONE_NUMBER, Course

TOPICS = [
    "what-is-trafficking",
    "labor-trafficking",
    "sex-trafficking",
    "labor-or-sex",
    "reporting-duties",
    "responding-to-victims",
    "statewide-coordination",
]


def _all_text(course: Course) -> list[tuple[str, str]]:
    """Every piece of text an officer reads, with where it is."""
    out = [(f"course.contacts.{k}.when", c.when) for k, c in course.info.contacts.items()]
    for module in course.modules:
        out += [(f"{module.id}.objectives", o) for o in module.objectives]
        out += [(f"{module.id}.{lesson.id}", lesson.body) for lesson in module.lessons]
    for quiz in course.quizzes.values():
        for q in quiz.questions:
            out.append((f"{quiz.id}.{q.id}.prompt", q.prompt))
            out.append((f"{quiz.id}.{q.id}.explanation", q.explanation))
            out += [(f"{quiz.id}.{q.id}.option", o.text) for o in q.options]
    return out


def _sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?])\s+|\n+", text)


def test_the_seven_modules_in_order(course: Course) -> None:
    assert [m.id for m in course.modules] == TOPICS


def test_at_least_two_hours_are_planned_and_claimed(course: Course) -> None:
    planned = sum(m.minutes for m in course.modules) + course.final.draw_count
    assert planned >= 120
    assert course.info.credit_hours == 2.0
    assert course.info.statute == "Miss. Code § 45-6-7(b)"


def test_at_least_nine_thousand_words_of_lessons(course: Course) -> None:
    assert sum(lesson.words for lesson in course.lessons) >= 9000


def test_each_modules_minutes_cover_reading_and_its_check(course: Course) -> None:
    for module in course.modules:
        reading = math.ceil(
            sum(lesson.words for lesson in module.lessons) / READING_WORDS_PER_MINUTE
        )
        exercises = len(course.check_for(module).questions) * MINUTES_PER_QUESTION
        assert module.minutes >= reading + exercises, module.id


def test_each_check_has_at_least_six_questions(course: Course) -> None:
    for module in course.modules:
        assert len(course.check_for(module).questions) >= 6, module.id


def test_the_final_bank_draws_twenty_from_sixty_with_twenty_scenarios(course: Course) -> None:
    final = course.final
    assert final.draw == 20
    assert len(final.questions) >= 60
    scenarios = [q for q in final.questions if "scenario" in q.tags]
    assert len(scenarios) >= 20
    covered = {q.module for q in final.questions}
    assert covered == set(TOPICS), "every module is examined"


def test_every_lesson_reads_at_grade_ten_or_below(course: Course) -> None:
    grades = {lesson.id: round(flesch_kincaid_grade(lesson.body), 1) for lesson in course.lessons}
    too_hard = {k: v for k, v in grades.items() if v > 10}
    assert not too_hard, f"Flesch–Kincaid grade above 10: {too_hard}"


def test_every_lesson_names_its_sources(course: Course) -> None:
    for lesson in course.lessons:
        assert lesson.sources, lesson.id
        for source in lesson.sources:
            assert re.fullmatch(r"DPS page|FACTS §\d+(\.\d+)?", source), (lesson.id, source)


def test_every_number_an_officer_reads_is_a_course_contact(course: Course) -> None:
    contacts = {re.sub(r"\D", "", c.phone or "")[-10:] for c in course.info.contacts.values()}
    for where, text in _all_text(course):
        for number in PHONE_NUMBER.findall(text):
            digits = re.sub(r"\D", "", number)
            assert digits[-10:] in contacts, f"{where}: {number}"


# Facts the fact sheet marks UNVERIFIED must never be taught. Each pattern is a claim that would
# come from one of them (FACTS §2.3, §2.4, §2.5, §2.6, §6, §7).
UNVERIFIED_CLAIMS = {
    "a penalty for human trafficking (§ 97-3-54.1 penalties are unverified)": re.compile(
        r"97-3-54\.1[^.]*\b(years?|\$|fine|prison|imprison|sentence|life)\b", re.IGNORECASE
    ),
    "a prison term or fine amount for trafficking": re.compile(
        r"\b(\d+|twenty|thirty)\s*(-|to|–)\s*(\d+|life)\s*years\b"
        r"|mandatory life|\$(50|100|500),000",
        re.IGNORECASE,
    ),
    "bills whose enactment is unverified": re.compile(r"\b(SB 2305|HB 158|HB 1546|HB 673)\b"),
    "the subsection requiring every investigation be reported (unverified)": re.compile(
        r"every investigation[^.]*(§|subsection|section \d)", re.IGNORECASE
    ),
    "a recurrence of the training (unverified)": re.compile(
        r"(refresher|every (two|2|three|3) years|annual(ly)? (refresher|retraining))",
        re.IGNORECASE,
    ),
    "the telecommunicator statute whose status is unverified": re.compile(r"19-5-353"),
    "an adult affirmative defence (unverified)": re.compile(r"affirmative defen[cs]e", re.I),
    "the coordinator's personal name (the page may change)": re.compile(r"Ashlee|Lucas"),
    "subsections known only from a secondary summary (§ 97-29-49(4), § 97-3-54.1(4)-(5))": (
        re.compile(r"§\s*97-29-49|97-29-49\s*\(4\)|97-3-54\.1\s*\((4|5)\)")
    ),
    "custody as a duty (HB 571 authorizes it; no source makes it a must)": re.compile(
        r"(?<!not )(?<!n't )\b(must|shall|required to|have to|has to|need to)\b[^.]*\bcustody\b"
        r"|^\s*(\d+\.\s*)?(\*\*)?(obtain|take) (emergency )?custody",
        re.IGNORECASE,
    ),
}


@pytest.mark.parametrize("claim", list(UNVERIFIED_CLAIMS))
def test_no_unverified_fact_is_taught(course: Course, claim: str) -> None:
    pattern = UNVERIFIED_CLAIMS[claim]
    found = [
        (where, sentence.strip())
        for where, text in _all_text(course)
        for sentence in _sentences(text)
        if pattern.search(sentence)
    ]
    assert not found, f"{claim}: {found}"


def test_the_deny_list_catches_what_it_is_meant_to() -> None:
    samples = {
        "a penalty for human trafficking (§ 97-3-54.1 penalties are unverified)": (
            "Under § 97-3-54.1 the penalty is up to 20 years."
        ),
        "bills whose enactment is unverified": "SB 2305 raised the penalties.",
        "the subsection requiring every investigation be reported (unverified)": (
            "Every investigation is reported under § 97-3-54.9(2)."
        ),
        "subsections known only from a secondary summary (§ 97-29-49(4), § 97-3-54.1(4)-(5))": (
            "Under § 97-3-54.1(5) the minor is immune."
        ),
        "custody as a duty (HB 571 authorizes it; no source makes it a must)": (
            "You must take the minor into custody."
        ),
    }
    bare_command = "Obtain custody under the Youth Court Act."
    assert UNVERIFIED_CLAIMS[
        "custody as a duty (HB 571 authorizes it; no source makes it a must)"
    ].search(bare_command)
    for claim, sample in samples.items():
        assert UNVERIFIED_CLAIMS[claim].search(sample), claim
