"""The xAPI outbox on both backends: each completion and final attempt saved while a learning
record store is configured waits to be sent, with its record, until the LRS holds it; nothing
else waits, and with no LRS configured nothing changes. (Sending to a real LRS:
tests/storage/test_xapi_lrs.py.)"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import astuple
from pathlib import Path

import psycopg
import pytest
from psycopg import errors

from tests import pg
from tests.factories import attempt, completion
from tests.storage.conftest import BACKENDS, KEY
from training.auth import ALL_AGENCIES
from training.storage import Store
from training.storage.csv import CsvStore
from training.storage.postgres import PostgresStore
from training.xapi import CourseFacts, StatementMaker, statement_id

PUBLIC = "https://training.example.org"
MAKER = StatementMaker(PUBLIC, lambda: CourseFacts("Human Trafficking", "final"))


class Site:
    """One backend's records, opened as a server would with and without an LRS configured."""

    def __init__(self, kind: str, where: str) -> None:
        self.kind = kind
        self.where = where
        self._opened: list[Store] = []

    def store(self, statements: StatementMaker | None = MAKER) -> Store:
        made: Store
        if self.kind == "csv":
            made = CsvStore(Path(self.where), KEY, statements=statements)
        else:
            made = PostgresStore(self.where, KEY, statements=statements)
        self._opened.append(made)
        return made

    def close(self) -> None:
        for made in self._opened:
            if isinstance(made, PostgresStore):
                made.close()


@pytest.fixture(params=BACKENDS)
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Site]:
    if request.param == "csv":
        made = Site("csv", str(tmp_path / "store"))
    else:
        new_database: Callable[..., str] = request.getfixturevalue("new_database")
        made = Site("postgres", new_database(user="training_app"))  # as the app's role
    yield made
    made.close()


def _ids(statements: list[dict[str, object]]) -> list[object]:
    return [s["id"] for s in statements]


def test_a_completion_and_the_final_attempts_wait_to_be_sent(site: Site) -> None:
    store = site.store()
    store.append_attempt(attempt(1, submitted_at="2026-11-28T05:00:00Z"))
    store.append_attempt(attempt(2, quiz_id="what-is-trafficking-check"))
    store.append_attempt(
        attempt(3, passed=True, score_percent=90, submitted_at="2026-11-28T05:58:00Z")
    )
    store.record_completion(completion(1, completed_at="2026-11-28T05:58:00Z"))
    waiting = store.xapi_waiting(100)
    assert _ids(waiting) == [statement_id("att-1"), statement_id("att-3"), statement_id("rec-1")]
    assert [s["verb"]["id"].rsplit("/", 1)[1] for s in waiting] == ["failed", "passed", "completed"]  # type: ignore[index]
    assert store.xapi_waiting_count() == 3
    assert _ids(store.xapi_waiting(2)) == _ids(waiting)[:2], "oldest first, as many as asked"


def test_sent_statements_stop_waiting_and_another_server_sees_it(site: Site) -> None:
    store = site.store()
    for n in range(3):
        store.append_attempt(attempt(n, submitted_at=f"2026-11-28T05:0{n}:00Z"))
    first = _ids(store.xapi_waiting(100))
    store.xapi_mark_sent([str(i) for i in first[:2]])
    assert _ids(store.xapi_waiting(100)) == first[2:]
    store.xapi_mark_sent([str(first[1]), str(first[2])])  # two senders: sent twice is once
    assert store.xapi_waiting(100) == [] and store.xapi_waiting_count() == 0
    store.append_attempt(attempt(9, submitted_at="2026-11-28T06:00:00Z"))
    other = site.store()
    assert _ids(other.xapi_waiting(100)) == [statement_id("att-9")]


def test_a_record_saved_twice_waits_once(site: Site) -> None:
    store = site.store()
    store.append_attempt(attempt(1))
    store.append_attempt(attempt(1))  # "Retry saving" after a write whose answer was lost
    store.record_completion(completion(1))
    store.record_completion(completion(1))
    store.record_completion(completion(2, badge_number=completion(1).badge_number))  # 2nd tab
    assert _ids(store.xapi_waiting(100)) == [statement_id("att-1"), statement_id("rec-1")]


def test_records_saved_with_no_lrs_configured_are_never_sent(site: Site) -> None:
    before = site.store(statements=None)
    before.record_completion(completion(1))
    before.append_attempt(attempt(1))
    assert before.xapi_waiting(100) == [] and before.xapi_waiting_count() == 0
    if site.kind == "csv":
        names = sorted(p.name for p in Path(site.where).iterdir())
        assert not [n for n in names if "xapi" in n], "no LRS: no file is added"
    after = site.store()  # the LRS is configured from now on
    after.record_completion(completion(2))
    assert _ids(after.xapi_waiting(100)) == [statement_id("rec-2")]


