"""An account's scope, applied by the store where records are read, on each backend: counts,
pages, charts' data, filter choices, attempts, question analysis, roster matching and the
downloads hold only the scope's agencies, whatever filter the browser sends."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from tests.factories import attempt, completion
from training import auth, reports, roster
from training.auth import ALL_AGENCIES, Scope
from training.content import Course
from training.exports import (
    attempts_file,
    certificates_file,
    completions_file,
    export_query,
    records_file,
)
from training.storage import CompletionQuery, Store

HINDS = "Hinds County Sheriff's Office"
JACKSON = "Jackson Police Department"
MHP = "Mississippi Highway Patrol"
ONLY_HINDS = Scope.of([HINDS])
CHICAGO = ZoneInfo("America/Chicago")

#: (name, badge, agency, completed at, course version). Badge 101 is in two agencies: two
#: officers, and one's records must never count for the other.
PEOPLE = [
    ("Hana Hinds", "101", HINDS, "2026-11-02T15:00:00Z", "v1"),
    ("Hugo Hinds", "H-2", HINDS, "2026-11-20T15:00:00Z", "v1"),
    ("Jack Outside", "101", JACKSON, "2026-11-03T15:00:00Z", "v1"),
    ("Jill Outside", "J-2", JACKSON, "2026-12-20T15:00:00Z", "v-jackson"),
    ("Mel Patrol", "M-1", MHP, "2026-11-04T15:00:00Z", "v1"),
]
OUTSIDE_NAMES = {"Jack Outside", "Jill Outside"}


@pytest.fixture
def records(store: Store, course: Course) -> Store:
    for n, (name, badge, agency, at, version) in enumerate(PEOPLE):
        store.record_completion(
            completion(
                n,
                officer_name=name,
                badge_number=badge,
                agency=agency,
                completed_at=at,
                course_version=version,
                certificate_code=f"CODE-{n:04d}-AAAA-BBBB",
            )
        )
    first = course.final.questions[0]
    right = sorted(first.correct_positions)
    wrong = [next(i for i in range(len(first.options)) if i not in first.correct_positions)]
    # Hana failed the final, then passed; the Jackson officer with her badge failed three times.
    finals = [
        ("101", HINDS, False),
        ("101", HINDS, True),
        ("101", JACKSON, False),
        ("101", JACKSON, False),
        ("101", JACKSON, False),
        ("M-1", MHP, True),
    ]
    for n, (badge, agency, passed) in enumerate(finals):
        store.append_attempt(
            attempt(
                n,
                badge_number=badge,
                agency=agency,
                passed=passed,
                answers=f'{{"{first.id}": {right if passed else wrong}}}',
            )
        )
    return store


def q(scope: Scope, **filters: object) -> CompletionQuery:
    return CompletionQuery(scope=scope, zone="America/Chicago", **filters)


def names(store: Store, query: CompletionQuery) -> list[str]:
    return list(store.query_completions(query).rows["officer_name"])


def test_a_one_agency_scope_reads_only_that_agencys_completions(records: Store) -> None:
    assert names(records, q(ONLY_HINDS)) == ["Hana Hinds", "Hugo Hinds"]
    assert records.query_completions(q(ONLY_HINDS)).total == 2
    page = records.query_completions(q(ONLY_HINDS), offset=1, limit=5)
    assert list(page.rows["officer_name"]) == ["Hugo Hinds"] and page.total == 2
    assert set(records.read_completions(ONLY_HINDS)["agency"]) == {HINDS}
    everyone = records.query_completions(q(ALL_AGENCIES))
    assert everyone.total == 5 and set(everyone.rows["officer_name"]) >= OUTSIDE_NAMES


def test_filters_the_browser_sends_cannot_reach_outside_the_scope(records: Store) -> None:
    assert records.query_completions(q(ONLY_HINDS, agencies=(JACKSON,))).total == 0
    assert names(records, q(ONLY_HINDS, agencies=(JACKSON, HINDS))) == ["Hana Hinds", "Hugo Hinds"]
    assert records.query_completions(q(ONLY_HINDS, search="Outside")).total == 0
    assert records.query_completions(q(ONLY_HINDS, search="J-2")).total == 0
    assert names(records, q(ONLY_HINDS, search="101")) == ["Hana Hinds"], "same badge, one agency"
    assert records.query_completions(q(ONLY_HINDS, versions=("v-jackson",))).total == 0
    late = q(ONLY_HINDS, start=date(2026, 12, 1), end=date(2026, 12, 31))
    assert records.query_completions(late).total == 0, "Jill's December completion is not seen"
    view = records.console_view(q(ONLY_HINDS, agencies=(JACKSON,)), "final", limit=10)
    assert view.summary.completions == 0 and view.rows.empty and view.by_agency.empty
    assert view.summary.final_attempts == 0


def test_the_console_figures_and_charts_count_only_the_scope(records: Store) -> None:
    view = records.console_view(q(ONLY_HINDS), "final", limit=10)
    s = view.summary
    assert (s.completions, s.officers, s.agencies) == (2, 2, 1)
    # Hana's two finals; the three failed finals of Jackson's badge 101 are not hers.
    assert (s.final_attempts, s.passed_finals) == (2, 1)
    assert list(view.rows["officer_name"]) == ["Hana Hinds", "Hugo Hinds"]
    assert list(view.by_agency["agency"]) == [HINDS]
    assert int(view.weekly["completions"].sum()) == 2
    weeks = set(view.weekly["week_start"])
    assert date(2026, 12, 14) not in weeks, "no week of Jill's completion"
    statewide = records.console_view(q(ALL_AGENCIES), "final", limit=10).summary
    assert (statewide.completions, statewide.agencies, statewide.final_attempts) == (5, 3, 6)


def test_filter_choices_come_from_the_scope_only(records: Store) -> None:
    assert records.completion_choices(ONLY_HINDS) == ((HINDS,), ("v1",))
    assert records.completion_choices(Scope.of([HINDS, JACKSON])) == (
        (HINDS, JACKSON),
        ("v-jackson", "v1"),
    )
    assert records.completion_choices(ALL_AGENCIES)[0] == (HINDS, JACKSON, MHP)


def test_attempts_and_question_analysis_count_only_the_scope(
    records: Store, course: Course
) -> None:
    mine = records.read_attempts(ONLY_HINDS)
    assert list(mine["agency"]) == [HINDS, HINDS]
    question = course.final.questions[0].id
    row = reports.question_analysis(mine, course).set_index("question_id").loc[question]
    assert (row["drawn"], row["correct"]) == (2, 1)
    everyone = reports.question_analysis(records.read_attempts(ALL_AGENCIES), course)
    assert everyone.set_index("question_id").loc[question, "drawn"] == 6


def test_a_roster_naming_another_agencys_officer_learns_nothing_about_them(
    records: Store,
) -> None:
    listed = roster.read_roster(
        (
            "badge_number,name,agency\n"
            f"101,Hana Hinds,{HINDS}\n"
            f"J-2,Jill Outside,{JACKSON}\n"
            f"NOBODY-1,Nobody At All,{JACKSON}\n"
        ).encode()
    )
    missing = roster.missing_from(listed, records.read_completions(ONLY_HINDS))
    # Jill completed, but to this account she looks exactly like someone who never existed.
    assert list(missing["badge_number"]) == ["J-2", "NOBODY-1"]
    no_agency = roster.read_roster(b"badge,name\nJ-2,Jill Outside\nH-2,Hugo Hinds\n")
    assert list(roster.missing_from(no_agency, records.read_completions(ONLY_HINDS))["name"]) == [
        "Jill Outside"
    ]
    statewide = roster.missing_from(listed, records.read_completions(ALL_AGENCIES))
    assert list(statewide["badge_number"]) == ["NOBODY-1"]


def _csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _cells(data: bytes) -> list[list[object]]:
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
    assert sheet is not None
    return [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_every_download_holds_only_the_scope(records: Store, course: Course) -> None:
    # As the console builds them: every file from the store, through the scoped query.
    crafted = q(ONLY_HINDS, agencies=(JACKSON,))
    assert _csv_rows(completions_file(records, crafted, CHICAGO, "csv")) == []
    assert _cells(completions_file(records, crafted, CHICAGO, "xlsx")) == []
    rows = _csv_rows(completions_file(records, q(ONLY_HINDS), CHICAGO, "csv"))
    assert {r["agency"] for r in rows} == {HINDS} and len(rows) == 2
    sheet = _cells(completions_file(records, q(ONLY_HINDS), CHICAGO, "xlsx"))
    assert len(sheet) == 2 and all(HINDS in row for row in sheet)
    attempts = _csv_rows(attempts_file(records, ONLY_HINDS, CHICAGO, "csv"))
    assert {r["agency"] for r in attempts} == {HINDS} and len(attempts) == 2
    assert len(_cells(attempts_file(records, ONLY_HINDS, CHICAGO, "xlsx"))) == 2
    for fmt in ("csv", "xlsx"):
        data = records_file(records, q(ONLY_HINDS), course.info, CHICAGO, fmt)
        text = data.decode("utf-8-sig") if fmt == "csv" else repr(_cells(data))
        assert "Hinds" in text and "Jackson" not in text and "Patrol" not in text
    archive = certificates_file(records, crafted, course.info, CHICAGO, "http://localhost")
    with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
        assert zipped.namelist() == []
    exported = completions_file(
        records, export_query(ONLY_HINDS, CHICAGO, JACKSON, None), CHICAGO, "csv"
    )
    assert _csv_rows(exported) == []
    everyone = export_query(ALL_AGENCIES, CHICAGO, None, None)
    assert len(_csv_rows(completions_file(records, everyone, CHICAGO, "csv"))) == 5


def test_several_agencies_and_no_agency(records: Store) -> None:
    two = Scope.of([MHP, HINDS, HINDS])
    assert two.agencies == (HINDS, MHP)
    assert names(records, q(two)) == ["Hana Hinds", "Hugo Hinds", "Mel Patrol"]
    nothing = Scope.of([])
    assert records.query_completions(q(nothing)).total == 0
    assert records.read_attempts(nothing).empty and records.completion_choices(nothing) == ((), ())
    # Agencies are matched as the records spell them: a name in another case is another name.
    assert records.query_completions(q(Scope.of([HINDS.upper()]))).total == 0


def test_the_lockout_is_per_username_and_computer(store: Store) -> None:
    for _ in range(auth.MAX_FAILURES - 1):
        store.sign_in_failed("hinds", "10.0.0.1")
    assert store.sign_in_locked_seconds("hinds", "10.0.0.1") == 0
    store.sign_in_failed("hinds", "10.0.0.1")
    assert 14 * 60 < store.sign_in_locked_seconds("hinds", "10.0.0.1") <= 15 * 60
    assert store.sign_in_locked_seconds("hinds", "10.0.0.2") == 0, "another computer"
    assert store.sign_in_locked_seconds("statewide", "10.0.0.1") == 0, "another account"
    assert store.sign_in_locked_seconds(None, "10.0.0.1") == 0, "the single password's count"
    store.sign_in_succeeded("statewide", "10.0.0.1")
    assert store.sign_in_locked_seconds("hinds", "10.0.0.1") > 0, "another's success clears none"


def test_a_computer_trying_username_after_username_is_locked_out(store: Store) -> None:
    # Each username stays under its own limit; together they reach the computer's.
    for n in range(auth.MAX_CLIENT_FAILURES):
        store.sign_in_failed(f"guess-{n % 10}", "10.0.0.9")
    assert store.sign_in_locked_seconds("guess-0", "10.0.0.9") > 0
    assert store.sign_in_locked_seconds("never-tried", "10.0.0.9") > 0, "any username"
    assert store.sign_in_locked_seconds("never-tried", "10.0.0.8") == 0
