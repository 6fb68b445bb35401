"""Capacity: simulated officers taking the course on real app servers, until it stops.

Run by `make bench` (or `.venv/bin/python benchmarks/capacity.py`); prints markdown tables and
asserts nothing. See docs/benchmarks.md, "Capacity", for how to read them.

What runs:
- one private PostgreSQL 15 (tests/pg.py, Unix socket, **fsync on**), migrated, the app
  connecting as its own role `training_app`, as in production;
- app servers: `streamlit run app.py` (benchmarks/capacity_server.py: the same entry point,
  plus a thread that writes the Store's pool figures), each its own process with its own Store
  and psycopg pool (10 connections, as the app makes it), the project's .streamlit/config.toml;
- load generators (one process per server, benchmarks/capacity_officers.py), each keeping a
  number of simulated officers going: every officer is a browser tab speaking Streamlit's
  websocket protocol (benchmarks/app_client.py): page load, sign-in, the countdown's timed
  reruns, Next, the quizzes' answers and Submit, Continue.

Measured, in order:
1. The bare PostgreSQL commit rate (a one-row INSERT, autocommit; one connection, 16 at once).
2. Reading: officers on lessons at real speed (the countdown reruns every 30 s or so), on one
   server, with Streamlit's default `runner.postScriptGC = true` and with the project's
   setting (false), over a window as long as the countdown's longest interval (every reader's
   countdown reruns in it): the server CPU one countdown rerun costs.
3. Two servers and PostgreSQL: one officer alone taking the same clicks, three times (the
   latency of each kind of click; the server CPU a click costs); then N officers (half on each
   server) taking the course, N raised step by step, each step's window giving the click
   latencies (p50, p95), the countdown reruns', errors, and where the time goes (CPU of each
   server, of PostgreSQL, of the load generators; pool waits). 1,000 officers is always one
   of the steps.
4. The same on one server with the CSV store (one machine).

The threshold: a step is sustained when the 95th percentile of the clicks an officer waits for
is at most 1 s and nothing failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from random import Random
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from benchmarks import capacity_officers as sim  # noqa: E402
from tests import isolation, pg  # noqa: E402
from tests.browser.conftest import _free_port  # noqa: E402
from training.content import Course, load_course, minimum_seconds  # noqa: E402
from training.progress import (  # noqa: E402
    COUNTDOWN_MAX_INTERVAL_SECONDS,
    countdown_reruns,
    step_lesson,
    step_module,
    steps,
)

SECRET = "capacity benchmark key"
THRESHOLD_S = 1.0
#: Real-time officers (1) would click once every 2.5 minutes; at 0.2 they click 5 times as
#: often, while the countdown reruns come every 30 s or so of reading, as real.
SCALE = 0.2
PG_STEPS = [100, 250, 500, 750, 1000]
PG_BEYOND = [1250, 1500, 2000]
CSV_STEPS = [250, 500]
CSV_BEYOND = [750, 1000, 1250]
WINDOW_S = 10.0
SETTLE_S = 2.0
RAMP_PER_S = 25.0  # new officers a second over all servers while a step fills (a rush)
RAMP_CAP_S = 60.0
READERS = 60
TOURS = 3  # the lone officer's
TICK = os.sysconf("SC_CLK_TCK")


# --- what the machine and the processes spend ----------------------------------------------
def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def cpu_seconds(pid: int, reaped: bool = False) -> float:
    """User + system CPU of a process (all its threads, exited ones too); with `reaped`, also
    its children that have exited."""
    try:
        fields = _stat(pid)
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])
    if reaped:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / TICK


def tree_cpu_seconds(root: int) -> float:
    """A process and its children (PostgreSQL: the postmaster and its backends)."""
    total = cpu_seconds(root, reaped=True)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int(_stat(int(entry.name))[1]) == root:
                    total += cpu_seconds(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return total


def machine_busy() -> tuple[float, float]:
    """Busy and total CPU time of the whole machine, every core (seconds)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / TICK, sum(values) / TICK


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


