"""No test uses the machine's settings (tests/isolation.py): an app server's checkout has a
secrets.toml naming the production database and its shell may export TRAINING_DATABASE_URL;
`make test` run there must not write a single record into that database."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests import isolation
from tests.apptest_helpers import open_app, sign_in
from training import config
from training.config import load_settings
from training.storage import close_stores, open_store
from training.storage.csv import CsvStore

PRODUCTION = "postgresql:///production?host=/nowhere&user=training_app"
SECRETS = f"""\
TRAINING_PASS_MARK = 55
[database]
url = "{PRODUCTION}"
[certificates]
secret_key = "the production key"
"""


@pytest.fixture
def machine(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An app server's set-up, outside this test's own folder: a checkout and a HOME that both
    hold a secrets.toml naming the production database, which the shell exports too."""
    machine = tmp_path_factory.mktemp("machine")
    for folder in (machine / "checkout", machine / "home"):
        (folder / ".streamlit").mkdir(parents=True)
        (folder / ".streamlit" / "secrets.toml").write_text(SECRETS, encoding="utf-8")
    monkeypatch.chdir(machine / "checkout")
    monkeypatch.setenv("HOME", str(machine / "home"))
    monkeypatch.setenv("TRAINING_DATABASE_URL", PRODUCTION)
    monkeypatch.setenv("TRAINING_RESULTS_DIR", str(machine / "production-results"))
    # Without the isolation, this is what the settings would be.
    monkeypatch.setattr(config, "_secrets_files", isolation.MACHINE_SECRETS_FILES)
    settings = load_settings()
    assert settings.database_url == PRODUCTION and settings.pass_mark == 55
    monkeypatch.delenv("TRAINING_DATABASE_URL")
    assert load_settings().database_url == PRODUCTION, "from the checkout's secrets.toml"
    monkeypatch.setenv("TRAINING_DATABASE_URL", PRODUCTION)
    return machine


def test_the_fixtures_ignore_the_machines_database_and_secrets(
    machine: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolation.isolate(monkeypatch, tmp_path)  # what the autouse fixture does for every test
    results = tmp_path / "results"
    monkeypatch.setenv("TRAINING_RESULTS_DIR", str(results))
    monkeypatch.setenv("TRAINING_SECRET_KEY", "test-secret-key")
    assert not any(name.startswith("TRAINING_DATABASE") for name in os.environ)
    settings = load_settings()
    assert settings.database_url is None
    assert settings.pass_mark == 80, "nothing from either secrets.toml"
    assert settings.secret_key_setting == "test-secret-key"
    try:
        assert isinstance(open_store(settings), CsvStore)
        # The app too: an officer's start is saved under the test's results, nowhere else.
        at = sign_in(open_app(), badge="ISOLATED-1")
        assert not at.exception and not at.error
    finally:
        close_stores()
    assert any(path.is_file() for path in results.rglob("*")), "the place is saved here"
    assert not (machine / "production-results").exists()


def test_commands_and_app_servers_run_without_the_machines_settings(
    machine: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolation.isolate(monkeypatch, tmp_path)
    folder = isolation.outside_project()
    assert not (folder / ".streamlit" / "secrets.toml").exists()
    assert config.PROJECT_ROOT not in (folder, *folder.parents)
    # An app server started by a session fixture, from an environment that still has it all.
    monkeypatch.setenv("TRAINING_DATABASE_URL", PRODUCTION)
    monkeypatch.setenv("TRAINING_PASS_MARK", "55")
    home = isolation.server_folder(tmp_path / "server")
    env = isolation.server_environ(home, {"TRAINING_SEAT_TIME_SCALE": "0"})
    assert [name for name in env if name.startswith("TRAINING_")] == ["TRAINING_SEAT_TIME_SCALE"]
    assert env["HOME"] == str(home)
    assert (home / ".streamlit" / "config.toml").read_bytes() == (
        isolation.STREAMLIT_CONFIG.read_bytes()
    )
    assert not (home / ".streamlit" / "secrets.toml").exists()
