"""Where a lesson rerun's time goes: the app's own functions, timed across 60 AppTest reruns.

Run: .venv/bin/python benchmarks/profile_lesson_rerun.py   (a measurement, not a test)

Whatever the rerun takes beyond the sum of these functions is Streamlit's own work: running the
navigation and the page script and serialising the elements the page draws.
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
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.update(
    TRAINING_RESULTS_DIR=tempfile.mkdtemp(prefix="profile-"),
    TRAINING_SEAT_TIME_SCALE="0",
    TRAINING_SECRET_KEY="profile-key",
)

from streamlit.testing.v1 import AppTest  # noqa: E402

from training.ui import common, lesson, navigation, session  # noqa: E402
from training.ui import training_page as page  # noqa: E402

spent: dict[str, list[float]] = {}


def _timed(module: ModuleType, name: str) -> Callable[..., Any]:
    original = getattr(module, name)

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent.setdefault(name, []).append(time.perf_counter() - started)

    setattr(module, name, wrapper)
    return wrapper


def main() -> None:
    for name in ("settings_or_stop", "course_or_stop", "progress_store", "report_it_panel"):
        setattr(page, name, _timed(common, name))  # the page imported them by name
    for name in ("_sidebar", "_progress_header", "start_at_top", "ledger"):
        _timed(page, name)
    _timed(lesson, "render")
    _timed(session, "restore")
    _timed(navigation, "all_pages")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    at.text_input(key="officer_name").input("Prof Ile")
    at.text_input(key="badge_number").input("P-1")
    at.selectbox(key="agency").select("Hinds County Sheriff's Office")
    next(b for b in at.button if b.label == "Start training").click()
    at.run()
    spent.clear()
    reruns = []
    for _ in range(60):
        started = time.perf_counter()
        at.run()
        reruns.append(time.perf_counter() - started)
    print(f"lesson rerun: median {statistics.median(reruns) * 1000:.2f} ms")
    own = sum(statistics.median(times) for times in spent.values())
    print(f"  the functions below, summed: {own * 1000:.2f} ms")
    for name, times in sorted(spent.items(), key=lambda item: -sum(item[1])):
        print(f"  {name:20} median {statistics.median(times) * 1000:6.2f} ms")


if __name__ == "__main__":
    main()
