"""Where the time of a click in the course goes: the app's own functions, timed one by one.

Run: .venv/bin/python benchmarks/profile_clicks.py   (a measurement, not a test)

For a lesson rerun, a knowledge-check submission and a final submission it prints the click's
median and the median time spent in each of the app's functions during it. Whatever the click
takes beyond those functions is Streamlit's own work (and AppTest's): compare it with the
"for reference" rows of `make bench`, Streamlit alone drawing the same form and results.
"""

from __future__ import annotations

import functools
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.update(
    TRAINING_RESULTS_DIR=tempfile.mkdtemp(prefix="profile-"),
    TRAINING_SEAT_TIME_SCALE="0",
    TRAINING_SECRET_KEY="profile-key",
)

from streamlit.logger import set_log_level  # noqa: E402

from benchmarks.run import quiz_on_screen, walk_to_check  # noqa: E402
from tests.apptest_helpers import answer, click, open_app, sign_in, walk_to_final  # noqa: E402
from training import grading, progress, records  # noqa: E402
from training.content import load_course  # noqa: E402
from training.storage import csv_files as ledger  # noqa: E402
from training.ui import common, completion, lesson, navigation, quiz, session  # noqa: E402
from training.ui import training_page as page  # noqa: E402

spent: dict[str, list[float]] = {}


def _timed(owner: object, name: str, label: str | None = None) -> Callable[..., Any]:
    original = getattr(owner, name)
    label = label or name

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent.setdefault(label, []).append(time.perf_counter() - started)

    setattr(owner, name, wrapper)
    return wrapper


def _instrument() -> None:
    for name in ("settings_or_stop", "course_or_stop", "open_store_or_stop", "report_it_panel"):
        setattr(page, name, _timed(common, name))  # the page imported them by name
    for name in ("_sidebar", "_progress_header", "start_at_top"):
        _timed(page, name)
    _timed(lesson, "render", "lesson.render")
    _timed(quiz, "render_check", "quiz.render_check")
    _timed(quiz, "render_final", "quiz.render_final")
    _timed(quiz, "result_view")
    _timed(quiz, "_submit", "quiz._submit (the click's callback)")
    _timed(completion, "render", "completion.render")
    _timed(session, "restore")
    _timed(navigation, "all_pages")
    _timed(grading, "score")
    _timed(records, "save_pending")
    _timed(ledger.Ledger, "append_attempt")
    _timed(ledger.Ledger, "append_completion_once")
    _timed(ledger.Ledger, "completion_since")
    _timed(progress.ProgressStore, "save", "ProgressStore.save")


def _report(title: str, clicks: list[float], per_click: list[dict[str, float]]) -> None:
    print(f"{title}: median {statistics.median(clicks) * 1000:.2f} ms")
    names = sorted(
        {n for p in per_click for n in p}, key=lambda n: -sum(p.get(n, 0) for p in per_click)
    )
    for name in names:
        median = statistics.median(p.get(name, 0.0) for p in per_click)
        print(f"  {name:38} {median * 1000:6.2f} ms")


def _measure(
    prepare: Callable[[int], Callable[[], object]], reps: int
) -> tuple[list[float], list[dict[str, float]]]:
    clicks, per_click = [], []
    for rep in range(reps):
        action = prepare(rep)
        spent.clear()
        started = time.perf_counter()
        action()
        clicks.append(time.perf_counter() - started)
        per_click.append({name: sum(times) for name, times in spent.items()})
    return clicks, per_click


def main() -> None:
    set_log_level("error")
    course = load_course(ROOT)
    _instrument()

    reading = sign_in(open_app(), badge="P-LESSON")
    reading.run()
    _report("Lesson rerun", *_measure(lambda rep: reading.run, 60))

    def check(rep: int) -> Callable[[], object]:
        at = walk_to_check(sign_in(open_app(), badge=f"P-CHECK-{rep}"), course)
        answer(at, quiz_on_screen(at, course), right=True)
        return lambda: click(at, "Submit answers")

    _report("Knowledge-check submission", *_measure(check, 10))

    def final(rep: int) -> Callable[[], object]:
        at = walk_to_final(sign_in(open_app(), badge=f"P-FINAL-{rep}"), course)
        answer(at, course.final, right=True)
        return lambda: click(at, "Submit answers")

    _report("Final submission (passed)", *_measure(final, 8))


if __name__ == "__main__":
    main()
