"""course.yaml's optional refresher_months: month arithmetic on local dates, who is due again
on the console and the roster, and what `validate` accepts. Absent, nothing ever expires."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from tests.course_files import edit_yaml, problems
from tests.factories import completion, table_of
from training import refresher
from training.content import load_course
from training.dates import add_months
from training.roster import outstanding, read_roster

CHICAGO = ZoneInfo("America/Chicago")
HINDS = "Hinds County Sheriff's Office"
MHP = "Mississippi Highway Patrol"


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 3, 15), 12, date(2026, 3, 15)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # a leap year
        (date(2024, 2, 29), 12, date(2025, 2, 28)),  # no Feb 29 the next year
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2025, 8, 31), 1, date(2025, 9, 30)),
        (date(2025, 12, 31), 2, date(2026, 2, 28)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2025, 12, 1), 1, date(2026, 1, 1)),  # into the next year
        (date(2025, 5, 10), 120, date(2035, 5, 10)),
    ],
)
def test_months_are_added_on_the_calendar_clamped_to_the_month_end(
    day: date, months: int, expected: date
) -> None:
    assert add_months(day, months) == expected
    assert refresher.due_again_on(day, months) == expected


def test_a_completion_is_due_again_from_the_same_day_months_later() -> None:
    done = date(2025, 3, 15)
    assert not refresher.is_due(done, 12, date(2026, 3, 14))
    assert refresher.is_due(done, 12, date(2026, 3, 15))
    assert refresher.status(done, 12, date(2026, 3, 14)) == "Due again on 2026-03-15"
    assert refresher.status(done, 12, date(2027, 1, 1)) == "Due again since 2026-03-15"


def test_without_refresher_months_nothing_ever_expires() -> None:
    assert not refresher.is_due(date(1990, 1, 1), None, date(2090, 1, 1))


def test_the_local_day_decides_not_utc() -> None:
    # 04:59 UTC on March 15 is still March 14 in Mississippi (CDT, UTC-5).
    everything = table_of([completion(1, completed_at="2025-03-15T04:59:00Z")])
    due = refresher.console_status(everything, everything, 12, CHICAGO, date(2026, 3, 14))
    assert list(due) == ["Due again since 2026-03-14"]


def test_the_console_judges_an_officer_by_the_latest_completion() -> None:
    old = completion(1, badge_number="A1", completed_at="2024-01-10T15:00:00Z")
    new = completion(2, badge_number="A1", completed_at="2025-06-01T15:00:00Z")
    other = completion(3, badge_number="B2", completed_at="2024-02-01T15:00:00Z")
    elsewhere = completion(4, badge_number="A1", agency=MHP, completed_at="2023-01-01T15:00:00Z")
    everything = table_of([old, new, other, elsewhere])
    today = date(2025, 7, 1)
    shown = everything.iloc[[0, 2, 3]]  # a selection that leaves the newer completion out
    assert list(refresher.console_status(shown, everything, 12, CHICAGO, today)) == [
        "Completed again on 2025-06-01",
        "Due again since 2025-02-01",
        "Due again since 2024-01-01",  # the same badge in another agency is another officer
    ]
    assert refresher.officers_due(shown, everything, 12, CHICAGO, today) == 2
    assert refresher.officers_due(everything.iloc[[0]], everything, 12, CHICAGO, today) == 0


def test_the_roster_lists_who_is_due_again_beside_who_never_completed() -> None:
    people = read_roster(
        b"badge,name,agency\n"
        b"A1,Ann Lee,Hinds County Sheriff's Office\n"
        b"B2,Bo Diaz,Hinds County Sheriff's Office\n"
        b"C3,Cy Young,\n"
        b"D4,Di Ross,Hinds County Sheriff's Office\n"
    )
    done = table_of(
        [
            completion(1, badge_number="A1", completed_at="2024-05-01T15:00:00Z"),
            completion(2, badge_number="B2", completed_at="2025-05-01T15:00:00Z"),
            completion(3, badge_number="c3", agency=MHP, completed_at="2024-04-30T15:00:00Z"),
        ]
    )
    today = date(2025, 5, 1)
    listed = outstanding(people, done, CHICAGO, 12, today)
    assert list(listed.itertuples(index=False, name=None)) == [
        ("A1", "Ann Lee", HINDS, "Due again since 2025-05-01"),
        ("C3", "Cy Young", "", "Due again since 2025-04-30"),  # no agency: the badge decides
        ("D4", "Di Ross", HINDS, "Not completed"),
    ]
    never = outstanding(people, done, CHICAGO, None, today)
    assert list(never["badge_number"]) == ["D4"], "without refresher_months only the missing"
    assert list(never["status"]) == ["Not completed"]


def test_the_roster_s_not_completed_rows_match_missing_from() -> None:
    from training.roster import missing_from

    people = read_roster(b"badge,name\nA1,Ann\nZ9,Zed\n")
    done = table_of([completion(1, badge_number="a1")])
    listed = outstanding(people, done, CHICAGO)
    expected = missing_from(people, done)
    pd.testing.assert_frame_equal(
        listed.loc[:, ["badge_number", "name"]], expected.loc[:, ["badge_number", "name"]]
    )


# --- course.yaml ----------------------------------------------------------------------------------


def test_the_shipped_course_sets_no_refresher_and_two_hours() -> None:
    from training.config import PROJECT_ROOT

    info = load_course(PROJECT_ROOT).info
    assert info.refresher_months is None, "§ 45-6-7 sets no interval"
    assert info.credit_hours == 2.0


@pytest.mark.parametrize("value", [12, 1, 120])
def test_a_refresher_interval_in_months_is_accepted(course_copy: Path, value: int) -> None:
    edit_yaml(course_copy, "course.yaml", lambda d: d.update(refresher_months=value))
    assert problems(course_copy) == []
    assert load_course(course_copy).info.refresher_months == value


@pytest.mark.parametrize("value", [0, -6, 121, 12.5, "12", True, "yearly"])
def test_a_bad_refresher_interval_is_refused_with_a_message(
    course_copy: Path, value: object
) -> None:
    edit_yaml(course_copy, "course.yaml", lambda d: d.update(refresher_months=value))
    assert problems(course_copy) == [
        "course.yaml: refresher_months: must be a whole number of months from 1 to 120; "
        "leave it out and completions never expire"
    ]


@pytest.mark.parametrize("value", ["MS-HT-101", "2026.04/7", "A", 4711])
def test_a_course_number_is_accepted(course_copy: Path, value: object) -> None:
    edit_yaml(course_copy, "course.yaml", lambda d: d.update(course_number=value))
    assert problems(course_copy) == []
    assert load_course(course_copy).info.course_number == str(value)


@pytest.mark.parametrize("value", ["", "-101", "=1+1", "MS HT 101 " + "x" * 40, "A\nB", 1.5])
def test_a_bad_course_number_is_refused_with_a_message(course_copy: Path, value: object) -> None:
    edit_yaml(course_copy, "course.yaml", lambda d: d.update(course_number=value))
    [problem] = problems(course_copy)
    assert problem.startswith("course.yaml: course_number: must be 1 to 40 letters, digits")


def test_credit_hours_default_to_two(course_copy: Path) -> None:
    edit_yaml(course_copy, "course.yaml", lambda d: d.pop("credit_hours"))
    assert problems(course_copy) == []
    assert load_course(course_copy).info.credit_hours == 2.0
