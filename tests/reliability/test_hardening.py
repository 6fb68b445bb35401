"""Production configuration and start-up checks."""

from __future__ import annotations

import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.version import Version
from streamlit import config as streamlit_config
from streamlit.testing.v1 import AppTest

from tests.apptest_helpers import open_app, titles
from training.config import PROJECT_ROOT

#: Every Streamlit security advisory known when this was written was fixed by this release.
FIRST_VERSION_WITHOUT_KNOWN_ADVISORY = Version("1.54.0")


def _config() -> dict:
    with (PROJECT_ROOT / ".streamlit" / "config.toml").open("rb") as fh:
        return tomllib.load(fh)


def test_production_configuration_hides_errors_and_guards_requests() -> None:
    config = _config()
    assert config["client"]["showErrorDetails"] == "none"
    assert config["client"]["toolbarMode"] == "viewer"
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["maxUploadSize"] <= 5
    assert config["global"]["developmentMode"] is False


def test_a_stray_expression_in_a_page_script_is_never_shown() -> None:
    # Streamlit's "magic" would write a bare expression (say, a leftover variable holding a
    # record) to the page; the project's config turns it off for the app and for AppTest.
    assert _config()["runner"]["magicEnabled"] is False
    at = AppTest.from_string("import streamlit as st\nsecret = 'a leftover'\nsecret\n").run()
    assert not at.markdown and not at.exception


def test_a_server_does_not_collect_all_its_garbage_after_every_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Streamlit's default collects all of the server's garbage after every run: a pass over
    # every object of every session, after every rerun of the lesson countdown too (every 30 s
    # or so per officer reading, and once a second when this was measured), so each rerun cost
    # more the more officers were signed in. benchmarks/capacity.py measured 69-97 ms of server
    # CPU a countdown rerun with it, 2.5-4.1 ms without (docs/benchmarks.md, "Capacity").
    # AppTest never collects, so the setting is read as `streamlit run` reads it: from the
    # working folder's .streamlit/config.toml.
    monkeypatch.chdir(PROJECT_ROOT)
    options = streamlit_config.get_config_options(force_reparse=True)
    assert options["runner.postScriptGC"].value is False
    assert options["runner.postScriptGC"].where_defined.endswith(".streamlit/config.toml")


def test_streamlit_is_pinned_past_every_known_advisory() -> None:
    with (PROJECT_ROOT / "pyproject.toml").open("rb") as fh:
        dependencies = tomllib.load(fh)["project"]["dependencies"]
    pin = next(d for d in dependencies if d.startswith("streamlit"))
    assert Version(pin.split(">=")[1]) >= FIRST_VERSION_WITHOUT_KNOWN_ADVISORY
    assert Version(version("streamlit")) >= FIRST_VERSION_WITHOUT_KNOWN_ADVISORY


def test_start_up_says_when_results_cannot_be_written(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocked = tmp_path / "results-is-a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("TRAINING_RESULTS_DIR", str(blocked))
    at = open_app()  # TRAINING_SECRET_KEY is set: the key file is not what fails here
    assert titles(at) == ["The training cannot save results right now"]
    assert "Nothing has been lost" in at.error[0].value
    assert not at.text_input, "nobody starts a course whose result could not be saved"
