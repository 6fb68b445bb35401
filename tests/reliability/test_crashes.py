"""Writers killed at random moments: every acknowledged record survives, exactly once, and a torn
last line is moved to the quarantine file (with a warning) before anything reads or appends."""

from __future__ import annotations

import csv
import io
import logging
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import astuple
from pathlib import Path

import pytest

from tests import factories
from training.config import PROJECT_ROOT
from training.storage import csv_files as ledger_module
from training.storage.csv_files import (
    COMPLETION_COLUMNS,
    QUARANTINE_SUFFIX,
    CompletionRecord,
    Ledger,
)

KILLS = 20
SEED = 4567
HEADER = ",".join(COMPLETION_COLUMNS).encode() + b"\r\n"
NOTE = re.compile(
    rb"# \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ completions\.csv: (\d+) bytes at byte (\d+) "
    rb"had no line ending"
)

# Appends completions with increasing ids; an id is printed only once append_completion returned
# (the moment the app would tell the officer "saved").
WRITER = """
import sys
from pathlib import Path
from training.storage.csv_files import CompletionRecord, Ledger

book = Ledger(Path(sys.argv[1]))
number = int(sys.argv[2])
print("ready", flush=True)
while True:
    book.append_completion(CompletionRecord(
        record_id=f"rec-{number}", completed_at="2026-11-28T05:59:00Z",
        officer_name="Zoë \\"Z\\" O'Neil-Brown, Jr.", badge_number=f"B{number:09d}",
        agency="Hinds County Sheriff's Office", course_id="ms-ht-le",
        course_version="abc123def456", score_percent=90, attempts=1, seat_time_minutes=51,
        certificate_code="ABCD-EFGH-JKLM-NPQR",
    ))
    print(number, flush=True)
    number += 1
"""

# A writer that dies mid-record: it holds the ledger's lock as a real writer does, writes part of
# a line with one os.write, says so, and waits to be killed.
TORN_WRITER = """
import os, sys, time
from filelock import FileLock

path = sys.argv[1]
with FileLock(path + ".lock"):
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    os.write(fd, bytes.fromhex(sys.argv[2]))
    os.fsync(fd)
    print("written", flush=True)
    time.sleep(120)
"""


def completion(n: int) -> CompletionRecord:
    # A name that needs CSV quoting, so every row exercises it.
    return factories.completion(
        n, officer_name='Zoë "Z" O\'Neil-Brown, Jr.', badge_number=f"B{n:09d}"
    )


def line_of(record: CompletionRecord) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(astuple(record))
    return buffer.getvalue().encode("utf-8")


_started: list[subprocess.Popen[bytes]] = []


@pytest.fixture(autouse=True)
def _no_writer_left() -> Iterator[None]:
    """Every writer a test started is gone after it, also when the test failed before its
    `kill` (a writer left running would go on appending to its folder)."""
    yield
    while _started:
        process = _started.pop()
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()


