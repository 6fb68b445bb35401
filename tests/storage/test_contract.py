"""What every Store must do: the definition of the storage seam, run on each backend."""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import replace
from datetime import date

from tests.factories import attempt, completion
from training.auth import ALL_AGENCIES
from training.officers import Officer, clean_name
from training.progress import Progress
from training.storage import CompletionQuery, Store

OFFICER = Officer("Zoë Lee", "AB-1", "Mississippi Highway Patrol")


def test_an_attempt_is_read_back_as_written(store: Store) -> None:
    record = attempt(1, badge_number="007", answers='{"fin-01":[2]}', passed=True)
    store.append_attempt(record)
    table = store.read_attempts(ALL_AGENCIES)
    assert len(table) == 1
    row = table.iloc[0]
    assert row["badge_number"] == "007", "a badge keeps its leading zeros"
    assert row["answers"] == '{"fin-01":[2]}'
    assert int(row["score_percent"]) == 70 and row["submitted_at"] == "2026-11-28T05:58:00Z"
    assert str(row["passed"]).lower() == "true"


def test_one_completion_per_officer_and_course_version(store: Store) -> None:
    first = completion(1)
    assert store.record_completion(first) == first
    again = replace(first, record_id="rec-again", certificate_code="WXYZ-WXYZ-WXYZ-WXYZ")
    assert store.record_completion(again) == first, "the one already kept is returned"
    other_agency = replace(first, record_id="rec-2", agency="Jackson Police Department")
    newer = replace(first, record_id="rec-3", course_version="fedcba987654")
    assert store.record_completion(other_agency) == other_agency
    assert store.record_completion(newer) == newer
    assert sorted(store.read_completions(ALL_AGENCIES)["record_id"]) == ["rec-1", "rec-2", "rec-3"]


