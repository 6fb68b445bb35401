"""Progress: the order of the course, the seat-time gate, and resuming where one left off."""

from __future__ import annotations

import errno
import math
import os
import struct
from pathlib import Path

import pytest

from training.content import Course, minimum_seconds
from training.officers import Officer
from training.progress import (
    COUNTDOWN_MAX_INTERVAL_SECONDS,
    MAX_CREDITED_GAP_SECONDS,
    Progress,
    ProgressStore,
    countdown_interval,
    countdown_off_beat,
    countdown_reruns,
    steps,
)

OFFICER = Officer("Zoë Lee", "AB-1", "Mississippi Highway Patrol")


def test_steps_are_lessons_then_check_for_each_module_then_the_final(course: Course) -> None:
    kinds = [s.kind for s in steps(course)]
    expected: list[str] = []
    for module in course.modules:
        expected += ["lesson"] * len(module.lessons) + ["check"]
    assert kinds == [*expected, "final"]


def test_no_step_opens_before_the_ones_before_it_are_done(course: Course) -> None:
    progress = Progress.start(OFFICER, course)
    progress.go_to(course, len(steps(course)) - 1)
    assert progress.current(course)[0] == 0, "the final does not open on a fresh start"
    for lesson in course.modules[0].lessons:
        progress.lessons_done.append(lesson.id)
    progress.go_to(course, 99)
    index, step = progress.current(course)
    assert step.kind == "check" and index == len(course.modules[0].lessons)
    for lesson in course.lessons:
        if lesson.id not in progress.lessons_done:
            progress.lessons_done.append(lesson.id)
    progress.go_to(course, 99)
    assert progress.current(course)[1].kind == "check", "the final waits for every check"
    assert not any(progress.module_done(course, m) for m in course.modules), "checks to do"
    progress.checks = {m.quiz: 50 for m in course.modules}
    progress.go_to(course, 99)
    assert progress.current(course)[1].kind == "final"
    assert all(progress.module_done(course, m) for m in course.modules)
    progress.lessons_done.remove(course.modules[2].lessons[-1].id)
    assert [progress.module_done(course, m) for m in course.modules][1:4] == [True, False, True]


