"""`python -m training migrate`: versioned, idempotent, one migrator at a time, and it refuses
a database that a newer app has upgraded."""

from __future__ import annotations

import threading

import psycopg
import pytest

from tests import pg
from training.__main__ import main
from training.storage.migrate import latest, migrate


@pytest.fixture
def empty_url(postgres: pg.PrivatePostgres) -> str:
    name = f"empty_{threading.get_ident() % 100000}"
    with psycopg.connect(postgres.url(), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return postgres.url(name)


def test_migrate_creates_the_schema_and_a_second_run_changes_nothing(
    empty_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TRAINING_DATABASE_URL", empty_url)
    assert main(["migrate"]) == 0
    assert f"from version 0 to {latest()}" in capsys.readouterr().out
    assert main(["migrate"]) == 0
    assert f"up to date (version {latest()})" in capsys.readouterr().out
    with psycopg.connect(empty_url) as conn:
        tables = {
            r[0]
            for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        }
        versions = conn.execute("SELECT count(*) FROM schema_version").fetchone()
    assert {"completions", "attempts", "progress", "schema_version"} <= tables
    assert versions == (latest(),), "each step recorded once"


def test_migrators_started_together_apply_each_step_once(empty_url: str) -> None:
    results: list[tuple[int, int]] = []
    threads = [
        threading.Thread(target=lambda: results.append(migrate(empty_url))) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [(0, latest())] + [(latest(), latest())] * 3


def test_a_database_from_a_newer_app_is_refused_with_a_clear_message(
    empty_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    migrate(empty_url)
    with psycopg.connect(empty_url, autocommit=True) as conn:
        conn.execute("INSERT INTO schema_version (version, name) VALUES (999, 'from_the_future')")
    monkeypatch.setenv("TRAINING_DATABASE_URL", empty_url)
    assert main(["migrate"]) == 1
    err = capsys.readouterr().err
    assert "schema version 999, newer than this app" in err and "Traceback" not in err


def test_migrate_without_a_database_says_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("TRAINING_DATABASE_URL", raising=False)
    assert main(["migrate"]) == 1
    assert "no database is configured" in capsys.readouterr().err


def test_rows_written_before_the_folded_columns_are_folded_by_migrate(
    empty_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.factories import attempt, completion
    from training.auth import ALL_AGENCIES
    from training.record_types import ATTEMPT_COLUMNS, COMPLETION_COLUMNS
    from training.storage import CompletionQuery
    from training.storage import migrate as migrating
    from training.storage.postgres import PostgresStore

    every = migrating.steps()
    monkeypatch.setattr(migrating, "steps", lambda: every[:1])
    assert migrate(empty_url) == (0, 1)
    old = completion(1, officer_name="ÉLODIE Strauß", badge_number="ÆB-1", agency="Société")
    with psycopg.connect(empty_url, autocommit=True) as conn:
        # As the app before step 2 wrote them: no folded copies.
        for table, columns, record in (
            ("completions", COMPLETION_COLUMNS, old),
            ("attempts", ATTEMPT_COLUMNS, attempt(1, badge_number="æb-1", agency="SOCIÉTÉ")),
        ):
            conn.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"VALUES ({', '.join(['%s'] * len(columns))})",
                [getattr(record, c) for c in columns],
            )
    monkeypatch.setattr(migrating, "steps", lambda: every)
    assert migrate(empty_url) == (1, latest())
    store = PostgresStore(empty_url, b"test-secret-key")
    try:
        assert (
            store.query_completions(CompletionQuery(scope=ALL_AGENCIES, search="strauss")).total
            == 1
        )
        assert (
            store.query_completions(CompletionQuery(scope=ALL_AGENCIES, search="æb-1")).total == 1
        )
        view = store.console_view(
            CompletionQuery(scope=ALL_AGENCIES, search="élodie"), "final", limit=10
        )
        assert (view.summary.officers, view.summary.final_attempts) == (1, 1)
    finally:
        store.close()
