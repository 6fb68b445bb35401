"""Eight processes append 10,000 completions at once: none lost, torn or duplicated."""

from __future__ import annotations

import csv
import io
import multiprocessing
import time
from dataclasses import astuple
from multiprocessing.synchronize import Barrier
from pathlib import Path

from tests import factories
from tests.reliability.workers import run_all
from training.storage.csv_files import (
    COMPLETION_COLUMNS,
    QUARANTINE_SUFFIX,
    CompletionRecord,
    Ledger,
)

WORKERS = 8
EACH = 1_250


def completion(n: int) -> CompletionRecord:
    # A name that needs CSV quoting, so every row exercises it.
    return factories.completion(
        n, officer_name='Zoë "Z" O\'Neil-Brown, Jr.', badge_number=f"B{n:07d}"
    )


def expected_line(record: CompletionRecord) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(
        ["true" if v is True else "false" if v is False else v for v in astuple(record)]
    )
    return buffer.getvalue().encode("utf-8")


def _append_many(directory: str, worker: int, start: Barrier) -> None:
    book = Ledger(Path(directory))
    start.wait()
    for i in range(EACH):
        book.append_completion(completion(worker * 100_000 + i))


def test_eight_processes_append_ten_thousand_rows_whole_and_once(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    # A worker that dies before the barrier breaks it for the others (they fail, not hang).
    start = context.Barrier(WORKERS, timeout=120)
    processes = [
        context.Process(target=_append_many, args=(str(tmp_path), w, start), daemon=True)
        for w in range(WORKERS)
    ]
    began = time.perf_counter()
    assert run_all(processes) == [0] * WORKERS
    elapsed = time.perf_counter() - began
    print(f"{WORKERS * EACH} rows from {WORKERS} processes in {elapsed:.1f} s")

    book = Ledger(tmp_path)
    raw = book.completions_path.read_bytes()
    header = ",".join(COMPLETION_COLUMNS).encode() + b"\r\n"
    assert raw.startswith(header)
    assert raw.count(b"record_id,completed_at") == 1, "exactly one header, though created at once"
    assert raw.endswith(b"\r\n")
    lines = raw[len(header) :].split(b"\r\n")[:-1]
    assert len(lines) == WORKERS * EACH, "no row lost"
    assert not (tmp_path / f"{book.completions_path.name}{QUARANTINE_SUFFIX}").exists()

    wanted = {
        f"rec-{w * 100_000 + i}": expected_line(completion(w * 100_000 + i))
        for w in range(WORKERS)
        for i in range(EACH)
    }
    seen: dict[str, int] = {}
    order: dict[int, list[int]] = {w: [] for w in range(WORKERS)}
    for line in lines:
        (row,) = list(csv.reader([line.decode("utf-8")]))
        assert len(row) == len(COMPLETION_COLUMNS), f"torn row: {line!r}"
        assert line + b"\r\n" == wanted[row[0]], "every byte of the row as written"
        seen[row[0]] = seen.get(row[0], 0) + 1
        number = int(row[0].removeprefix("rec-"))
        order[number // 100_000].append(number % 100_000)
    assert set(seen) == set(wanted)
    assert all(count == 1 for count in seen.values()), "no row duplicated"
    assert all(found == list(range(EACH)) for found in order.values()), "each writer's order kept"

    table = book.read_completions()
    assert len(table) == WORKERS * EACH
    assert table["record_id"].is_unique
