"""The `store` fixture: every contract test runs once on each Store backend."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from training.storage import Store
from training.storage.csv import CsvStore
from training.storage.postgres import PostgresStore

KEY = b"test-key"
BACKENDS = ["csv", "postgres"]


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "csv":
        yield CsvStore(tmp_path / "store", KEY)
    else:
        new_database: Callable[[], str] = request.getfixturevalue("new_database")
        made = PostgresStore(new_database(), KEY)
        try:
            yield made
        finally:
            made.close()