def start(script: str, *args: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    _started.append(process)
    return process


def kill(process: subprocess.Popen[bytes]) -> tuple[bytes, bytes]:
    os.kill(process.pid, signal.SIGKILL)
    out, err = process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL
    return out, err


def acknowledged_ids(out: bytes) -> set[int]:
    """The ids a killed writer printed in full; a line cut short by the kill does not count."""
    lines = out.split(b"\n")[:-1]
    assert lines[0] == b"ready"
    # A blank line names no id (seen once on a loaded machine): it acknowledges nothing.
    return {int(line) for line in lines[1:] if line}


def tear(path: Path, fragment: bytes) -> None:
    """Kill a writer after it wrote `fragment` and before it wrote the rest of its line."""
    process = start(TORN_WRITER, str(path), fragment.hex())
    assert process.stdout is not None
    assert process.stdout.readline() == b"written\n"
    kill(process)


def rows_of(data: bytes) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert rows[0] == list(COMPLETION_COLUMNS), "one header, first"
    assert all(len(row) == len(COMPLETION_COLUMNS) for row in rows), "every row whole"
    return rows[1:]


def quarantine_of(book: Ledger) -> Path:
    return book.completions_path.with_name(book.completions_path.name + QUARANTINE_SUFFIX)


def read_bytes(path: Path) -> bytes:
    return path.read_bytes() if path.exists() else b""


def warnings_in(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "training.storage.csv_files" and r.levelno == logging.WARNING
    ]


def assert_quarantined(
    book: Ledger, before: bytes, fragment: bytes, offset: int, messages: list[str]
) -> None:
    """The quarantine file gained exactly one entry: a note, then exactly the fragment."""
    entry = read_bytes(quarantine_of(book))[len(before) :]
    note, kept, rest = entry.split(b"\n")
    assert (kept, rest) == (fragment, b"")
    matched = NOTE.fullmatch(note)
    assert matched and matched.groups() == (str(len(fragment)).encode(), str(offset).encode())
    assert len(messages) == 1
    assert f"{len(fragment)} bytes quarantined in {quarantine_of(book)}" in messages[0]


def test_writers_killed_at_random_lose_no_acknowledged_record(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    rng = random.Random(SEED)
    book = Ledger(tmp_path)
    acknowledged: set[int] = set()
    real_tears = simulated_tears = 0
    began = time.perf_counter()
    for run in range(KILLS):
        writer = start(WRITER, str(tmp_path), str(run * 1_000_000))
        assert writer.stdout is not None
        assert writer.stdout.readline() == b"ready\n"
        time.sleep(rng.uniform(0.02, 0.25))
        out, _ = kill(writer)
        acknowledged |= acknowledged_ids(b"ready\n" + out)

        raw = read_bytes(book.completions_path)
        torn = not raw.endswith(b"\n") and raw != b""
        real_tears += torn
        if not torn and run % 2 == 1:
            # SIGKILL rarely lands inside a single small write(2): make it happen half the time.
            record = line_of(completion(800_000_000 + run))
            tear(book.completions_path, record[: rng.randrange(1, len(record))])
            simulated_tears += 1
            raw = read_bytes(book.completions_path)
        complete = raw[: raw.rfind(b"\n") + 1]
        fragment = raw[len(complete) :]
        if complete:
            rows_of(complete)  # every complete line parses, even before any repair
        before = read_bytes(quarantine_of(book))

        # The next open repairs: a read on even runs, an append on odd ones.
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="training.storage.csv_files"):
            if run % 4 < 2:
                book.read_completions()
                expected = complete
            else:
                extra = completion(900_000_000 + run)
                book.append_completion(extra)
                acknowledged.add(900_000_000 + run)
                expected = (complete or HEADER) + line_of(extra)
        after = read_bytes(book.completions_path)
        assert after == expected, "the rows before the torn line intact, nothing else changed"
        if fragment:
            assert_quarantined(book, before, fragment, len(complete), warnings_in(caplog))
        else:
            assert read_bytes(quarantine_of(book)) == before
            assert warnings_in(caplog) == []

        ids = [row[0] for row in rows_of(after)] if after else []
        assert len(ids) == len(set(ids)), "no record twice"
        table = book.read_completions()
        assert table["record_id"].tolist() == ids
        assert {int(i.removeprefix("rec-")) for i in ids} >= acknowledged, "none acknowledged lost"

    print(
        f"{KILLS} kills in {time.perf_counter() - began:.1f} s: {len(acknowledged)} acknowledged "
        f"records, {real_tears} torn lines from SIGKILL itself, {simulated_tears} simulated"
    )
    assert simulated_tears + real_tears >= KILLS // 2
    assert len(acknowledged) > KILLS


def test_the_next_writer_quarantines_a_torn_line_and_says_so(tmp_path: Path) -> None:
    book = Ledger(tmp_path)
    book.append_completion(completion(1))
    first = book.completions_path.read_bytes()
    fragment = line_of(completion(2))[:37]
    tear(book.completions_path, fragment)

    writer = start(WRITER, str(tmp_path), "100")
    assert writer.stdout is not None
    assert writer.stdout.readline() == b"ready\n"
    assert writer.stdout.readline() == b"100\n"
    _, err = kill(writer)

    assert f"{len(fragment)} bytes quarantined in {quarantine_of(book)}".encode() in err
    after = book.completions_path.read_bytes()
    assert after.startswith(first + line_of(completion(100)))
    assert fragment not in after
    assert read_bytes(quarantine_of(book)).split(b"\n")[1] == fragment


def test_a_reader_waits_for_a_live_writer_and_never_takes_its_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = Ledger(tmp_path)
    book.append_completion(completion(1))
    whole = book.completions_path.read_bytes()
    fragment = line_of(completion(2))[:50]
    writer = start(TORN_WRITER, str(book.completions_path), fragment.hex())
    assert writer.stdout is not None
    assert writer.stdout.readline() == b"written\n"
    monkeypatch.setattr(ledger_module, "LOCK_TIMEOUT_SECONDS", 0.3)
    try:
        # The line's writer still holds the lock: the reader shows the whole rows, does not raise
        # and leaves the line alone (its writer may yet finish it).
        with caplog.at_level(logging.WARNING, logger="training.storage.csv_files"):
            table = book.read_completions()
        assert table["record_id"].tolist() == ["rec-1"]
        assert book.completions_path.read_bytes() == whole + fragment
        assert not quarantine_of(book).exists()
        assert any("could not be quarantined" in m for m in warnings_in(caplog))
    finally:
        kill(writer)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="training.storage.csv_files"):
        assert book.read_completions()["record_id"].tolist() == ["rec-1"]
    assert_quarantined(book, b"", fragment, len(whole), warnings_in(caplog))
    assert book.completions_path.read_bytes() == whole


def test_a_torn_header_is_quarantined_and_the_next_record_gets_a_header(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    book = Ledger(tmp_path)
    tear(book.completions_path, HEADER[:15])
    with caplog.at_level(logging.WARNING, logger="training.storage.csv_files"):
        assert book.read_completions().empty
    assert_quarantined(book, b"", HEADER[:15], 0, warnings_in(caplog))
    book.append_completion(completion(1))
    assert book.completions_path.read_bytes() == HEADER + line_of(completion(1))


def test_a_long_torn_tail_is_found_however_far_back_its_line_began(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ledger_module, "_TAIL_CHUNK", 7)
    book = Ledger(tmp_path)
    for n in range(3):
        book.append_completion(completion(n))
    whole = book.completions_path.read_bytes()
    fragment = line_of(completion(3))[:-1]  # all but the final line feed
    with book.completions_path.open("ab") as fh:
        fh.write(fragment)
    with caplog.at_level(logging.WARNING, logger="training.storage.csv_files"):
        book.append_completion(completion(4))
    assert book.completions_path.read_bytes() == whole + line_of(completion(4))
    assert_quarantined(book, b"", fragment, len(whole), warnings_in(caplog))
    assert book.read_completions()["record_id"].tolist() == ["rec-0", "rec-1", "rec-2", "rec-4"]