# --- app servers ---------------------------------------------------------------------------
@dataclass
class AppServer:
    process: subprocess.Popen[bytes]
    url: str
    stats: Path

    def pool(self) -> dict[str, int]:
        try:
            return json.loads(self.stats.read_text()).get("pool") or {}
        except (OSError, ValueError):
            return {}


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().strip() == b"ok"
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def app_servers(
    count: int, settings: dict[str, str], work: Path, extra: tuple[str, ...] = ()
) -> Iterator[list[AppServer]]:
    """`count` app servers with these settings, each warmed by one page (the course parsed
    once), stopped (their process groups) at the end."""
    servers: list[AppServer] = []
    try:
        for n in range(count):
            folder = isolation.server_folder(work / f"server-{n}-{time.monotonic_ns()}")
            port = _free_port()
            stats = folder / "pool.json"
            command = [
                sys.executable,
                str(ROOT / "benchmarks" / "capacity_server.py"),
                str(stats),
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--browser.gatherUsageStats",
                "false",
                *extra,
            ]
            with (folder / "server.log").open("ab") as log:
                process = subprocess.Popen(
                    command,
                    cwd=folder,
                    env=isolation.server_environ(folder, settings),
                    stdout=log,
                    stderr=log,
                    start_new_session=True,
                )
            servers.append(AppServer(process, f"http://127.0.0.1:{port}", stats))
        for server in servers:
            deadline = time.monotonic() + 60
            while not _healthy(server.url):
                if server.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"an app server did not start; see {work}")
                time.sleep(0.1)
            asyncio.run(_warm(server.url))
        yield servers
    finally:
        for server in servers:
            _stop(server.process)


async def _warm(url: str) -> None:
    browser = sim.Browser(url)
    await browser.open()
    await browser.close()


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, 15)
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


