"""Benchmarks of the PostgreSQL Store, each beside a bare psycopg baseline measured in this run.

Run by `make bench` after run.py. A private PostgreSQL 15 (tests/pg.py, fsync on) is started and
removed. Prints one markdown table; asserts nothing.
"""

from __future__ import annotations

import io
import multiprocessing
import statistics
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import astuple
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from tests import factories, pg  # noqa: E402
from training.auth import ALL_AGENCIES  # noqa: E402
from training.officers import Officer  # noqa: E402
from training.progress import Progress  # noqa: E402
from training.record_types import COMPLETION_COLUMNS  # noqa: E402
from training.storage import CompletionQuery  # noqa: E402
from training.storage.migrate import migrate  # noqa: E402
from training.storage.postgres import PostgresStore, console_statements  # noqa: E402

KEY = b"benchmark-key"
APPENDS = 2_000
LARGE = 100_000
ROWS: list[tuple[str, str, str, str, str, str]] = []
AGENCIES = [f"Agency {n:03d}" for n in range(120)]


def add(measure: str, app: str, base: str, ratio: float | None, target: str, met: str) -> None:
    ROWS.append((measure, app, base, "" if ratio is None else f"{ratio:.2f}x", target, met))
    print(f"  done: {measure}: {app} vs {base}", file=sys.stderr, flush=True)


def yes(flag: bool) -> str:
    return "met" if flag else "MISSED"


def median_ms(action: Callable[[], object], reps: int) -> float:
    samples = []
    for _ in range(reps):
        began = time.perf_counter()
        action()
        samples.append(time.perf_counter() - began)
    return statistics.median(samples) * 1000


