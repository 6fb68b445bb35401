"""The `store` fixture: every contract test runs once on each Store backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from training.storage import Store
from training.storage.csv import CsvStore

KEY = b"test-key"
BACKENDS = ["csv"]


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "csv":
        yield CsvStore(tmp_path / "store", KEY)
