"""Records an officer earns are saved once, and kept until they are."""

from __future__ import annotations

import errno
import random
import threading
from dataclasses import replace

import pytest

from tests.factories import completion
from tests.storage.conftest import KEY
from training import certificates
from training.auth import ALL_AGENCIES
from training.content import Course
from training.grading import draw, score
from training.officers import Officer
from training.progress import Progress
from training.records import attempt_record, catch_up, completion_record, save_pending
from training.storage import Store, StoreWriteError

OFFICER = Officer("Zoë Lee", "AB-1", "Mississippi Highway Patrol")


def _passed(course: Course):
    quiz = course.final
    drawn = draw(quiz, random.Random(1))
    answers = {d.question_id: sorted(quiz.question(d.question_id).correct_positions) for d in drawn}
    return score(quiz, drawn, answers, 80)


def _setup(store: Store, course: Course) -> tuple[str, Progress]:
    token = store.progress_token(OFFICER)
    progress = Progress.start(OFFICER, course)
    progress.final_attempts = 1
    store.save_progress(token, progress)
    return token, progress


def test_a_completion_carries_the_officer_course_version_and_a_checkable_code(
    store: Store, course: Course
) -> None:
    _, progress = _setup(store, course)
    result = _passed(course)
    record = completion_record(progress, course, result, KEY)
    assert (record.officer_name, record.badge_number, record.agency) == (
        "Zoë Lee",
        "AB-1",
        "Mississippi Highway Patrol",
    )
    assert record.course_version == course.version and record.score_percent == 100
    assert certificates.is_genuine_form(record.certificate_code, KEY)
    attempt = attempt_record(progress, course, course.final, result, 61.4)
    assert attempt.passed and attempt.duration_seconds == 61 and attempt.quiz_id == "final"


def test_saving_twice_or_from_two_tabs_gives_one_completion(store: Store, course: Course) -> None:
    _token, progress = _setup(store, course)
    result = _passed(course)
    first = completion_record(progress, course, result, KEY)
    second = completion_record(progress, course, result, KEY)
    assert save_pending([first], store) == first
    assert save_pending([second], store) == first, "the second tab gets the first"
    assert len(store.read_completions(ALL_AGENCIES)) == 1