def fresh(server: pg.PrivatePostgres, name: str) -> str:
    with psycopg.connect(server.url(), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    migrate(server.url(name))
    return server.url(name)


def bench_append(server: pg.PrivatePostgres) -> None:
    """A completion recorded through the Store vs a bare INSERT of the same row (autocommit,
    one connection each), interleaved in rounds so that slow moments fall on both."""
    app_url, bare_url = fresh(server, "bench_app"), fresh(server, "bench_bare")
    store = PostgresStore(app_url, KEY)
    insert = (
        f"INSERT INTO completions ({', '.join(COMPLETION_COLUMNS)}) "
        f"VALUES ({', '.join(['%s'] * len(COMPLETION_COLUMNS))})"
    )
    app_s = bare_s = 0.0
    with psycopg.connect(bare_url, autocommit=True) as bare:
        for round_ in range(10):
            records = [factories.completion(round_ * 10_000 + n) for n in range(APPENDS // 10)]
            began = time.perf_counter()
            for record in records:
                store.record_completion(record)
            app_s += time.perf_counter() - began
            began = time.perf_counter()
            for record in records:
                bare.execute(insert, astuple(record))
            bare_s += time.perf_counter() - began
    store.close()
    app_rate, bare_rate = APPENDS / app_s, APPENDS / bare_s
    add(
        f"P1. Completion append on PostgreSQL ({APPENDS:,} rows, fsync on)",
        f"{app_rate:,.0f} rows/s",
        f"{bare_rate:,.0f} rows/s",
        app_rate / bare_rate,
        ">= 0.8x",
        yes(app_rate / bare_rate >= 0.8),
    )


def load_large(url: str) -> None:
    """100,000 completions over two years, 120 agencies, loaded with COPY."""
    buffer = io.StringIO()
    for n in range(LARGE):
        day = n * 63_072_000 // LARGE  # seconds over two years
        at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(1_700_000_000 + day))
        record = factories.completion(
            n, completed_at=at, agency=AGENCIES[n % len(AGENCIES)], officer_name=f"Officer {n}"
        )
        buffer.write("\t".join(str(v) for v in astuple(record)) + "\n")
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        with cur.copy(f"COPY completions ({', '.join(COMPLETION_COLUMNS)}) FROM STDIN") as copy:
            copy.write(buffer.getvalue())
        conn.execute("ANALYZE completions")


def bench_console(server: pg.PrivatePostgres) -> None:
    url = fresh(server, "bench_console")
    load_large(url)
    store = PostgresStore(url, KEY)
    with psycopg.connect(url, autocommit=True) as bare:

        def bare_console(query: CompletionQuery, limit: int) -> None:
            # The same statements the Store sends, rows fetched as tuples: no DataFrame.
            for sql, params in console_statements(query, "final", limit):
                bare.execute(sql, params).fetchall()

        everything = CompletionQuery(scope=ALL_AGENCIES, zone="America/Chicago")
        app = median_ms(lambda: store.console_view(everything, "final", 2_000), 9)
        base = median_ms(lambda: bare_console(everything, 2_000), 9)
        add(
            f"P2. Console view, {LARGE:,} completions: figures, charts, first 2,000 rows",
            f"{app:.1f} ms",
            f"{base:.1f} ms",
            app / base,
            "<= 2x",
            yes(app / base <= 2),
        )
        filtered = CompletionQuery(
            scope=ALL_AGENCIES,
            agencies=(AGENCIES[7],),
            start=date(2024, 1, 1),
            end=date(2024, 6, 30),
            search="officer 1",
            zone="America/Chicago",
        )
        app = median_ms(lambda: store.console_view(filtered, "final", 2_000), 15)
        base = median_ms(lambda: bare_console(filtered, 2_000), 15)
        add(
            "P3. Filtered console view (agency, dates, name)",
            f"{app:.1f} ms",
            f"{base:.1f} ms",
            app / base,
            "< 100 ms",
            yes(app < 100),
        )
    store.close()


def _timed(action: Callable[[], object], into: list[float]) -> None:
    began = time.perf_counter()
    action()
    into.append(time.perf_counter() - began)


def _one_course(store: PostgresStore, badge: str) -> list[float]:
    """One officer's store calls through the course: sign-in, 30 saved steps, 7 checks and
    the final, the completion. Returns each call's time."""
    agency = "Hinds County Sheriff's Office"
    calls: list[float] = []
    token = store.progress_token(Officer("Load Test", badge, agency))
    _timed(lambda: store.load_progress(token), calls)
    place = Progress("Load Test", badge, agency, "ms-ht-le")
    for step in range(30):
        place.position = step
        _timed(lambda: store.save_progress(token, place), calls)
    for q in range(8):
        record = factories.attempt(0, attempt_id=f"{badge}-{q}", badge_number=badge)
        _timed(lambda record=record: store.append_attempt(record), calls)
    done = factories.completion(0, record_id=badge, badge_number=badge)
    _timed(lambda: store.record_completion(done), calls)
    return calls


def _officers(url: str, server_no: int, threads: int, seconds: float, out: object) -> None:
    """One app server (a process with its own pool): `threads` officers at once, each taking
    the course's store calls in a loop until the time is up."""
    store = PostgresStore(url, KEY, max_connections=10)
    latencies: list[float] = []
    courses = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def officer(t: int) -> None:
        n = 0
        while time.monotonic() < stop:
            n += 1
            calls = _one_course(store, f"S{server_no}-T{t}-{n}")
            with lock:
                latencies.extend(calls)
                courses[0] += 1

    workers = [threading.Thread(target=officer, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    store.close()
    out.put((courses[0], latencies))  # type: ignore[attr-defined]


def bench_capacity(server: pg.PrivatePostgres, officers: int = 40, seconds: float = 10) -> None:
    url = fresh(server, "bench_capacity")
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    servers = [
        context.Process(target=_officers, args=(url, s, officers // 2, seconds, out))
        for s in range(2)
    ]
    for p in servers:
        p.start()
    results = [out.get(timeout=seconds * 10) for _ in servers]
    for p in servers:
        p.join()
    courses = sum(r[0] for r in results)
    latencies = sorted(x for r in results for x in r[1])
    p95 = latencies[int(len(latencies) * 0.95)] * 1000
    per_minute = courses / seconds * 60
    add(
        f"P4. Capacity: {officers} officers at once on 2 servers (processes), store calls only",
        f"{per_minute:,.0f} courses/min; {len(latencies) / seconds:,.0f} calls/s",
        f"p95 call {p95:.1f} ms",
        None,
        "report",
        "",
    )


def main() -> None:
    server = pg.PrivatePostgres(fsync=True)
    try:
        server.init()
        server.start()
        bench_append(server)
        bench_console(server)
        bench_capacity(server)
    finally:
        server.remove()
    print("\n| Measure | App (median) | Baseline (median) | Ratio | Target | Met |")
    print("|---|---|---|---|---|---|")
    for row in ROWS:
        print("| " + " | ".join(row) + " |")
    print(
        "\nBaselines: P1 the same rows by bare psycopg INSERT (autocommit, one connection); "
        "P2-P3 the same SQL the Store sends, fetched as tuples by bare psycopg. PostgreSQL 15 "
        "on a Unix socket, fsync on, same machine."
    )


if __name__ == "__main__":
    main()
