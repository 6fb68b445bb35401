"""Settings: the environment first, then `.streamlit/secrets.toml`, then the default, and a
changed value is seen on the next click without restarting the app."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from training.config import ConfigError, load_settings


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with a .streamlit/ folder and no user-wide secrets file."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    folder = tmp_path / "project"
    (folder / ".streamlit").mkdir(parents=True)
    monkeypatch.chdir(folder)
    monkeypatch.delenv("TRAINING_PASS_MARK", raising=False)
    monkeypatch.delenv("TRAINING_TIMEZONE", raising=False)
    return folder


def write_secrets(project: Path, text: str) -> None:
    path = project / ".streamlit" / "secrets.toml"
    path.write_text(text, encoding="utf-8")


def test_defaults_apply_when_nothing_is_set(project: Path) -> None:
    settings = load_settings()
    assert settings.pass_mark == 80
    assert settings.timezone == "America/Chicago"


def test_the_secrets_file_is_read_and_the_environment_wins(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_secrets(project, 'TRAINING_PASS_MARK = 75\nTRAINING_TIMEZONE = "America/New_York"\n')
    assert load_settings().pass_mark == 75
    monkeypatch.setenv("TRAINING_PASS_MARK", "90")
    settings = load_settings()
    assert settings.pass_mark == 90
    assert settings.timezone == "America/New_York"


def test_an_edited_secrets_file_is_seen_on_the_next_load(project: Path) -> None:
    write_secrets(project, "TRAINING_PASS_MARK = 75\n")
    assert load_settings().pass_mark == 75
    write_secrets(project, "TRAINING_PASS_MARK = 85\n")
    assert load_settings().pass_mark == 85
    (project / ".streamlit" / "secrets.toml").unlink()
    assert load_settings().pass_mark == 80


def test_an_edit_within_the_same_clock_tick_is_seen(project: Path) -> None:
    path = project / ".streamlit" / "secrets.toml"
    write_secrets(project, "TRAINING_PASS_MARK = 75\n")
    stamp = path.stat().st_mtime_ns
    assert load_settings().pass_mark == 75
    write_secrets(project, "TRAINING_PASS_MARK = 100\n")  # one byte longer
    os.utime(path, ns=(stamp, stamp))
    assert load_settings().pass_mark == 100


def test_a_changed_environment_is_seen_on_the_next_load(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRAINING_PASS_MARK", "70")
    assert load_settings().pass_mark == 70
    monkeypatch.setenv("TRAINING_PASS_MARK", "95")
    assert load_settings().pass_mark == 95


def test_a_broken_secrets_file_names_itself_every_time(project: Path) -> None:
    write_secrets(project, "TRAINING_PASS_MARK = = 5\n")
    for _ in range(2):
        with pytest.raises(ConfigError, match=r"secrets\.toml: cannot be read"):
            load_settings()
    write_secrets(project, "TRAINING_PASS_MARK = 5\n")
    assert load_settings().pass_mark == 5