def test_next_stays_closed_until_the_reading_time_has_passed(course: Course) -> None:
    lesson = course.lessons[0]
    progress = Progress.start(OFFICER, course)
    need = minimum_seconds(lesson, 1.0)
    assert need > 30
    progress.last_seen = 1000.0
    progress.note_time(course, now=1000.0 + 30)
    assert progress.seconds_left(course, lesson, 1.0) == need - 30
    assert not progress.finish_lesson(course, lesson, 1.0, now=1000.0 + 30)
    assert lesson.id not in progress.lessons_done
    assert progress.seconds_left(course, lesson, 0.0) == 0, "scale 0 turns the gate off"
    assert progress.seconds_left(course, lesson, 0.5) == max(0, -(-need // 2) - 30)


def test_time_away_from_the_page_is_not_counted_as_reading(course: Course) -> None:
    lesson = course.lessons[0]
    progress = Progress.start(OFFICER, course)
    progress.last_seen = 0.0
    progress.note_time(course, now=3600.0)
    assert progress.lesson_seconds[lesson.id] == MAX_CREDITED_GAP_SECONDS


def browser_timer(interval: float) -> float:
    """The seconds between a browser's reruns of a fragment asked to rerun every `interval`:
    Streamlit sends the interval as a 32-bit float, and the browser's timer (setInterval)
    counts whole milliseconds, the fraction dropped."""
    sent = struct.unpack("f", struct.pack("f", interval))[0]
    return math.floor(sent * 1000) / 1000


def test_the_time_left_is_the_reading_still_to_do_to_the_fraction(course: Course) -> None:
    lesson = course.lessons[0]
    progress = Progress.start(OFFICER, course)
    progress.lesson_seconds[lesson.id] = minimum_seconds(lesson, 1.0) - 8.25
    assert progress.time_left(course, lesson, 1.0) == pytest.approx(8.25)
    assert progress.seconds_left(course, lesson, 1.0) == 9, "shown in whole seconds, up"
    progress.lesson_seconds[lesson.id] += 60
    assert progress.time_left(course, lesson, 1.0) == 0.0
    assert progress.seconds_left(course, lesson, 1.0) == 0
    progress.lesson_seconds[lesson.id] = 0.0
    progress.lessons_done.append(lesson.id)
    assert progress.time_left(course, lesson, 1.0) == progress.seconds_left(course, lesson, 1.0)
    assert progress.seconds_left(course, lesson, 1.0) == 0


@pytest.mark.parametrize(
    ("left", "reruns"),
    [(0.2, 1), (1, 1), (29.5, 1), (30, 1), (30.5, 2), (60, 2), (60.25, 3), (7200, 240)],
)
def test_the_countdown_reruns_as_seldom_as_the_credit_allows(left: float, reruns: int) -> None:
    interval = countdown_interval(left)
    assert countdown_reruns(left) == reruns
    assert interval == pytest.approx(left / reruns, abs=0.002)
    assert interval <= COUNTDOWN_MAX_INTERVAL_SECONDS + 0.002 < MAX_CREDITED_GAP_SECONDS


def test_the_countdowns_last_rerun_comes_when_the_time_is_up_not_before() -> None:
    for quarters in range(1, 4 * 3600 + 1):
        left = quarters / 4
        interval = countdown_interval(left)
        reruns = countdown_reruns(left)
        # Evenly spaced, the last at `left` seconds (a few milliseconds after, never before):
        # not earlier, when "Next" could not open yet; not later, when it would open late.
        assert 0 <= reruns * browser_timer(interval) - left <= reruns * 0.002, left
        # No fewer reruns could keep every gap within the longest interval.
        longest = COUNTDOWN_MAX_INTERVAL_SECONDS
        assert (reruns - 1) * longest < left <= reruns * longest


@pytest.mark.parametrize("left", [0, -5])
def test_there_is_no_countdown_without_time_left(left: int) -> None:
    with pytest.raises(ValueError):
        countdown_interval(left)


@pytest.mark.parametrize(
    ("scale", "read"),
    [(1.0, 0.0), (1.0, 17.3), (0.004, 0.0), (0.14, 0.6), (2.7, 0.0), (26.0, 100.55)],
)  # 225, 207.7, 1, 31.4, 608, 5749.45 s to go
def test_the_countdowns_reruns_credit_the_reading_and_the_last_one_opens_next(
    course: Course, scale: float, read: float
) -> None:
    """The server's side of a countdown whose browser reruns it on the interval the page
    asked for, on the server's clock (no network delay: the strictest case)."""
    lesson = course.lessons[0]
    progress = Progress.start(OFFICER, course)
    progress.lesson_seconds[lesson.id] = read
    began = now = 1000.0
    progress.note_time(course, now)  # the page drawn
    left = progress.time_left(course, lesson, scale)
    interval = countdown_interval(left)
    # The countdown's own first run, in the same run of the page a moment later (and maybe
    # past a whole second): no redraw.
    assert not countdown_off_beat(left - 0.05, interval)
    reruns = 0
    while progress.seconds_left(course, lesson, scale) > 0:
        now += browser_timer(interval)
        progress.note_time(course, now)
        reruns += 1
        still = progress.time_left(course, lesson, scale)
        assert still <= 0 or not countdown_off_beat(still, interval), "no redraw on time"
    assert reruns == countdown_reruns(left)
    assert progress.lesson_seconds[lesson.id] == pytest.approx(read + now - began)
    assert now - began - left < 0.002 * reruns + 0.001
    assert progress.finish_lesson(course, lesson, scale, now)


def test_a_rerun_that_came_late_redraws_the_page_to_end_on_time(course: Course) -> None:
    lesson = course.lessons[0]
    scale = 60 / minimum_seconds(lesson, 1.0)  # a minute to read
    progress = Progress.start(OFFICER, course)
    progress.note_time(course, 1000.0)
    interval = countdown_interval(progress.time_left(course, lesson, scale))
    assert interval == pytest.approx(30, abs=0.002)
    # Three quarters of a second late (a slow network): the next rerun still lands within a
    # second of the time being up.
    on_time = Progress.from_json(progress.to_json())
    on_time.note_time(course, 1000.0 + interval + 0.75)
    assert not countdown_off_beat(on_time.time_left(course, lesson, scale), interval)
    # Twelve seconds late (the browser held the timer back): the next would land 12 s after
    # the time is up, so the page is drawn again with an interval that ends on time.
    progress.note_time(course, 1000.0 + interval + 12)
    left = progress.time_left(course, lesson, scale)
    assert left == pytest.approx(18 - 0.001) and countdown_off_beat(left, interval)
    assert countdown_interval(left) == pytest.approx(18, abs=0.002)
    assert not countdown_off_beat(left, countdown_interval(left))


def test_progress_is_saved_and_loaded_whole(tmp_path: Path, course: Course) -> None:
    store = ProgressStore(tmp_path, b"key")
    token = store.token(OFFICER)
    progress = Progress.start(OFFICER, course)
    progress.lessons_done.append(course.lessons[0].id)
    progress.lesson_seconds[course.lessons[0].id] = 123.5
    progress.position = 1
    store.save(token, progress)
    assert store.load(token) == progress
    assert [p.name for p in (tmp_path / "progress").iterdir()] == [f"{token}.json"]


def test_a_failed_save_keeps_the_last_saved_place_and_leaves_nothing_behind(
    tmp_path: Path, course: Course, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ProgressStore(tmp_path, b"key")
    token = store.token(OFFICER)
    saved = Progress.start(OFFICER, course)
    store.save(token, saved)
    moved_on = Progress.from_json(saved.to_json())
    moved_on.position = 1

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        store.save(token, moved_on)
    monkeypatch.undo()
    assert store.load(token) == saved
    assert [p.name for p in (tmp_path / "progress").iterdir()] == [f"{token}.json"]


def test_the_first_save_makes_the_folder(tmp_path: Path, course: Course) -> None:
    store = ProgressStore(tmp_path / "not-yet", b"key")
    token = store.token(OFFICER)
    progress = Progress.start(OFFICER, course)
    store.save(token, progress)
    assert store.load(token) == progress


def test_the_resume_token_cannot_be_made_without_the_key(tmp_path: Path) -> None:
    one = ProgressStore(tmp_path, b"key-one").token(OFFICER)
    two = ProgressStore(tmp_path, b"key-two").token(OFFICER)
    assert one != two and len(one) == 32
    same_person = Officer("Zoe Lee", "ab-1", "MISSISSIPPI HIGHWAY PATROL")
    assert ProgressStore(tmp_path, b"key-one").token(same_person) == one


@pytest.mark.parametrize("token", ["../../etc/passwd", "", "ZZ" * 16, "a" * 31])
def test_a_made_up_token_reads_nothing(tmp_path: Path, token: str) -> None:
    assert ProgressStore(tmp_path, b"key").load(token) is None


def test_a_damaged_progress_file_starts_fresh_instead_of_failing(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path, b"key")
    token = store.token(OFFICER)
    (tmp_path / "progress").mkdir()
    (tmp_path / "progress" / f"{token}.json").write_text("{not json", encoding="utf-8")
    assert store.load(token) is None
