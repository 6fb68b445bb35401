"""Faults with nothing lost, on both backends: many writers at once, a writer killed mid-write,
and (PostgreSQL) the database stopped in the middle of an officer's course."""

from __future__ import annotations

import multiprocessing
import os
import selectors
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest

from tests import factories, pg
from tests.apptest_helpers import answer, click, labels, open_app, sign_in
from tests.reliability.workers import run_all
from training.auth import ALL_AGENCIES
from training.content import Course
from training.storage import Store, close_stores
from training.storage.csv import CsvStore
from training.storage.postgres import PostgresStore

WORKERS = 8
EACH = 1_250
KEY = b"test-secret-key"


def _open(where: str) -> Store:
    return (
        PostgresStore(where, KEY) if where.startswith("postgresql:") else CsvStore(Path(where), KEY)
    )


@pytest.fixture(params=["csv", "postgres"])
def where(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A place for a Store that other processes can open: a folder or a database URL."""
    if request.param == "csv":
        return str(tmp_path / "results")
    new_database: Callable[..., str] = request.getfixturevalue("new_database")
    return new_database(user="training_app")


def _complete_many(where: str, worker: int, start: Barrier) -> None:
    store = _open(where)
    start.wait()
    for i in range(EACH):
        n = worker * 100_000 + i
        store.record_completion(
            factories.completion(n, officer_name='Zoë "Z" O\'Neil', badge_number=f"B{n:07d}")
        )


def test_eight_processes_record_ten_thousand_completions_none_lost_none_twice(
    where: str,
) -> None:
    context = multiprocessing.get_context("spawn")
    # A worker that dies before the barrier breaks it for the others (they fail, not hang).
    start = context.Barrier(WORKERS, timeout=120)
    processes = [
        context.Process(target=_complete_many, args=(where, w, start), daemon=True)
        for w in range(WORKERS)
    ]
    assert run_all(processes) == [0] * WORKERS
    store = _open(where)
    table = store.read_completions(ALL_AGENCIES)
    close = getattr(store, "close", None)
    if close is not None:
        close()
    assert len(table) == WORKERS * EACH == 10_000
    assert table["record_id"].is_unique and table["badge_number"].is_unique
    expected = {f"rec-{w * 100_000 + i}" for w in range(WORKERS) for i in range(EACH)}
    assert set(table["record_id"]) == expected
    assert (table["officer_name"] == 'Zoë "Z" O\'Neil').all(), "every row whole"


WRITER = """
import sys
from tests import factories
from tests.reliability.test_store_faults import _open
store = _open(sys.argv[1])
for n in range(10**6):
    store.append_attempt(factories.attempt(n, answers='{"q":[1,2,3]}' * 40))
    store.record_completion(factories.completion(n))
    print(n, flush=True)
"""


#: How many records the writer must acknowledge before it is killed, and how long it may take.
ACKNOWLEDGED = 150
WRITER_TIMEOUT_S = 120


def _acknowledged(writer: subprocess.Popen[bytes], upto: int, timeout: float) -> int:
    """The last record number the writer printed once it reached `upto` (or exited, or the
    time ran out: then it is lower). Read with a timeout, so a silent writer cannot hang us."""
    assert writer.stdout is not None
    fd = writer.stdout.fileno()
    pending = b""
    acknowledged = -1
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while acknowledged < upto:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not selector.select(remaining):
                break
            chunk = os.read(fd, 65536)
            if not chunk:  # the writer exited
                break
            *lines, pending = (pending + chunk).split(b"\n")
            for line in lines:
                acknowledged = int(line)
    return acknowledged


def test_a_writer_killed_mid_write_leaves_no_partial_record(where: str, tmp_path: Path) -> None:
    errors = tmp_path / "writer-stderr.txt"
    with errors.open("w") as stderr:
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, where],
            stdout=subprocess.PIPE,
            stderr=stderr,
            cwd=Path(__file__).resolve().parents[2],
        )
    try:
        acknowledged = _acknowledged(writer, ACKNOWLEDGED, WRITER_TIMEOUT_S)
    finally:
        writer.kill()  # SIGKILL, mid-write: no clean-up code runs in the writer
        writer.wait(timeout=10)
        assert writer.stdout is not None
        writer.stdout.close()
    assert acknowledged >= ACKNOWLEDGED, (
        f"the writer acknowledged {acknowledged + 1} records, not {ACKNOWLEDGED + 1}:\n"
        + errors.read_text(errors="replace")[-2000:]
    )
    store = _open(where)
    attempts, completions = store.read_attempts(ALL_AGENCIES), store.read_completions(ALL_AGENCIES)
    close = getattr(store, "close", None)
    if close is not None:
        close()
    # Everything acknowledged is there; at most the one in flight beyond it, and whole.
    assert acknowledged + 1 <= len(attempts) <= acknowledged + 2
    assert acknowledged + 1 <= len(completions) <= acknowledged + 2
    assert (attempts["answers"] == '{"q":[1,2,3]}' * 40).all()
    assert completions["certificate_code"].notna().all()
    assert attempts["attempt_id"].is_unique and completions["record_id"].is_unique


@pytest.fixture
def own_postgres() -> Iterator[pg.PrivatePostgres]:
    """A server of this test's own, to stop and start without disturbing the others."""
    server = pg.PrivatePostgres()
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.remove()


def test_postgres_stopped_mid_course_offers_retry_and_saves_once_when_back(
    own_postgres: pg.PrivatePostgres, course: Course, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = own_postgres.database("training")
    monkeypatch.setenv("TRAINING_DATABASE_URL", url)
    monkeypatch.setenv("TRAINING_SEAT_TIME_SCALE", "0")
    try:
        at = sign_in(open_app(), badge="PGDOWN-1")
        for _ in course.modules[0].lessons:
            click(at, "Next")
        assert "Submit answers" in labels(at)
        answer(at, course.check_for(course.modules[0]), right=True)
        own_postgres.stop()
        at.default_timeout = 30
        click(at, "Submit answers")
        assert not at.exception, "no traceback"
        assert any("Your result is not saved yet" in e.value for e in at.error)
        assert "Retry saving" in labels(at)
        own_postgres.start()
        click(at, "Retry saving")
        assert "Continue" in labels(at)
        store = PostgresStore(url, KEY)
        attempts = store.read_attempts(ALL_AGENCIES)
        store.close()
        assert len(attempts) == 1, "recorded once"
    finally:
        close_stores()
