"""The page script (training/ui/accessibility.js): the style sheet and the keyboard fixes go to a
browser tab once, and each new step sends only a call. The browser tests
(tests/browser/test_accessibility.py, test_keyboard.py) check what they do in Chromium."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest_helpers import click, open_app, sign_in
from training.ui import accessibility

CSS = (Path(accessibility.__file__).parent / "accessibility.css").read_text(encoding="utf-8")


def scripts(at: AppTest) -> list[str]:
    """The page script and the calls to it (a lesson's countdown has a script of its own)."""
    return [str(h.value) for h in at.get("html") if "__trainingStartAt" in str(h.value)]


def test_the_page_script_is_javascript_with_the_whole_style_sheet(tmp_path: Path) -> None:
    node = shutil.which("node")
    assert node, "node is needed (make test installs it with the browser tests' packages)"
    script = tmp_path / "page.js"
    script.write_text(accessibility._PAGE_SCRIPT, encoding="utf-8")
    checked = subprocess.run([node, "--check", str(script)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    rules = [line for line in CSS.splitlines() if "{" in line]
    assert rules and all(rule.replace('"', '\\"') in accessibility._PAGE_SCRIPT for rule in rules)


@pytest.mark.parametrize("text", ["</script><b>x</b>", 'a "quoted" </SCRIPT> heading'])
def test_no_text_can_end_the_script_element(text: str) -> None:
    written = accessibility._script_string(text)
    assert "</" not in written
    assert written.replace("<\\/", "</").startswith('"')


def test_the_script_goes_once_and_each_new_step_sends_one_call() -> None:
    at = open_app()
    first = scripts(at)
    assert len(first) == 1 and "training-accessibility" in first[0]
    assert 'window.__trainingStartAt("sign-in"' in first[0]

    at.run()  # the same step again: nothing to send
    assert scripts(at) == []

    sign_in(at, badge="SCRIPT-1")
    after = scripts(at)
    assert len(after) == 1
    assert "training-accessibility" not in after[0], "the style sheet went to the tab twice"
    assert after[0].count("__trainingStartAt") == 1 and len(after[0]) < 300
    assert not at.exception


def test_signing_out_sends_the_script_again_harmlessly() -> None:
    # Sign out clears the session's state: the script goes again, and does nothing twice (it
    # returns at once when the page already has it).
    at = sign_in(open_app(), badge="SCRIPT-2")
    click(at, "Sign out")
    again = scripts(at)
    assert len(again) == 1 and "if (window.__trainingStartAt) return;" in again[0]
