"""The `store` fixture: every contract test runs once on each Store backend."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from training.storage import Store, close_stores
from training.storage.csv import CsvStore
from training.storage.postgres import PostgresStore

KEY = b"test-key"
BACKENDS = ["csv", "postgres"]


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "csv":
        yield CsvStore(tmp_path / "store", KEY)
    else:
        new_database: Callable[..., str] = request.getfixturevalue("new_database")
        # As the app's role: every rule of the seam holds with only INSERT and SELECT.
        made = PostgresStore(new_database(user="training_app"), KEY)
        try:
            yield made
        finally:
            made.close()


@pytest.fixture(params=BACKENDS)
def configured(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Store]:
    """The app and the command line configured for a backend (as an operator would), and a
    Store on the same records for the test to write and read them."""
    if request.param == "csv":
        results = tmp_path / "results"
        monkeypatch.setenv("TRAINING_RESULTS_DIR", str(results))
        monkeypatch.delenv("TRAINING_DATABASE_URL", raising=False)
        yield CsvStore(results, b"test-secret-key")
    else:
        new_database: Callable[..., str] = request.getfixturevalue("new_database")
        url = new_database(user="training_app")
        monkeypatch.setenv("TRAINING_DATABASE_URL", url)
        made = PostgresStore(url, b"test-secret-key")
        try:
            yield made
        finally:
            made.close()
    close_stores()
