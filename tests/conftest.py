"""Fixtures shared by the unit and app tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from training.config import PROJECT_ROOT
from training.content import Course, load_course


@pytest.fixture(scope="session")
def course() -> Course:
    return load_course(PROJECT_ROOT)


@pytest.fixture
def course_copy(tmp_path: Path) -> Path:
    """A copy of the real course files that a test may break."""
    root = tmp_path / "course"
    root.mkdir()
    shutil.copy(PROJECT_ROOT / "course.yaml", root / "course.yaml")
    shutil.copytree(PROJECT_ROOT / "modules", root / "modules")
    shutil.copytree(PROJECT_ROOT / "quizzes", root / "quizzes")
    return root


@pytest.fixture(autouse=True)
def results_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty results directory the app and the ledger use for this test (every test gets
    its own, so no test ever writes to the project's results/)."""
    path = tmp_path / "results"
    monkeypatch.setenv("TRAINING_RESULTS_DIR", str(path))
    monkeypatch.setenv("TRAINING_SECRET_KEY", "test-secret-key")
    return path
