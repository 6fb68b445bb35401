"""Fixtures shared by the unit and app tests."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from tests import isolation, lrs, pg
from training.config import PROJECT_ROOT
from training.content import Course, load_course

#: Browser tests run in two groups, each on one pytest-xdist worker (`make test` runs two), so
#: that no more than two browsers and their app servers share the machine's cores at a time.
#: The groups are split by file, about evenly by time; module-scoped servers stay in one worker.
_BROWSER_GROUPS = {
    "test_accessibility.py": "browser-a",
    "test_keyboard.py": "browser-a",
    "test_two_servers.py": "browser-a",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("browser") is not None:
            group = _BROWSER_GROUPS.get(item.path.name, "browser-b")
            item.add_marker(pytest.mark.xdist_group(group))


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
    its own, so no test ever writes to the project's results/). No setting of the machine
    applies: no TRAINING_ variable (TRAINING_DATABASE_URL above all) and no secrets.toml of the
    project or the user (tests/isolation.py)."""
    isolation.isolate(monkeypatch, tmp_path)
    path = tmp_path / "results"
    monkeypatch.setenv("TRAINING_RESULTS_DIR", str(path))
    monkeypatch.setenv("TRAINING_SECRET_KEY", "test-secret-key")
    return path


@pytest.fixture(scope="session")
def postgres() -> Iterator[pg.PrivatePostgres]:
    """The session's private PostgreSQL, started on first use and removed at the end, also when
    a test failed (and at exit, should the session be killed before its finalizers run)."""
    try:
        try:
            server = pg.server()
        except pg.PostgresUnavailable as exc:  # not installed, or it did not start: say so
            pytest.fail(str(exc), pytrace=False)
        yield server
    finally:
        pg.shutdown()


_databases = itertools.count()


@pytest.fixture(scope="session")
def migrated_template(postgres: pg.PrivatePostgres) -> str:
    """A database migrated once; each test gets a copy of it (a copy takes milliseconds)."""
    from training.storage.migrate import migrate

    with psycopg.connect(postgres.url(), autocommit=True) as conn:
        # The app's own role, as docs/deploy.md creates it: the Store's tests run as it.
        conn.execute(
            "DO $$ BEGIN CREATE ROLE training_app LOGIN; "
            "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        )
        conn.execute("CREATE DATABASE training_template")
    migrate(postgres.url("training_template"))
    return "training_template"


@pytest.fixture
def new_database(
    postgres: pg.PrivatePostgres, migrated_template: str
) -> Iterator[Callable[..., str]]:
    """Makes empty, migrated databases for this test (dropped after it); returns their URLs,
    as the owner (`postgres`) or, with user="training_app", as the app's role."""
    made: list[str] = []

    def make(user: str = "postgres") -> str:
        name = f"t{next(_databases)}"
        with psycopg.connect(postgres.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name} TEMPLATE {migrated_template}")
        made.append(name)
        return postgres.url(name, user)

    yield make
    with psycopg.connect(postgres.url(), autocommit=True) as conn:
        for name in made:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def lrs_server() -> Iterator[lrs.Ralph]:
    """The session's Ralph LRS (tests/lrs.py), installed and started on first use, stopped and
    removed at the end, also when a test failed."""
    try:
        try:
            server = lrs.server()
        except lrs.LrsUnavailable as exc:  # not installable, or it did not start: say so
            pytest.fail(str(exc), pytrace=False)
        yield server
    finally:
        lrs.shutdown()
