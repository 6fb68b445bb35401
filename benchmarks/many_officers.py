"""Benchmark 5, many officers: N browser sessions take the whole course at once.

Reuses the reliability test's officer driver (tests/reliability/test_many_officers.py) against
a `streamlit run` server of its own, with the seat-time gate off. Prints every officer's
result, the 95th percentile of the time from a click on "Next" to the next page being ready,
and the server's memory per session (peak resident memory during the run, less the memory of
the idle server, divided by N). A measurement, not a test: it passes or fails nothing.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser import conftest as browser_conftest  # noqa: E402
from tests.reliability import test_many_officers as driver  # noqa: E402
from training.content import load_course  # noqa: E402

WORDS = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India"]


def _rss_kib(pid: int) -> int:
    """Resident memory of a process and its children (KiB), from /proc."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if entry.name == str(pid) or fields.get("PPid", "").strip() == str(pid):
            total += int(fields.get("VmRSS", "0 kB").split()[0])
    return total


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure(officers: int = 20) -> dict[str, float]:
    course = load_course(ROOT)
    clicks: list[float] = []
    original = driver.press_next

    async def timed_next(page, course, index, officer):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        await original(page, course, index, officer)
        clicks.append(time.perf_counter() - started)

    driver.press_next = timed_next  # type: ignore[assignment]
    results = Path(tempfile.mkdtemp(prefix="bench-results-"))
    port = browser_conftest._free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "TRAINING_RESULTS_DIR": str(results),
        "TRAINING_SEAT_TIME_SCALE": "0",
        "TRAINING_SECRET_KEY": "bench-key",
    }
    server = subprocess.Popen(
        browser_conftest.streamlit_run(port),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not browser_conftest._healthy(url):
            if time.monotonic() > deadline:
                raise RuntimeError("the app did not start")
            time.sleep(0.1)
        idle = _rss_kib(server.pid)
        peak = [idle]
        running = threading.Event()
        running.set()

        def sample() -> None:
            while running.is_set():
                peak[0] = max(peak[0], _rss_kib(server.pid))
                time.sleep(0.5)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        people = [
            driver.Officer(
                n + 1,
                f"Bench {WORDS[n % len(WORDS)]} {WORDS[(n // len(WORDS)) % len(WORDS)]}",
                f"bench-{n + 1:02d}",
            )
            for n in range(officers)
        ]
        app = browser_conftest.AppServer(url, results)
        shots = Path(tempfile.mkdtemp(prefix="bench-shots-"))
        wall = asyncio.run(driver.everyone_at_once(app, course, people, shots))
        running.clear()
        sampler.join()
    finally:
        browser_conftest._stop(server)
        driver.press_next = original  # type: ignore[assignment]
    completed = sum(1 for p in people if p.failure is None and not p.errors)
    codes = {p.certificate_code for p in people if p.certificate_code}
    return {
        "officers": officers,
        "completed": completed,
        "distinct_codes": len(codes),
        "wall_s": wall,
        "click_p50_s": statistics.median(clicks) if clicks else float("nan"),
        "click_p95_s": _percentile(clicks, 0.95) if clicks else float("nan"),
        "memory_per_session_mib": (peak[0] - idle) / 1024 / officers,
        "server_idle_mib": idle / 1024,
    }


if __name__ == "__main__":
    figures = measure(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
    for name, value in figures.items():
        print(f"{name}: {value:.2f}" if isinstance(value, float) else f"{name}: {value}")