def test_concurrent_saves_of_one_officer_give_one_completion(store: Store, course: Course) -> None:
    _token, progress = _setup(store, course)
    result = _passed(course)
    records = [completion_record(progress, course, result, KEY) for _ in range(6)]
    saved: list[object] = []
    threads = [
        threading.Thread(target=lambda r=r: saved.append(save_pending([r], store))) for r in records
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(store.read_completions(ALL_AGENCIES)) == 1
    assert len({s.record_id for s in saved}) == 1  # type: ignore[attr-defined]


def test_a_failed_write_keeps_every_record_waiting_and_a_retry_saves_them(
    store: Store, course: Course, monkeypatch: pytest.MonkeyPatch
) -> None:
    _token, progress = _setup(store, course)
    result = _passed(course)
    pending = [
        attempt_record(progress, course, course.final, result, 30),
        completion_record(progress, course, result, KEY),
    ]
    waiting = list(pending)

    def disk_full(record: object) -> None:
        raise StoreWriteError(errno.ENOSPC, "the disk is full")

    monkeypatch.setattr(store, "append_attempt", disk_full)
    with pytest.raises(StoreWriteError):
        save_pending(waiting, store)
    assert waiting == pending, "nothing is lost"
    monkeypatch.undo()
    assert save_pending(waiting, store) == pending[1]
    assert waiting == []
    assert (
        len(store.read_attempts(ALL_AGENCIES)) == 1
        and len(store.read_completions(ALL_AGENCIES)) == 1
    )
    # "Retry saving" pressed again (or in another tab): the completion is not written twice.
    assert save_pending([pending[1]], store) == pending[1]
    assert len(store.read_completions(ALL_AGENCIES)) == 1


def test_a_second_tab_saving_stale_progress_cannot_cause_a_second_completion(
    store: Store, course: Course
) -> None:
    token, progress = _setup(store, course)
    result = _passed(course)
    first = completion_record(progress, course, result, KEY)
    assert save_pending([first], store) == first
    store.save_progress(token, progress)  # the other tab's copy, from before the completion
    second = completion_record(progress, course, result, KEY)
    assert save_pending([second], store) == first
    assert len(store.read_completions(ALL_AGENCIES)) == 1


def test_a_retake_keeps_one_completion_per_course_version(store: Store, course: Course) -> None:
    token, progress = _setup(store, course)
    result = _passed(course)
    first = completion_record(progress, course, result, KEY)
    save_pending([first], store)
    progress.completion = first.__dict__.copy()  # as the session saves it after
    store.save_progress(token, progress)
    again = store.load_progress(token)
    assert again is not None
    again.retake()
    store.save_progress(token, again)
    second = completion_record(again, course, result, KEY)
    assert save_pending([second], store) == first, "the same version: the first one stands"
    assert len(store.read_completions(ALL_AGENCIES)) == 1
    newer = replace(second, record_id="rec-newer", course_version="fedcba987654")
    assert save_pending([newer], store) == newer, "a new course version is a new completion"
    assert len(store.read_completions(ALL_AGENCIES)) == 2


def test_the_duplicate_check_finds_the_first_tabs_completion_after_many_others(
    store: Store, course: Course
) -> None:
    for n in range(300):  # other officers, recorded before this officer began
        store.record_completion(completion(n, badge_number="AB-1", agency="Other PD"))
    token = store.progress_token(OFFICER)
    progress = Progress.start(OFFICER, course, store.completions_mark())
    progress.final_attempts = 1
    store.save_progress(token, progress)
    store.record_completion(completion(999))  # someone else, after
    result = _passed(course)
    first = completion_record(progress, course, result, KEY)
    assert save_pending([first], store) == first
    store.save_progress(token, progress)  # the other tab's stale copy
    second = completion_record(progress, course, result, KEY)
    assert save_pending([second], store) == first
    mine = store.read_completions(ALL_AGENCIES).query("agency == 'Mississippi Highway Patrol'")
    assert list(mine["record_id"]) == [first.record_id]


def _check_attempt(course: Course, n: int, **changes: object):  # type: ignore[no-untyped-def]
    from tests.factories import attempt

    values: dict[str, object] = dict(
        badge_number=OFFICER.badge_number,
        agency=OFFICER.agency,
        course_id=course.info.id,
        quiz_id=course.check_for(course.modules[0]).id,
        submitted_at="2099-01-01T00:00:00Z",
        score_percent=86,
        duration_seconds=120,
    )
    values.update(changes)
    return attempt(n, **values)


def test_a_saved_place_catches_up_with_checks_recorded_after_it(
    store: Store, course: Course
) -> None:
    token, _ = _setup(store, course)
    first, second = (course.check_for(m).id for m in course.modules[:2])
    store.append_attempt(_check_attempt(course, 1, quiz_id=second, score_percent=71))
    store.append_attempt(_check_attempt(course, 2, badge_number="OTHER-1"))
    store.append_attempt(_check_attempt(course, 3, quiz_id=course.final.id, passed=True))
    store.append_attempt(_check_attempt(course, 4, quiz_id=second, score_percent=100))
    saved = store.load_progress(token)
    assert saved is not None
    catch_up(saved, course, store)
    assert saved.checks == {second: 71}, "this officer's checks only, the first attempt's score"
    assert saved.quiz_seconds == 120
    assert first not in saved.checks


def test_catching_up_keeps_what_the_place_already_has_and_counts_time_once(
    store: Store, course: Course
) -> None:
    _, progress = _setup(store, course)
    check = course.check_for(course.modules[0]).id
    progress.checks[check] = 90
    progress.quiz_seconds = 200.0
    store.append_attempt(_check_attempt(course, 0, score_percent=40))
    catch_up(progress, course, store)
    catch_up(progress, course, store)
    assert progress.checks == {check: 90}
    assert progress.quiz_seconds == 200.0


def test_nothing_is_caught_up_from_before_a_retake_and_an_old_place_reads_all_once(
    store: Store, course: Course
) -> None:
    _, progress = _setup(store, course)
    store.append_attempt(_check_attempt(course, 0, submitted_at="2000-01-01T00:00:00Z"))
    catch_up(progress, course, store)
    assert progress.checks == {}, "an attempt older than this run of the course"
    store.append_attempt(_check_attempt(course, 1))
    progress.attempts_offset = None  # a place saved before offsets were kept
    catch_up(progress, course, store)
    assert progress.checks == {course.check_for(course.modules[0]).id: 86}
    assert progress.attempts_offset == store.attempts_mark(), "and from now on, from here"


def test_a_saved_place_catches_up_with_its_completion_not_one_retaken(
    store: Store, course: Course
) -> None:
    _, progress = _setup(store, course)
    earlier = completion(
        1,
        badge_number=OFFICER.badge_number,
        agency=OFFICER.agency,
        completed_at="2099-01-01T00:00:00Z",
    )
    store.record_completion(earlier)
    progress.earlier_completions.append(earlier.__dict__.copy())  # retaken since
    catch_up(progress, course, store)
    assert progress.completion is None
    this_run = completion(
        2,
        badge_number=OFFICER.badge_number,
        agency=OFFICER.agency,
        completed_at="2099-01-02T00:00:00Z",
        course_version="fedcba987654",  # one completion per version: a retake earns a new one
    )
    store.record_completion(this_run)
    progress.final_draw = [{"question_id": "x", "option_order": [0, 1]}]
    catch_up(progress, course, store)
    assert progress.completion == this_run.__dict__
    assert progress.final_draw is None


def test_a_check_done_in_one_tab_survives_a_save_from_another(store: Store, course: Course) -> None:
    token, _ = _setup(store, course)
    tab_a, tab_b = store.load_progress(token), store.load_progress(token)
    assert tab_a is not None and tab_b is not None
    catch_up(tab_a, course, store)
    catch_up(tab_b, course, store)
    check = course.check_for(course.modules[0]).id
    store.append_attempt(_check_attempt(course, 0))  # tab A's check; A leaves before saving
    tab_a.checks[check] = 86
    for n in range(1, 150):  # other officers' attempts, far more than the read looks back
        store.append_attempt(_check_attempt(course, n, badge_number=f"OTHER-{n}"))
    store.save_progress(token, tab_b)  # tab B, which never saw A's check, saves its place
    saved = store.load_progress(token)
    assert saved is not None
    catch_up(saved, course, store)
    assert saved.checks == {check: 86}
