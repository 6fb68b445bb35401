"""A knowledge-check submission's CPU: the app's, the same page's drawn by Streamlit alone
(same_page.py), and the app's parts. A measurement, not a test.

Run: .venv/bin/python benchmarks/check_cpu.py [SUBMISSIONS]   (40 by default)

The time is the script thread's CPU (`time.thread_time`), so neither AppTest's 1 ms polling nor
the wait for the disk's fsync is in it: what is left between the app and the replay is the work
the app's code does and has Streamlit do. docs/benchmarks.md ("The latest runs") quotes it.
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
    TRAINING_RESULTS_DIR=tempfile.mkdtemp(prefix="check-cpu-"),
    TRAINING_SEAT_TIME_SCALE="0",
    TRAINING_SECRET_KEY="check-cpu-key",
)

from streamlit.logger import set_log_level  # noqa: E402
from streamlit.runtime.scriptrunner import script_runner  # noqa: E402
from streamlit.runtime.state import session_state  # noqa: E402

from benchmarks.run import app_pages, quiz_on_screen, walk_to_check  # noqa: E402
from benchmarks.same_page import answered, install, replay_module, snapshot  # noqa: E402
from tests.apptest_helpers import answer, click, open_app, sign_in  # noqa: E402
from training import grading, records  # noqa: E402
from training.content import load_course  # noqa: E402
from training.storage import csv_files  # noqa: E402
from training.ui import quiz, session  # noqa: E402
from training.ui import training_page as page  # noqa: E402

#: Which page is being clicked ("app" or "replay"), or None between clicks.
clicking: list[str | None] = [None]
spent: dict[tuple[str, str], list[float]] = {}


def _cpu_timed(owner: object, name: str, label: str) -> None:
    original: Callable[..., Any] = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.thread_time()
        try:
            return original(*args, **kwargs)
        finally:
            if clicking[0] is not None:
                spent.setdefault((clicking[0], label), []).append(time.thread_time() - started)

    setattr(owner, name, wrapper)


PARTS = [
    (script_runner.ScriptRunner, "_run_script_thread", "the whole script thread"),
    (session_state.SessionState, "on_script_will_rerun", "widgets and callbacks"),
    (quiz, "_submit", "  the Submit answers callback"),
    (quiz, "_answers", "    reading the answers"),
    (records, "submit", "    scoring and the record"),
    (grading, "score", "      scoring"),
    (session, "flush_pending", "    saving it"),
    (csv_files.Ledger, "append_attempt", "      the locked, fsynced append"),
    (page, "_sidebar", "the sidebar"),
    (page, "_progress_header", "the progress bar"),
    (page, "report_it_panel", "the Report it panel"),
    (page, "start_at_top", "the focus call"),
    (page, "page_title", "the page title"),
    (page, "settings_or_stop", "the settings"),
    (session, "restore", "the session's restore"),
    (quiz, "render_check", "the check and its results"),
]


def main() -> None:
    set_log_level("error")
    submissions = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    for owner, name, label in PARTS:
        _cpu_timed(owner, name, label)
    course = load_course(ROOT)
    at = walk_to_check(sign_in(open_app(), badge="CPU-R"), course)
    before = snapshot(at)
    answer(at, quiz_on_screen(at, course), right=True)
    click(at, "Submit answers")
    replay_source = replay_module(app_pages(), before, snapshot(at))
    install(Path(tempfile.mkdtemp()), "same_page_cpu", replay_source)
    for n in range(submissions):
        app = walk_to_check(sign_in(open_app(), badge=f"CPU-{n}"), course)
        answer(app, quiz_on_screen(app, course), right=True)
        replay = answered("same_page_cpu")
        for which, ready in (("app", app), ("replay", replay)):
            clicking[0] = which
            click(ready, "Submit answers")
            clicking[0] = None
    print(f"Script-thread CPU of a knowledge-check submission, medians of {submissions}:")
    print(f"{'':42} {'app':>9} {'replay':>9}")
    for _, _, label in PARTS:
        app_ms = statistics.median(spent[("app", label)]) * 1000
        alone = spent.get(("replay", label))
        shown = f"{statistics.median(alone) * 1000:7.2f}ms" if alone else f"{'-':>9}"
        print(f"{label:42} {app_ms:7.2f}ms {shown}")


if __name__ == "__main__":
    main()