def test_completions_from_many_threads_at_once_keep_one(store: Store) -> None:
    kept: list[object] = []
    records = [completion(1, record_id=f"rec-{n}") for n in range(8)]
    threads = [
        threading.Thread(target=lambda r=r: kept.append(store.record_completion(r)))
        for r in records
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(store.read_completions(ALL_AGENCIES)) == 1
    assert len({k.record_id for k in kept}) == 1  # type: ignore[attr-defined]


def test_a_certificate_is_found_by_its_code(store: Store) -> None:
    store.record_completion(completion(1, certificate_code="AAAA-BBBB-CCCC-DDDD"))
    store.record_completion(completion(2, certificate_code="EEEE-FFFF-GGGG-HHHH"))
    found = store.find_certificate("EEEE-FFFF-GGGG-HHHH")
    assert found is not None and found.record_id == "rec-2" and found.score_percent == 90
    assert store.find_certificate("ZZZZ-ZZZZ-ZZZZ-ZZZZ") is None


def test_completion_since_and_attempts_since_find_one_officers_course(store: Store) -> None:
    mark = store.completions_mark()
    store.record_completion(completion(1, completed_at="2026-01-01T00:00:00Z"))
    store.record_completion(
        completion(1, record_id="rec-new", course_version="v2", completed_at="2026-02-01T00:00:00Z")
    )
    badge, agency = "B00001", "Hinds County Sheriff's Office"
    found = store.completion_since(badge, agency, "ms-ht-le", "2026-01-15T00:00:00Z", after=mark)
    assert found is not None and found.record_id == "rec-new"
    assert (
        store.completion_since(
            badge, agency, "ms-ht-le", "2026-01-15T00:00:00Z", frozenset({"rec-new"})
        )
        is None
    )
    assert store.completion_since(badge, "Other PD", "ms-ht-le", "2000-01-01T00:00:00Z") is None
    for n, quiz in enumerate(["check-1", "check-2", "final"]):
        store.append_attempt(attempt(n, quiz_id=quiz, submitted_at=f"2026-03-0{n + 1}T00:00:00Z"))
    store.append_attempt(attempt(9, badge_number="OTHER"))
    rows = store.attempts_since("007", "Mississippi Highway Patrol", "ms-ht-le", "2026-03-02")
    assert [r["quiz_id"] for r in rows] == ["check-2", "final"], "in the order written"
    assert rows[0]["score_percent"] == "70" and rows[0]["duration_seconds"] == "300"


def test_a_place_is_saved_and_loaded_whole_under_a_keyed_token(store: Store, course) -> None:  # type: ignore[no-untyped-def]
    token = store.progress_token(OFFICER)
    assert token == store.progress_token(Officer("Another spelling", "ab-1", OFFICER.agency))
    assert store.load_progress(token) is None
    place = Progress.start(OFFICER, course)
    place.lessons_done = [course.lessons[0].id]
    place.lesson_seconds = {course.lessons[0].id: 61.5}
    store.save_progress(token, place)
    place.position = 3
    store.save_progress(token, place)
    loaded = store.load_progress(token)
    assert loaded is not None and loaded.to_json() == place.to_json()
    assert store.load_progress("0" * 32) is None
    assert store.load_progress("not a token") is None


def test_five_wrong_passwords_lock_the_client_out_and_success_resets(store: Store) -> None:
    for _ in range(4):
        store.sign_in_failed(None, "10.0.0.1")
    assert store.sign_in_locked_seconds(None, "10.0.0.1") == 0
    store.sign_in_succeeded(None, "10.0.0.1")
    for _ in range(4):
        store.sign_in_failed(None, "10.0.0.1")
    assert store.sign_in_locked_seconds(None, "10.0.0.1") == 0, "a success started the count again"
    store.sign_in_failed(None, "10.0.0.1")
    locked = store.sign_in_locked_seconds(None, "10.0.0.1")
    assert 14 * 60 < locked <= 15 * 60
    assert store.sign_in_locked_seconds(None, "10.0.0.2") == 0, "another computer is not locked"


def test_the_version_changes_with_every_record(store: Store) -> None:
    before = store.version()
    store.append_attempt(attempt(1))
    middle = store.version()
    store.record_completion(completion(1))
    assert len({str(before), str(middle), str(store.version())}) == 3


def test_records_can_be_written_where_the_store_lives(store: Store) -> None:
    assert store.write_problem() is None


def _many(store: Store) -> None:
    people = [
        ("Ann Lee", "A1", "Jackson Police Department", "2026-11-01T15:00:00Z"),
        ("Bob O'Neil", "B2", "Jackson Police Department", "2026-11-10T15:00:00Z"),
        ("Cy Young", "C3", "Hinds County Sheriff's Office", "2026-11-20T15:00:00Z"),
        # 11:59 pm on Nov 30 in Chicago: a November completion there, though December in UTC.
        ("Di Nash", "D4", "Mississippi Highway Patrol", "2026-12-01T05:59:00Z"),
        ("Ann Lee", "A1", "Jackson Police Department", "2026-12-15T15:00:00Z"),
    ]
    for n, (name, badge, agency, at) in enumerate(people):
        store.record_completion(
            completion(
                n,
                officer_name=name,
                badge_number=badge,
                agency=agency,
                completed_at=at,
                course_version="v1" if n < 4 else "v2",
            )
        )


def test_the_console_query_filters_counts_and_pages_in_the_store(store: Store) -> None:
    _many(store)
    everyone = store.query_completions(CompletionQuery(scope=ALL_AGENCIES))
    assert everyone.total == 5
    assert list(everyone.rows["record_id"]) == [f"rec-{n}" for n in range(5)], "oldest first"
    jackson = store.query_completions(
        CompletionQuery(scope=ALL_AGENCIES, agencies=("Jackson Police Department",))
    )
    assert jackson.total == 3
    named = store.query_completions(CompletionQuery(scope=ALL_AGENCIES, search="o'neil"))
    assert list(named.rows["officer_name"]) == ["Bob O'Neil"]
    assert store.query_completions(CompletionQuery(scope=ALL_AGENCIES, search="%")).total == 0, (
        "plain text"
    )
    assert store.query_completions(CompletionQuery(scope=ALL_AGENCIES, search="c3")).total == 1, (
        "badges too"
    )
    november = CompletionQuery(
        scope=ALL_AGENCIES, start=date(2026, 11, 1), end=date(2026, 11, 30), zone="America/Chicago"
    )
    assert list(store.query_completions(november).rows["officer_name"]) == [
        "Ann Lee",
        "Bob O'Neil",
        "Cy Young",
        "Di Nash",
    ]
    assert store.query_completions(CompletionQuery(scope=ALL_AGENCIES, versions=("v2",))).total == 1
    page = store.query_completions(CompletionQuery(scope=ALL_AGENCIES), offset=1, limit=2)
    assert list(page.rows["record_id"]) == ["rec-1", "rec-2"] and page.total == 5
    row = page.rows.iloc[0]
    assert row["completed_at"] == "2026-11-10T15:00:00Z" and int(row["score_percent"]) == 90


def test_the_console_view_counts_charts_and_rates_in_the_store(store: Store) -> None:
    _many(store)
    # Ann (A1, Jackson) failed the final once, then passed twice (two versions); Cy passed;
    # someone not in view failed.
    for n, (badge, agency, passed) in enumerate(
        [
            ("A1", "Jackson Police Department", False),
            ("A1", "Jackson Police Department", True),
            ("a1 ", "jackson police department", True),  # the same officer, as the app sees it
            ("C3", "Hinds County Sheriff's Office", True),
            ("Z9", "Jackson Police Department", False),
        ]
    ):
        store.append_attempt(
            attempt(n, badge_number=badge, agency=agency, passed=passed, quiz_id="final")
        )
    store.append_attempt(
        attempt(9, badge_number="A1", agency="Jackson Police Department", quiz_id="check-1")
    )
    view = store.console_view(
        CompletionQuery(scope=ALL_AGENCIES, zone="America/Chicago"), "final", limit=3
    )
    assert list(view.rows["record_id"]) == ["rec-0", "rec-1", "rec-2"]
    assert view.rows["completed_display"].iloc[0] == "2026-11-01 09:00 CST"
    s = view.summary
    assert (s.completions, s.officers, s.agencies) == (5, 4, 3)
    assert (s.final_attempts, s.passed_finals) == (4, 3), "the finals of the officers in view"
    assert s.pass_rate == 0.75 and s.attempts_per_completion == 1.0
    assert list(view.by_agency["agency"]) == [
        "Jackson Police Department",
        "Hinds County Sheriff's Office",
        "Mississippi Highway Patrol",
    ]
    assert list(view.by_agency["completions"]) == [3, 1, 1]
    weeks = dict(zip(view.weekly["week_start"], view.weekly["completions"], strict=True))
    assert weeks[date(2026, 10, 26)] == 1 and weeks[date(2026, 11, 23)] == 0
    assert weeks[date(2026, 11, 30)] == 1, "Nov 30, 11:59 pm in Chicago (Dec 1 in UTC)"
    assert sum(weeks.values()) == 5 and len(weeks) == 8, "quiet weeks shown as 0"
    jackson = store.console_view(
        CompletionQuery(scope=ALL_AGENCIES, agencies=("Jackson Police Department",)),
        "final",
        limit=10,
    )
    assert (jackson.summary.completions, jackson.summary.officers) == (3, 2)
    assert jackson.summary.final_attempts == 3, "Ann's three finals; Z9 has no completion"
    empty = store.console_view(
        CompletionQuery(scope=ALL_AGENCIES, search="nobody"), "final", limit=10
    )
    assert empty.summary.completions == 0 and empty.summary.pass_rate is None
    assert empty.weekly.empty and empty.by_agency.empty and empty.rows.empty
    assert store.completion_choices(ALL_AGENCIES) == (
        (
            "Hinds County Sheriff's Office",
            "Jackson Police Department",
            "Mississippi Highway Patrol",
        ),
        ("v1", "v2"),
    )


def test_search_and_officer_counts_fold_any_script_as_the_app_does(store: Store) -> None:
    """Names in any script are accepted: the console finds them in any case, "ß" as "ss" too,
    and counts one officer whatever the case of the agency typed."""
    store.record_completion(
        completion(1, officer_name="ÉLODIE Strauß", badge_number="ÆB-1", agency="Société Ölde")
    )
    store.record_completion(
        completion(2, badge_number="æb-1", agency="SOCIÉTÉ ÖLDE", course_version="v2")
    )
    store.record_completion(completion(3, officer_name="Ann Lee", badge_number="A1"))
    for n, agency in enumerate(["Société Ölde", "société ölde"]):
        store.append_attempt(attempt(n, badge_number="æb-1", agency=agency, quiz_id="final"))
    for term in ("élodie", "ÉLODIE", "Strauß", "strauss", "STRAUSS", "élodie strauß"):
        found = store.query_completions(CompletionQuery(scope=ALL_AGENCIES, search=term))
        assert list(found.rows["record_id"]) == ["rec-1"], term
    for term in ("æb-1", "ÆB-1", "Æb -1"):
        assert (
            store.query_completions(CompletionQuery(scope=ALL_AGENCIES, search=term)).total == 2
        ), term
    view = store.console_view(CompletionQuery(scope=ALL_AGENCIES), "final", limit=10)
    assert (view.summary.completions, view.summary.officers) == (3, 2), "ÆB-1 once"
    assert view.summary.final_attempts == 2
    named = store.console_view(
        CompletionQuery(scope=ALL_AGENCIES, search="strauss"), "final", limit=10
    )
    assert (named.summary.officers, named.summary.final_attempts) == (1, 2)


#: Names as an officer might type them (some in decomposed form, as some keyboards send them),
#: each in a different script.
TYPED_NAMES = [
    unicodedata.normalize("NFD", "Nguyễn Thị Minh Khai"),
    "王秀英",
    "山田 太郎",
    unicodedata.normalize("NFD", "김민준"),
    "محمد عبد الله",
    "مُحَمَّد عَلِي",
    "דוד כהן",
    "अनुराग शर्मा",
    "क्\u200dष राम",
    "สมชาย ใจดี",
    "Αλέξανδρος Παπαδόπουλος",
    "Владимир Петров",
    "Zoë O’Neil-Núñez",
    "Layla Hassan ليلى حسن",
    "نیک\u200cنام",
]


def test_names_in_any_script_are_kept_as_signed_in_and_found(store: Store, course) -> None:  # type: ignore[no-untyped-def]
    """What sign-in keeps (NFC, nothing dropped) is what the store gives back, to the
    character, in records and saved places, and what the console's search finds."""
    names = [clean_name(typed) for typed in TYPED_NAMES]
    assert all(unicodedata.is_normalized("NFC", name) for name in names)
    for n, name in enumerate(names):
        store.record_completion(completion(n, officer_name=name, badge_number=f"N{n}"))
        officer = Officer(name, f"N{n}", "Mississippi Highway Patrol")
        token = store.progress_token(officer)
        store.save_progress(token, Progress.start(officer, course))
        saved = store.load_progress(token)
        assert saved is not None and saved.name == name
    table = store.read_completions(ALL_AGENCIES)
    kept = dict(zip(table["record_id"], table["officer_name"], strict=True))
    assert kept == {f"rec-{n}": name for n, name in enumerate(names)}
    for n, name in enumerate(names):
        found = store.query_completions(CompletionQuery(scope=ALL_AGENCIES, search=name))
        assert list(found.rows["record_id"]) == [f"rec-{n}"], name
        assert list(found.rows["officer_name"]) == [name]