def test_the_outbox_keeps_what_the_statement_says(site: Site) -> None:
    store = site.store()
    store.record_completion(completion(1, score_percent=85, officer_name="Zoë O'Neil"))
    (statement,) = store.xapi_waiting(100)
    assert statement["actor"] == {
        "objectType": "Agent",
        "name": "Zoë O'Neil",
        "account": {"homePage": PUBLIC, "name": "Hinds County Sheriff's Office|B00001"},
    }
    assert statement["result"]["score"]["scaled"] == 0.85  # type: ignore[index]


def test_the_app_role_cannot_change_or_remove_the_outbox(
    new_database: Callable[..., str],
) -> None:
    url = new_database(user="training_app")
    store = PostgresStore(url, KEY, statements=MAKER)
    try:
        store.record_completion(completion(1))
        store.xapi_mark_sent([statement_id("rec-1")])
    finally:
        store.close()
    with psycopg.connect(url, autocommit=True) as conn:
        for sql in (
            "UPDATE xapi_outbox SET statement = '{}'",
            "DELETE FROM xapi_outbox",
            "DELETE FROM xapi_sent",
            "UPDATE xapi_sent SET sent_at = now()",
            "TRUNCATE xapi_sent",
        ):
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(sql)
        assert conn.execute("SELECT count(*) FROM xapi_sent").fetchone() == (1,)


def test_a_record_and_its_statement_are_kept_together_or_not_at_all(
    new_database: Callable[..., str],
) -> None:
    """A statement the outbox refuses takes its record down with it (one transaction)."""
    url = new_database(user="training_app")
    broken = StatementMaker(PUBLIC, lambda: CourseFacts("T", "final"))
    store = PostgresStore(url, KEY, statements=broken)
    try:
        bad = attempt(1)
        # The same statement id twice: the second record's statement cannot be queued.
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                "INSERT INTO xapi_outbox (statement_id, record_id, statement) "
                "VALUES (%s, 'elsewhere', '{}')",
                (statement_id(bad.attempt_id),),
            )
        with pytest.raises(ValueError, match="refused"):
            store.append_attempt(bad)
        assert store.read_attempts(ALL_AGENCIES).empty, "no record without its statement"
    finally:
        store.close()


def test_csv_a_sent_log_torn_by_a_crash_loses_nothing(tmp_path: Path) -> None:
    store = CsvStore(tmp_path, KEY, statements=MAKER)
    store.append_attempt(attempt(1, submitted_at="2026-11-28T05:00:00Z"))
    store.append_attempt(attempt(2, submitted_at="2026-11-28T05:01:00Z"))
    store.xapi_mark_sent([statement_id("att-1")])
    with (tmp_path / "xapi-sent.log").open("ab") as log:
        log.write(f"sent {statement_id('att-2')}"[:20].encode())  # killed mid-line
    other = CsvStore(tmp_path, KEY, statements=MAKER)
    assert _ids(other.xapi_waiting(100)) == [statement_id("att-2")]
    other.xapi_mark_sent([statement_id("att-2")])
    assert CsvStore(tmp_path, KEY, statements=MAKER).xapi_waiting(100) == []


def test_csv_once_everything_is_sent_later_reads_start_after_it(tmp_path: Path) -> None:
    store = CsvStore(tmp_path, KEY, statements=MAKER)
    store.append_attempt(attempt(1))
    store.xapi_mark_sent(_ids(store.xapi_waiting(100)))  # type: ignore[arg-type]
    log = (tmp_path / "xapi-sent.log").read_text()
    size = (tmp_path / "attempts.csv").stat().st_size
    assert log.splitlines() == [f"sent {statement_id('att-1')}", f"upto 0 {size}"]
    store.append_attempt(attempt(2))
    assert _ids(CsvStore(tmp_path, KEY, statements=MAKER).xapi_waiting(100)) == [
        statement_id("att-2")
    ]


def test_records_are_still_rows_as_before(site: Site) -> None:
    """With an LRS configured the records themselves are unchanged."""
    store = site.store()
    store.record_completion(completion(1))
    assert tuple(store.read_completions(ALL_AGENCIES).iloc[0]) == astuple(completion(1))


def test_a_database_not_yet_migrated_for_xapi_says_to_run_migrate(
    postgres: pg.PrivatePostgres, monkeypatch: pytest.MonkeyPatch
) -> None:
    from training.storage import migrate as migrating

    every = migrating.steps()
    url = postgres.database("before_xapi", migrated=False)
    monkeypatch.setattr(migrating, "steps", lambda: [s for s in every if s[0] < 3])
    assert migrating.migrate(url) == (0, 2)
    with_lrs = PostgresStore(url, KEY, statements=MAKER)
    without = PostgresStore(url, KEY)
    try:
        assert with_lrs.write_problem() == (
            "the database has no schema yet: run `python -m training migrate`"
        )
        assert without.write_problem() is None, "with no LRS configured nothing changes"
    finally:
        with_lrs.close()
        without.close()
