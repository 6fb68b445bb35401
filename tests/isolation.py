"""Tests never use the machine's settings: no TRAINING_ variable from the caller's environment
and no `.streamlit/secrets.toml` of the project or the user's home, in the test process and in
every process a test starts. On an app server `make test` runs in the same checkout as
`make run`: without this, test records would land in the production database or results folder.

training/config.py reads secrets.toml from `~/.streamlit/` (HOME) and from `./.streamlit/` (the
working folder). So tests run with HOME set to an empty folder of their own; in the test
process only secrets files under the test's own temporary folder are read (tests/test_config.py
writes its own), and processes that read settings are started in a folder outside the project.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from training import config

#: Where the settings look for secrets.toml outside the tests (HOME and the working folder).
MACHINE_SECRETS_FILES = config._secrets_files
#: Streamlit's own settings for the app (no secrets in it): copied next to each app server.
STREAMLIT_CONFIG = config.PROJECT_ROOT / ".streamlit" / "config.toml"


def _is_setting(name: str) -> bool:
    return name.startswith("TRAINING_") or name in config.SETTING_VARIABLES


def isolate(monkeypatch: pytest.MonkeyPatch, folder: Path) -> Path:
    """Clears every TRAINING_ variable, points HOME at an empty folder beside `folder` and lets
    the settings read only secrets files under `folder`. Returns the new HOME, which is also a
    working folder outside the project for commands a test runs (see `outside_project`)."""
    for name in [name for name in os.environ if _is_setting(name)]:
        monkeypatch.delenv(name)
    # Beside the test's folder, not in it: tests check what their tmp_path holds.
    home = folder.parent / f"{folder.name}-home"
    home.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    everywhere = config._secrets_files
    inside = str(folder) + os.sep

    def own_files_only() -> tuple[str, ...]:
        return tuple(path for path in everywhere() if path.startswith(inside))

    monkeypatch.setattr(config, "_secrets_files", own_files_only)
    return home


def outside_project() -> Path:
    """The working folder for a command a test runs (`python -m training ...`): the test's own
    empty HOME, so no `.streamlit/secrets.toml` is found there. Only inside a test."""
    home = Path(os.environ["HOME"])
    if config.PROJECT_ROOT in (home, *home.parents):
        raise AssertionError(f"HOME is {home}: the tests' isolation fixture did not run")
    return home


def server_environ(home: Path, settings: dict[str, str]) -> dict[str, str]:
    """The environment for a process a session fixture starts (an app server): the caller's,
    less every TRAINING_ variable, with HOME at `home` and `settings` added."""
    env = {name: value for name, value in os.environ.items() if not _is_setting(name)}
    env["HOME"] = str(home)
    env.update(settings)
    return env


def server_folder(folder: Path) -> Path:
    """A working folder for `streamlit run`: the project's `.streamlit/config.toml` and no
    secrets.toml (Streamlit and the settings both look in the working folder)."""
    (folder / ".streamlit").mkdir(parents=True, exist_ok=True)
    shutil.copy(STREAMLIT_CONFIG, folder / ".streamlit" / "config.toml")
    return folder
