"""Where each officer is in the course, saved so that a refresh or a return resumes.

The course is a fixed sequence of steps: every module's lessons, then its knowledge check, and
last the final assessment. An officer may open any step up to the first one not yet done, so no
quiz opens before its lessons and the final opens only after every module.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import os
import secrets
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from training.content import Course, Lesson, Module, minimum_seconds
from training.files import write_all
from training.officers import Officer

PROGRESS_DIR = "progress"
#: Longer than this between two signs of life on a lesson counts as the officer being away.
MAX_CREDITED_GAP_SECONDS = 60
#: The longest wait between two reruns of a lesson's countdown on the server: each credits the
#: time since the last (a sign of life), so it stays well under MAX_CREDITED_GAP_SECONDS.
COUNTDOWN_MAX_INTERVAL_SECONDS = 30
#: How late after a lesson's time is up the countdown's last rerun may come before the page is
#: drawn again to ask for reruns that land on time.
COUNTDOWN_LATE_SECONDS = 1


@dataclass(frozen=True)
class Step:
    kind: Literal["lesson", "check", "final"]
    module_index: int | None = None
    lesson_index: int | None = None


def steps(course: Course) -> tuple[Step, ...]:
    return _steps(tuple(len(module.lessons) for module in course.modules))


@lru_cache(maxsize=8)
def _steps(lessons_per_module: tuple[int, ...]) -> tuple[Step, ...]:
    # Asked for many times on every click: the sequence depends only on the module sizes.
    out: list[Step] = []
    for m, count in enumerate(lessons_per_module):
        out += [Step("lesson", m, i) for i in range(count)]
        out.append(Step("check", m))
    out.append(Step("final"))
    return tuple(out)


def step_module(course: Course, step: Step) -> Module | None:
    return None if step.module_index is None else course.modules[step.module_index]


def step_lesson(course: Course, step: Step) -> Lesson | None:
    module = step_module(course, step)
    if module is None or step.lesson_index is None:
        return None
    return module.lessons[step.lesson_index]


@dataclass
class Progress:
    """One officer's place in the course. Plain data, saved as JSON."""

    name: str
    badge_number: str
    agency: str
    course_id: str
    started_at: float = field(default_factory=time.time)
    position: int = 0
    lessons_done: list[str] = field(default_factory=list)
    lesson_seconds: dict[str, float] = field(default_factory=dict)
    last_seen: float | None = None
    checks: dict[str, int] = field(default_factory=dict)
    quiz_seconds: float = 0.0
    quiz_started_at: float | None = None
    final_attempts: int = 0
    final_draw: list[dict[str, Any]] | None = None
    completion: dict[str, Any] | None = None
    earlier_completions: list[dict[str, Any]] = field(default_factory=list)
    #: The completions file's size when this run began: its completion can only come after.
    completions_offset: int = 0
    #: The attempts file's size when this session began or last caught up with the ledger
    #: (records.catch_up): what this place does not reflect can only come after it. None in
    #: files saved before it was kept (then the whole file is read once).
    attempts_offset: int | None = None

    @classmethod
    def start(
        cls,
        officer: Officer,
        course: Course,
        completions_offset: int = 0,
        attempts_offset: int = 0,
    ) -> Progress:
        return cls(
            officer.name,
            officer.badge_number,
            officer.agency,
            course.info.id,
            completions_offset=completions_offset,
            attempts_offset=attempts_offset,
        )

    @property
    def officer(self) -> Officer:
        return Officer(self.name, self.badge_number, self.agency)

    def to_json(self) -> str:
        # vars, not asdict: every field is plain JSON data already, and asdict deep-copies it.
        return json.dumps(vars(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Progress:
        data = json.loads(text)
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})

    # --- where the officer may go -------------------------------------------------------------

    def is_done(self, course: Course, step: Step) -> bool:
        if step.kind == "lesson":
            lesson = step_lesson(course, step)
            return lesson is not None and lesson.id in self.lessons_done
        if step.kind == "check":
            module = step_module(course, step)
            return module is not None and module.quiz in self.checks
        return self.completion is not None

    def module_done(self, course: Course, module: Module) -> bool:
        """Every lesson of the module read and its knowledge check submitted (checks are
        practice: any score completes them)."""
        return module.quiz in self.checks and all(
            lesson.id in self.lessons_done for lesson in module.lessons
        )

    def furthest_open(self, course: Course) -> int:
        """The index of the first step not done yet (or the last step)."""
        all_steps = steps(course)
        for i, step in enumerate(all_steps):
            if not self.is_done(course, step):
                return i
        return len(all_steps) - 1

    def current(self, course: Course) -> tuple[int, Step]:
        """The step to show, never past what the officer has earned."""
        all_steps = steps(course)
        index = max(0, min(self.position, self.furthest_open(course), len(all_steps) - 1))
        return index, all_steps[index]

    def go_to(self, course: Course, index: int, now: float | None = None) -> None:
        self.note_time(course, now)
        self.position = max(0, min(index, self.furthest_open(course)))
        self.last_seen = time.time() if now is None else now
        self.quiz_started_at = None

    def fraction_done(self, course: Course) -> float:
        all_steps = steps(course)
        return sum(self.is_done(course, s) for s in all_steps) / len(all_steps)

    # --- seat time ----------------------------------------------------------------------------

    def note_time(self, course: Course, now: float | None = None) -> None:
        """Credit the time since the last sign of life to the lesson on screen."""
        now = time.time() if now is None else now
        _, step = self.current(course)
        lesson = step_lesson(course, step)
        if lesson is not None and self.last_seen is not None:
            gap = max(0.0, min(now - self.last_seen, MAX_CREDITED_GAP_SECONDS))
            self.lesson_seconds[lesson.id] = self.lesson_seconds.get(lesson.id, 0.0) + gap
        self.last_seen = now

    def seconds_left(self, course: Course, lesson: Lesson, scale: float) -> int:
        """Seconds until the lesson's "Next" is enabled (0 when it already is)."""
        return max(0, int(self.time_left(course, lesson, scale) + 0.999))

    def time_left(self, course: Course, lesson: Lesson, scale: float) -> float:
        """The lesson's minimum time still to read, to the fraction of a second (0 when its
        "Next" is enabled already); seconds_left is what is shown and what the gate counts."""
        if lesson.id in self.lessons_done:
            return 0.0
        spent = self.lesson_seconds.get(lesson.id, 0.0)
        return max(0.0, minimum_seconds(lesson, scale) - spent)

    def finish_lesson(
        self, course: Course, lesson: Lesson, scale: float, now: float | None = None
    ) -> bool:
        """Mark the lesson read if its minimum time has passed; False when it has not."""
        self.note_time(course, now)
        if self.seconds_left(course, lesson, scale) > 0:
            return False
        if lesson.id not in self.lessons_done:
            self.lessons_done.append(lesson.id)
        return True

    def retake(self, completions_offset: int = 0, now: float | None = None) -> None:
        """Start the course again on purpose; the completion already earned stays on record
        (in the ledger, and here so its certificate can still be downloaded)."""
        if self.completion is not None:
            self.earlier_completions.append(self.completion)
        self.started_at = time.time() if now is None else now
        self.completions_offset = completions_offset
        self.position = 0
        self.lessons_done = []
        self.lesson_seconds = {}
        self.last_seen = None
        self.checks = {}
        self.quiz_seconds = 0.0
        self.quiz_started_at = None
        self.final_attempts = 0
        self.final_draw = None
        self.completion = None

    def catch_up(self, course: Course, attempts: list[dict[str, str]]) -> None:
        """Take in the knowledge checks the ledger recorded after this place was saved (the
        officer left before a later click saved it). The attempt rows are the record."""
        checks = {course.check_for(module).id for module in course.modules}
        for row in attempts:
            quiz_id = row.get("quiz_id", "")
            if quiz_id in checks and quiz_id not in self.checks:
                self.checks[quiz_id] = int(row.get("score_percent") or 0)
                self.quiz_seconds += int(row.get("duration_seconds") or 0)

    def seat_time_minutes(self) -> int:
        return round((sum(self.lesson_seconds.values()) + self.quiz_seconds) / 60)