# --- load generators -----------------------------------------------------------------------
@dataclass
class Generators:
    processes: list[multiprocessing.process.BaseProcess]
    pipes: list[Connection]

    def target(self, total: int, ramp_per_s: float) -> None:
        share = len(self.pipes)
        for n, pipe in enumerate(self.pipes):
            pipe.send(("target", total // share + (1 if n < total % share else 0), ramp_per_s))

    def collect(self) -> dict[str, Any]:
        for pipe in self.pipes:
            pipe.send(("collect",))
        merged: dict[str, Any] = {
            "seconds": {},
            "errors": {},
            "completed": 0,
            "loop_lag": [],
            "officers": 0,
            "signed_in": 0,
        }
        for pipe in self.pipes:
            if not pipe.poll(120):
                raise RuntimeError("a load generator stopped answering")
            part = pipe.recv()
            for kind, values in part["seconds"].items():
                merged["seconds"].setdefault(kind, []).extend(values)
            for error, count in part["errors"].items():
                merged["errors"][error] = merged["errors"].get(error, 0) + count
            for name in ("completed", "officers", "signed_in"):
                merged[name] += part[name]
            merged["loop_lag"].extend(part["loop_lag"])
        return merged

    def pids(self) -> list[int]:
        return [p.pid for p in self.processes if p.pid is not None]


@contextmanager
def generators(servers: list[AppServer], spec: dict[str, str]) -> Iterator[Generators]:
    context = multiprocessing.get_context("spawn")
    made = Generators([], [])
    try:
        for n, server in enumerate(servers):
            mine, theirs = context.Pipe()
            made.processes.append(
                context.Process(
                    target=sim.generator_main, args=(theirs, n, server.url, spec), daemon=True
                )
            )
            made.processes[-1].start()
            made.pipes.append(mine)
        yield made
    finally:
        for pipe in made.pipes:
            try:
                pipe.send(("stop",))
                if pipe.poll(30):
                    pipe.recv()
            except (OSError, EOFError):
                pass
        for process in made.processes:
            if process.pid is None:
                continue  # never started
            process.join(10)
            if process.is_alive():
                process.kill()
                process.join()


# --- one measured window -------------------------------------------------------------------
@dataclass
class Resources:
    """CPU of everything that matters, and the pools' figures, at one moment."""

    at: float
    servers: list[float]
    database: float
    load: float
    busy: tuple[float, float]
    pools: list[dict[str, int]]
    memory: list[float]

    @classmethod
    def now(cls, servers: list[AppServer], gens: Generators, postmaster: int | None) -> Resources:
        return cls(
            time.monotonic(),
            [cpu_seconds(s.process.pid) for s in servers],
            tree_cpu_seconds(postmaster) if postmaster else 0.0,
            sum(cpu_seconds(pid) for pid in gens.pids()),
            machine_busy(),
            [s.pool() for s in servers],
            [rss_mib(s.process.pid) for s in servers],
        )


@dataclass
class Window:
    """What one step's measuring window saw."""

    officers: int
    seconds: float
    tally: dict[str, Any]
    server_cpu: list[float]  # share of one core, each server
    database_cpu: float
    load_cpu: float
    machine: float  # share of all cores
    pool_calls: int
    pool_waited: int
    pool_wait_ms: int
    memory: list[float]
    ramp_tally: dict[str, Any] = field(default_factory=dict)

    def of(self, kinds: tuple[str, ...]) -> list[float]:
        return [x for k in kinds for x in self.tally["seconds"].get(k, [])]

    @property
    def clicks(self) -> list[float]:
        return self.of(sim.CLICKS)

    @property
    def ticks(self) -> list[float]:
        return self.of((sim.TICK,))

    @property
    def redraws(self) -> list[float]:
        return self.of((sim.REDRAW,))

    @property
    def errors(self) -> int:
        return int(sum(self.tally["errors"].values()))

    @property
    def sustained(self) -> bool:
        clicks = self.clicks
        return self.errors == 0 and (not clicks or percentile(clicks, 0.95) <= THRESHOLD_S)

    @property
    def server_cpu_per_action_ms(self) -> float:
        actions = len(self.clicks) + len(self.ticks) + len(self.redraws)
        return sum(self.server_cpu) * self.seconds / actions * 1000 if actions else float("nan")


def measure(
    servers: list[AppServer],
    gens: Generators,
    postmaster: int | None,
    officers: int,
    window_s: float | None = None,
) -> Window:
    """`officers` at once: they arrive, settle, and a window of `window_s` (WINDOW_S by
    default) is measured."""
    gens.target(officers, RAMP_PER_S)
    ramp_began = time.monotonic()
    ramp: dict[str, Any] = {"seconds": {}, "errors": {}}
    while True:
        time.sleep(1.0)
        part = gens.collect()
        for kind, values in part["seconds"].items():
            ramp["seconds"].setdefault(kind, []).extend(values)
        if part["signed_in"] >= officers * 0.98 or time.monotonic() - ramp_began > RAMP_CAP_S:
            break
    time.sleep(SETTLE_S)
    gens.collect()
    before = Resources.now(servers, gens, postmaster)
    time.sleep(WINDOW_S if window_s is None else window_s)
    tally = gens.collect()
    after = Resources.now(servers, gens, postmaster)
    span = after.at - before.at
    pool = {"requests_num": 0, "requests_queued": 0, "requests_wait_ms": 0}
    for start, end in zip(before.pools, after.pools, strict=True):
        for name in pool:
            pool[name] += end.get(name, 0) - start.get(name, 0)
    return Window(
        officers=officers,
        seconds=span,
        tally=tally,
        server_cpu=[(b - a) / span for a, b in zip(before.servers, after.servers, strict=True)],
        database_cpu=(after.database - before.database) / span,
        load_cpu=(after.load - before.load) / span,
        machine=(after.busy[0] - before.busy[0]) / (after.busy[1] - before.busy[1]),
        pool_calls=pool["requests_num"],
        pool_waited=pool["requests_queued"],
        pool_wait_ms=pool["requests_wait_ms"],
        memory=after.memory,
        ramp_tally=ramp,
    )


def step_up(
    servers: list[AppServer],
    spec: dict[str, str],
    postmaster: int | None,
    levels: list[int],
    beyond: list[int],
) -> list[Window]:
    """The levels in turn (always all of them), then the ones beyond while sustained."""
    windows: list[Window] = []
    with generators(servers, spec) as gens:
        for officers in levels + beyond:
            if officers in beyond and windows and not windows[-1].sustained:
                break
            window = measure(servers, gens, postmaster, officers)
            windows.append(window)
            print(f"  {spec['kind']}: {describe(window)}", file=sys.stderr, flush=True)
            print(f"    {by_kind(window)}", file=sys.stderr, flush=True)
        gens.target(0, RAMP_PER_S)
    return windows


def by_kind(w: Window) -> str:
    """p50 / p95 of each kind of click in the window (ms), and the load generators' lag."""
    kinds = [
        f"{kind} {percentile(w.of((kind,)), 0.5) * 1000:.0f}/"
        f"{percentile(w.of((kind,)), 0.95) * 1000:.0f}"
        for kind in (*sim.CLICKS, sim.TICK, sim.REDRAW)
        if w.of((kind,))
    ]
    lag = percentile(w.tally["loop_lag"], 0.95) * 1000
    return f"{', '.join(kinds)}; load generators' event loop late by {lag:.0f} ms at p95"


def describe(w: Window) -> str:
    return (
        f"{w.officers} officers: clicks p50 {percentile(w.clicks, 0.5) * 1000:.0f} ms, "
        f"p95 {percentile(w.clicks, 0.95) * 1000:.0f} ms ({len(w.clicks)}), countdown p95 "
        f"{percentile(w.ticks, 0.95) * 1000:.0f} ms ({len(w.ticks) / w.seconds:.1f}/s), "
        f"errors {w.errors}, servers {'+'.join(f'{c:.0%}' for c in w.server_cpu)}, "
        f"db {w.database_cpu:.0%}, load {w.load_cpu:.0%}, machine {w.machine:.0%}"
    )


# --- baselines -----------------------------------------------------------------------------
def bare_commits(url: str, connections: int, seconds: float = 2.0) -> float:
    """Commits a second of a one-row INSERT, autocommit, on `connections` connections at once:
    what this PostgreSQL (fsync on) can commit at all."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS bare_commit (n bigserial, note text)")
    counts = [0] * connections
    stop = time.monotonic() + seconds

    def commit(n: int) -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            while time.monotonic() < stop:
                conn.execute("INSERT INTO bare_commit (note) VALUES ('x')")
                counts[n] += 1

    began = time.monotonic()
    workers = [threading.Thread(target=commit, args=(n,)) for n in range(connections)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return sum(counts) / (time.monotonic() - began)


@dataclass
class Alone:
    seconds: dict[str, list[float]]
    server_cpu_s: float
    clicks: int
    ticks: int
    redraws: int
    #: A first visit's page load (the page and every asset it names): requests, time, CPU.
    first_visit: tuple[int, float, float] = (0, 0.0, 0.0)


def alone(server: AppServer, spec: dict[str, str]) -> Alone:
    """One officer at a time, nobody else on the server: signing in at the last lesson of the
    last module with 3 s of it left, then Next, the knowledge check, Continue, the final."""
    course = load_course(ROOT)
    all_steps = steps(course)
    last_module = len(course.modules) - 1
    at = max(
        i
        for i, step in enumerate(all_steps)
        if step.kind == "lesson" and step.module_index == last_module
    )
    lesson = step_lesson(course, all_steps[at])
    assert lesson is not None and step_module(course, all_steps[at]) is not None
    pace = sim.Pace(float(spec["scale"]), linger=0.0, think=0.0)
    minimum = minimum_seconds(lesson, pace.scale)
    done = max(0.0, minimum - 3.0) / minimum  # 3 s of the lesson left: one countdown rerun
    store = sim.open_store(spec)
    answers = sim.Answers(course)
    tally = sim.Tally()
    began = cpu_seconds(server.process.pid)
    for n in range(TOURS):
        officer = sim.SimulatedOfficer(
            server.url, course, answers, store, pace, tally, f"ALONE-{n}", at, Random(n), done
        )
        asyncio.run(officer.take_course())
    cpu = cpu_seconds(server.process.pid) - began
    before, started = cpu_seconds(server.process.pid), time.perf_counter()
    requests = sim.page_load(server.url, first_visit=True)
    first_visit = (
        requests,
        time.perf_counter() - started,
        cpu_seconds(server.process.pid) - before,
    )
    close = getattr(store, "close", None)
    if close is not None:
        close()
    if tally.errors:
        raise RuntimeError(f"the lone officer failed: {dict(tally.errors)}")
    seconds = tally.seconds
    clicks = sum(len(seconds.get(k, [])) for k in sim.CLICKS)
    ticks, redraws = (len(seconds.get(kind, [])) for kind in (sim.TICK, sim.REDRAW))
    return Alone(seconds, cpu, clicks, ticks, redraws, first_visit)


def reading(settings: dict[str, str], spec: dict[str, str], work: Path, gc: bool) -> Window:
    """Officers reading lessons at real speed on one server: only the countdown reruns (each
    saves the place), every 30 s or so, so the window is as long as the longest interval and
    every reader's countdown reruns in it. With `gc`, Streamlit's default full garbage
    collection after every run, which the project's config.toml turns off."""
    extra = ("--runner.postScriptGC", "true") if gc else ()
    readers = READERS // 6 if gc else READERS
    real_time = {**settings, "TRAINING_SEAT_TIME_SCALE": "1"}
    with (
        app_servers(1, real_time, work, extra) as servers,
        generators(servers, {**spec, "scale": "1", "mode": "reading"}) as gens,
    ):
        window = measure(servers, gens, None, readers, COUNTDOWN_MAX_INTERVAL_SECONDS + 1)
        gens.target(0, RAMP_PER_S)
    print(f"  reading, postScriptGC={gc}: {describe(window)}", file=sys.stderr, flush=True)
    return window


def real_officer(course: Course) -> tuple[float, float, float]:
    """A real officer's countdown reruns, countdown redraws (the last rerun of each lesson,
    which draws the page with "Next" enabled) and clicks a second over the two-hour course."""
    pace = sim.Pace(1.0)
    reruns = sum(countdown_reruns(minimum_seconds(lesson, 1.0)) for lesson in course.lessons)
    redraws = len(course.lessons)
    total_s = sum(sim.step_seconds(course, pace))
    # Page load, 3 fields, sign-in; Next on every lesson; Submit and Continue on every check;
    # Submit on the final.
    lessons = sum(len(module.lessons) for module in course.modules)
    clicks = 5 + lessons + 2 * len(course.modules) + 1
    return (reruns - redraws) / total_s, redraws / total_s, clicks / total_s


# --- the report ----------------------------------------------------------------------------
def ms(seconds: float) -> str:
    return "–" if seconds != seconds else f"{seconds * 1000:,.0f} ms"  # NaN: nothing measured


def step_tables(title: str, windows: list[Window], solo: Alone, bare16: float | None) -> None:
    base = percentile(solo.seconds.get("next", []), 0.5)
    print(f"\n{title}\n")
    print(
        "| Officers at once | Clicks/s | Click p50 | Click p95 | Next p50 (vs one alone) | "
        "Countdown reruns/s | Countdown p95 | Sign-in p95 in the rush | Errors | Sustained |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for w in windows:
        rush = [x for k in sim.CLICKS[:3] for x in w.ramp_tally["seconds"].get(k, [])]
        next_p50 = percentile(w.of(("next",)), 0.5)
        print(
            f"| {w.officers:,} | {len(w.clicks) / w.seconds:.1f} | "
            f"{ms(percentile(w.clicks, 0.5))} | {ms(percentile(w.clicks, 0.95))} | "
            f"{ms(next_p50)} ({next_p50 / base:.1f}x) | {len(w.ticks) / w.seconds:.1f} | "
            f"{ms(percentile(w.ticks, 0.95))} | {ms(percentile(rush, 0.95))} | "
            f"{w.errors} | {'yes' if w.sustained else 'no'} |"
        )
    print(
        "\n| Officers at once | App servers' CPU (each, share of one core) | PostgreSQL CPU | "
        "Load generators' CPU | Machine busy (2 cores) | Store calls/s (vs bare commits) | "
        "Calls that waited for a connection | Server memory (each) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for w in windows:
        calls = w.pool_calls / w.seconds
        against = f" ({calls / bare16:.1%} of bare)" if bare16 else ""
        waited = (
            f"{w.pool_waited / w.pool_calls:.1%}, {w.pool_wait_ms / max(1, w.pool_waited):.0f} ms"
            " each"
            if w.pool_calls
            else "no pool (CSV)"
        )
        print(
            f"| {w.officers:,} | {' + '.join(f'{c:.0%}' for c in w.server_cpu)} | "
            f"{w.database_cpu:.0%} | {w.load_cpu:.0%} | {w.machine:.0%} | "
            f"{calls:,.0f}{against if w.pool_calls else ''} | {waited} | "
            f"{' + '.join(f'{m:,.0f} MiB' for m in w.memory)} |"
        )
    print("\np50 / p95 of each kind of click (ms), and how late the load generators were:\n")
    for w in windows:
        print(f"- {w.officers:,}: {by_kind(w)}")
    for w in windows:
        if w.errors:
            print(f"\nErrors at {w.officers:,}: {w.tally['errors']}")


def summary(
    name: str, windows: list[Window], solo: Alone, tick_cpu_s: float, course: Course
) -> None:
    sustained = [w for w in windows if w.sustained]
    top = sustained[-1] if sustained else None
    stop = next((w for w in windows if not w.sustained), None)
    ticks_real, redraws_real, clicks_real = real_officer(course)
    # A countdown redraw is a full run of the page, as a click is: it costs as one.
    click_cpu_s = max(0.0, solo.server_cpu_s - solo.ticks * tick_cpu_s) / max(
        1, solo.clicks + solo.redraws
    )
    print(f"\n{name}:")
    if top is None:
        print("- Sustained: none of the steps.")
    else:
        per_officer = sum(top.server_cpu) / top.officers
        ticks, redraws, clicks = (
            len(x) / top.seconds / top.officers for x in (top.ticks, top.redraws, top.clicks)
        )
        # A real officer reruns the countdown about as often and redraws the page and clicks
        # less: weigh by what each costs alone (the readers' rerun, the lone officer's click).
        simulated = ticks * tick_cpu_s + (redraws + clicks) * click_cpu_s
        real = (ticks_real * tick_cpu_s + (redraws_real + clicks_real) * click_cpu_s) / simulated
        print(
            f"- Sustained: {top.officers:,} officers at once (clicks p95 "
            f"{ms(percentile(top.clicks, 0.95))}, no error). The app servers spent "
            f"{per_officer * 1000:.2f} ms of CPU a second per officer, each making "
            f"{ticks:.3f} countdown reruns a second, {redraws * 3600:.0f} countdown redraws "
            f"and {clicks * 3600:.0f} clicks an hour."
        )
        print(
            f"- A real officer makes {ticks_real:.3f} reruns a second, "
            f"{redraws_real * 3600:.0f} redraws and "
            f"{clicks_real * 3600:.0f} clicks an hour: weighed by a rerun's "
            f"{tick_cpu_s * 1000:.1f} ms and a click's (or redraw's) {click_cpu_s * 1000:.1f} ms "
            "of server "
            f"CPU (measured above, at low load), {real:.0%} of a simulated one: "
            f"{1 / (per_officer * real):,.0f} real officers per fully used core."
        )
    if stop is not None:
        print(
            f"- Stops at {stop.officers:,}: clicks p95 {ms(percentile(stop.clicks, 0.95))}, "
            f"{stop.errors} errors; servers {' + '.join(f'{c:.0%}' for c in stop.server_cpu)}"
            f" of a core, PostgreSQL {stop.database_cpu:.0%}, load generators "
            f"{stop.load_cpu:.0%}, machine {stop.machine:.0%} busy."
        )


def phase(name: str, began: float) -> None:
    print(f"  [{time.monotonic() - began:5.0f} s] {name}", file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short steps, for development")
    args = parser.parse_args()
    global WINDOW_S, READERS
    pg_levels, pg_beyond, csv_levels, csv_beyond = PG_STEPS, PG_BEYOND, CSV_STEPS, CSV_BEYOND
    if args.quick:
        WINDOW_S, READERS = 6.0, 30
        pg_levels, pg_beyond, csv_levels, csv_beyond = [60, 200], [], [60], []
    course = load_course(ROOT)
    began = time.monotonic()
    load_before = os.getloadavg()[0]
    work = Path(tempfile.mkdtemp(prefix="capacity-"))
    database = pg.PrivatePostgres(fsync=True)
    try:
        database.init()
        database.start()
        with psycopg.connect(database.url(), autocommit=True) as conn:
            conn.execute("CREATE ROLE training_app LOGIN")
        database.database("capacity")
        app_url = database.url("capacity", "training_app")
        bare_url = database.database("bare", migrated=False)
        bare1, bare16 = bare_commits(bare_url, 1), bare_commits(bare_url, 16)
        phase("bare commits", began)
        postmaster = int((database.data / "postmaster.pid").read_text().split()[0])
        settings = {
            "TRAINING_DATABASE_URL": app_url,
            "TRAINING_SECRET_KEY": SECRET,
            "TRAINING_SEAT_TIME_SCALE": str(SCALE),
        }
        spec = {"kind": "postgres", "url": app_url, "key": SECRET, "scale": str(SCALE)}
        read_gc = reading(settings, spec, work, gc=True)
        read = reading(settings, spec, work, gc=False)
        phase("reading", began)
        with app_servers(2, settings, work) as servers:
            solo_pg = alone(servers[0], spec)
            phase("one officer alone, PostgreSQL", began)
            pg_windows = step_up(servers, spec, postmaster, pg_levels, pg_beyond)
            phase("steps, PostgreSQL", began)
        results = work / "results"
        csv_settings = {
            "TRAINING_RESULTS_DIR": str(results),
            "TRAINING_SECRET_KEY": SECRET,
            "TRAINING_SEAT_TIME_SCALE": str(SCALE),
        }
        csv_spec = {"kind": "csv", "results": str(results), "key": SECRET, "scale": str(SCALE)}
        with app_servers(1, csv_settings, work) as servers:
            solo_csv = alone(servers[0], csv_spec)
            phase("one officer alone, CSV", began)
            csv_windows = step_up(servers, csv_spec, None, csv_levels, csv_beyond)
    finally:
        database.remove()
        shutil.rmtree(work, ignore_errors=True)

    print(f"\nCapacity, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(
        f"Python {platform.python_version()}, {os.cpu_count()} cores, load average before the "
        f"run {load_before:.1f}, after it {os.getloadavg()[0]:.1f}; seat time scale {SCALE} "
        "(officers click "
        f"{1 / SCALE:.0f}x as often as real ones; the countdown reruns every 30 s or so, as "
        "real)."
    )
    tick_gc = sum(read_gc.server_cpu) * read_gc.seconds / max(1, len(read_gc.ticks))
    tick = sum(read.server_cpu) * read.seconds / max(1, len(read.ticks))
    print("\n| Baseline | Figure |\n|---|---|")
    print(f"| Bare PostgreSQL commits (one-row INSERT, fsync on), 1 connection | {bare1:,.0f}/s |")
    print(f"| Bare PostgreSQL commits, 16 connections at once | {bare16:,.0f}/s |")
    for name, solo in (("PostgreSQL", solo_pg), ("CSV", solo_csv)):
        kinds = ", ".join(
            f"{kind} {ms(percentile(solo.seconds.get(kind, []), 0.5))}"
            for kind in (*sim.CLICKS, sim.TICK, sim.REDRAW)
        )
        print(f"| One officer alone ({name}, {TOURS} times), p50 of each | {kinds} |")
    requests, wall, cpu = solo_pg.first_visit
    print(
        f"| A first visit's page load alone (the page and the {requests - 3} assets it names), "
        f"time / server CPU | {ms(wall)} / {ms(cpu)} |"
    )
    print(
        "\n| Officers reading at real speed, one server (PostgreSQL) | Countdown reruns/s | "
        "Server CPU per rerun | Rerun p50 / p95 | Server CPU (one core) |\n|---|---|---|---|---|"
    )
    for label, w, per in (
        ("Streamlit's default: `postScriptGC = true`", read_gc, tick_gc),
        ("the project's setting: `postScriptGC = false`", read, tick),
    ):
        print(
            f"| {w.officers} officers, {label} | {len(w.ticks) / w.seconds:.1f} | "
            f"{per * 1000:.1f} ms | {ms(percentile(w.ticks, 0.5))} / "
            f"{ms(percentile(w.ticks, 0.95))} | {w.server_cpu[0]:.0%} |"
        )
    step_tables("Two app servers, one PostgreSQL", pg_windows, solo_pg, bare16)
    step_tables("One app server, CSV store (one machine)", csv_windows, solo_csv, None)
    summary("Two app servers, PostgreSQL", pg_windows, solo_pg, tick, course)
    summary("One app server, CSV", csv_windows, solo_csv, tick, course)
    print(f"\nTotal time of benchmarks/capacity.py: {time.monotonic() - began:.0f} s.")


if __name__ == "__main__":
    main()
