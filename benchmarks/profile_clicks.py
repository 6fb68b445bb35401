"""Where the time of a click in the course goes: the app's own functions, timed one by one.

Run: .venv/bin/python benchmarks/profile_clicks.py [--cpu]   (a measurement, not a test)

For a lesson rerun, a knowledge-check submission and a final submission it prints the click's
median and the median time spent in each of the app's functions during it. Whatever the click
takes beyond those functions is Streamlit's own work (and AppTest's): compare it with the
"for reference" rows of `make bench`, Streamlit alone drawing the same page.

With --cpu it times the script thread's CPU instead (`time.thread_time`: neither AppTest's 1 ms
polling nor the wait for the disk is in it), for 40 knowledge-check submissions of the app and
40 of the same page drawn by Streamlit alone (same_page.py), and prints both, with the
script's run as a whole and Streamlit's handling of widgets and callbacks beside the app's
functions. What lies between the two is the work the app's code does and has Streamlit do.
docs/benchmarks.md ("The latest runs") quotes it.
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
from streamlit.runtime.scriptrunner import script_runner  # noqa: E402
from streamlit.runtime.state import session_state  # noqa: E402

from benchmarks.run import app_pages, quiz_on_screen, walk_to_check  # noqa: E402
from benchmarks.same_page import answered, install, replay_module, snapshot  # noqa: E402
from tests.apptest_helpers import answer, click, open_app, sign_in, walk_to_final  # noqa: E402
from training import grading, progress, records  # noqa: E402
from training.content import Course, load_course  # noqa: E402
from training.storage import csv_files as ledger  # noqa: E402
from training.ui import common, completion, lesson, navigation, quiz, session  # noqa: E402
from training.ui import training_page as page  # noqa: E402

spent: dict[str, list[float]] = {}
#: The clock of every timer: wall time, or the script thread's CPU with --cpu.
clock: list[Callable[[], float]] = [time.perf_counter]
WHOLE_RUN = "the script's run as a whole"
WIDGETS = "Streamlit: widgets and callbacks"


def _timed(owner: object, name: str, label: str | None = None) -> Callable[..., Any]:
    original = getattr(owner, name)
    label = label or name

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = clock[0]()
        try:
            return original(*args, **kwargs)
        finally:
            spent.setdefault(label, []).append(clock[0]() - started)

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


def _cpu_beside_the_same_page(course: Course, reps: int) -> None:
    clock[0] = time.thread_time
    _timed(script_runner.ScriptRunner, "_run_script_thread", WHOLE_RUN)
    _timed(session_state.SessionState, "on_script_will_rerun", WIDGETS)
    at = walk_to_check(sign_in(open_app(), badge="P-REPLAY"), course)
    before = snapshot(at)
    answer(at, quiz_on_screen(at, course), right=True)
    click(at, "Submit answers")
    install(
        Path(tempfile.mkdtemp()), "same_page_cpu", replay_module(app_pages(), before, snapshot(at))
    )

    def check(rep: int) -> Callable[[], object]:
        at = walk_to_check(sign_in(open_app(), badge=f"P-CPU-{rep}"), course)
        answer(at, quiz_on_screen(at, course), right=True)
        return lambda: click(at, "Submit answers")

    def replayed(rep: int) -> Callable[[], object]:
        at = answered("same_page_cpu")
        return lambda: click(at, "Submit answers")

    app, alone = [], []
    for rep in range(reps):  # in turn, so that the machine's slow moments fall on both
        app.append(_measure(lambda _, rep=rep: check(rep), 1))  # type: ignore[misc]
        alone.append(_measure(replayed, 1))
    for title, runs in (
        ("Knowledge-check submission (the click's wall time; its parts' CPU)", app),
        ("The same page drawn by Streamlit alone (the same)", alone),
    ):
        _report(title, [c for clicks, _ in runs for c in clicks], [p for _, ps in runs for p in ps])


def main() -> None:
    set_log_level("error")
    course = load_course(ROOT)
    _instrument()
    if "--cpu" in sys.argv[1:]:
        _cpu_beside_the_same_page(course, 40)
        return

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
