"""The database holds the line by itself, whatever a program connected as the app tries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import astuple

import psycopg
import pytest
from psycopg import errors

from tests.factories import attempt, completion
from training.record_types import COMPLETION_COLUMNS
from training.storage.postgres import PostgresStore

INSERT = (
    f"INSERT INTO completions ({', '.join(COMPLETION_COLUMNS)}) "
    f"VALUES ({', '.join(['%s'] * len(COMPLETION_COLUMNS))})"
)


@pytest.fixture
def as_app(new_database: Callable[..., str]) -> psycopg.Connection:  # type: ignore[type-arg]
    url = new_database(user="training_app")
    store = PostgresStore(url, b"k")
    store.record_completion(completion(1))
    store.append_attempt(attempt(1))
    store.close()
    conn = psycopg.connect(url, autocommit=True)
    yield conn  # type: ignore[misc]
    conn.close()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE completions SET score_percent = 100",
        "DELETE FROM completions",
        "UPDATE attempts SET passed = true",
        "DELETE FROM attempts",
        "TRUNCATE completions",
        "DROP TABLE attempts",
        "ALTER TABLE completions DROP CONSTRAINT one_completion_per_officer_and_version",
        "CREATE TABLE elsewhere (x int)",
    ],
)
def test_the_app_role_cannot_change_or_remove_records(
    as_app: psycopg.Connection,
    statement: str,  # type: ignore[type-arg]
) -> None:
    with pytest.raises(errors.InsufficientPrivilege):
        as_app.execute(statement)
    count = as_app.execute("SELECT count(*) FROM completions").fetchone()
    assert count == (1,)


def test_a_second_completion_for_the_officer_and_version_is_refused(
    as_app: psycopg.Connection,  # type: ignore[type-arg]
) -> None:
    with pytest.raises(errors.UniqueViolation):
        as_app.execute(INSERT, astuple(completion(1, record_id="rec-other")))


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"score_percent": 101}, errors.CheckViolation),
        ({"score_percent": -1}, errors.CheckViolation),
        ({"attempts": -1}, errors.CheckViolation),
        ({"completed_at": "1999-12-31T23:59:59Z"}, errors.CheckViolation),
        ({"completed_at": "2026-02-30T00:00:00Z"}, errors.DatetimeFieldOverflow),
        ({"officer_name": ""}, errors.CheckViolation),
        ({"officer_name": None}, errors.NotNullViolation),
        ({"certificate_code": None}, errors.NotNullViolation),
    ],
)
def test_the_database_checks_scores_dates_and_required_fields(
    as_app: psycopg.Connection,  # type: ignore[type-arg]
    change: dict[str, object],
    error: type[Exception],
) -> None:
    with pytest.raises(error):
        as_app.execute(INSERT, astuple(completion(7, **change)))