def countdown_reruns(left: float) -> int:
    """How many times a lesson's countdown reruns on the server while the `left` (> 0) seconds
    of its minimum time (Progress.time_left) run out (the last one enables "Next")."""
    if left <= 0:
        raise ValueError(f"no countdown with {left} seconds left")
    return math.ceil(left / COUNTDOWN_MAX_INTERVAL_SECONDS)


def countdown_interval(left: float) -> float:
    """Seconds between the reruns of a lesson's countdown while `left` (> 0) seconds of its
    minimum time remain (Progress.time_left, to the fraction: a whole second rounded up would
    bring the last rerun up to a second late): evenly spaced, about
    COUNTDOWN_MAX_INTERVAL_SECONDS apart at most, the last when the time is up (so "Next" is
    enabled then, not up to an interval later).

    The exact share is rounded up to the next millisecond, and one more is added: the
    browser's timer counts whole milliseconds and drops the rest, and the interval travels as
    a 32-bit float, so the exact share could bring the last rerun a few milliseconds early,
    with time still left."""
    return math.ceil(left * 1000 / countdown_reruns(left)) / 1000 + 0.001


def countdown_off_beat(left: float, interval: float) -> bool:
    """Whether the countdown's reruns, `interval` seconds apart, with `left` seconds to go
    (Progress.time_left), would bring the last one more than COUNTDOWN_LATE_SECONDS after the
    time is up: they came late (a browser's timer held back in a background tab, a slow
    network), and the page is to be drawn again with the interval that fits the time left."""
    return 0 < left < interval - COUNTDOWN_LATE_SECONDS


class ProgressStore:
    """Progress files in results/progress/, one an officer, named by a keyed hash of who they
    are so that the name in a resume link reveals nothing and cannot be made up."""

    def __init__(self, results_dir: Path, key: bytes) -> None:
        self.directory = Path(results_dir) / PROGRESS_DIR
        self._key = key

    def token(self, officer: Officer) -> str:
        return hmac.new(self._key, officer.key.encode("utf-8"), hashlib.sha256).hexdigest()[:32]

    def _path(self, token: str) -> Path:
        if len(token) != 32 or any(c not in "0123456789abcdef" for c in token):
            raise ValueError("not a progress token")
        return self.directory / f"{token}.json"

    def load(self, token: str) -> Progress | None:
        try:
            return Progress.from_json(self._path(token).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError, TypeError, json.JSONDecodeError):
            return None

    def save(self, token: str, progress: Progress) -> None:
        """Replace the officer's file whole (write aside, fsync, rename): never half-written."""
        path = self._path(token)
        data = progress.to_json().encode("utf-8")
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
        try:
            fd = os.open(tmp, flags, 0o640)
        except FileNotFoundError:  # the first save, or the folder was removed
            self.directory.mkdir(parents=True, exist_ok=True)
            fd = os.open(tmp, flags, 0o640)
        try:
            try:
                write_all(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
