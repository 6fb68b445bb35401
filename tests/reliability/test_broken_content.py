"""Every kind of broken course file: `validate` names file and field, and the app shows the
plain error page with the same message, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.apptest_helpers import open_app, titles
from tests.test_content import BROKEN


def test_there_are_at_least_fifteen_kinds() -> None:
    assert len(BROKEN) >= 15


@pytest.mark.parametrize("case", list(BROKEN), ids=list(BROKEN))
def test_the_app_shows_the_problem_not_a_traceback(
    case: str, course_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = BROKEN[case](course_copy)
    monkeypatch.setenv("TRAINING_CONTENT_DIR", str(course_copy))
    at = open_app()
    assert not at.exception
    assert titles(at) == ["The course cannot be shown"]
    shown = at.code[0].value
    assert any(line.startswith(expected) for line in shown.splitlines()), shown
    assert "Traceback" not in shown and not at.text_input
