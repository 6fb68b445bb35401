"""Progress: the order of the course, the seat-time gate, and resuming where one left off."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from training.content import Course, minimum_seconds
from training.officers import Officer
from training.progress import MAX_CREDITED_GAP_SECONDS, Progress, ProgressStore, steps

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
