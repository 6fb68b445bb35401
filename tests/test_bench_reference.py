"""The benchmark's same-page reference (benchmarks/same_page.py) draws the app's page.

`make bench` reads the app's knowledge-check click beside Streamlit alone drawing the same page;
that comparison only means something while the replay shows what the app shows.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Node

from benchmarks.same_page import answered, install, opened, replay_module, snapshot
from tests.apptest_helpers import answer, click, open_app, sign_in, walk_to_first_check
from training.content import Course
from training.ui import navigation, training_page


def _layout(nodes: list[Node]) -> list[object]:
    """Each element's kind and its text or label, blocks as nested lists."""
    shape: list[object] = []
    for node in nodes:
        if isinstance(node, Block):
            shape.append(_layout(list(node.children.values())))
        else:
            proto = node.proto
            text = getattr(proto, "body", "") or getattr(proto, "label", "")
            shape.append((node.type, text))
    return shape


def _page(at: AppTest) -> tuple[list[object], list[object]]:
    return _layout(list(at.main.children.values())), _layout(list(at.sidebar.children.values()))


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the replay's module goes; the lessons' minimum time is off, as in the benchmark."""
    monkeypatch.setenv("TRAINING_SEAT_TIME_SCALE", "0")
    return tmp_path


def test_the_replay_of_a_check_draws_the_apps_page_before_and_after_submitting(
    course: Course, folder: Path
) -> None:
    at = sign_in(open_app(), badge="REPLAY-1")
    quiz = walk_to_first_check(at, course)
    before = _page(at)
    lines = snapshot(at)
    answer(at, quiz, right=True)
    click(at, "Submit answers")
    after = _page(at)
    pages = navigation.all_pages(training_page.render)
    install(folder, "replayed_check", replay_module(pages, lines, snapshot(at)))

    replay = answered("replayed_check")
    assert _page(replay) == before
    assert len(replay.radio) + len(replay.checkbox) > len(quiz.questions)  # every answer
    click(replay, "Submit answers")
    assert _page(replay) == after
    assert "Continue" in [b.label for b in replay.button]


def test_the_replay_of_a_lesson_draws_the_apps_lesson(course: Course, folder: Path) -> None:
    at = sign_in(open_app(), badge="REPLAY-2")
    pages = navigation.all_pages(training_page.render)
    install(folder, "replayed_lesson", replay_module(pages, snapshot(at)))
    replay = opened("replayed_lesson")
    assert _page(replay) == _page(at)
    assert course.modules[0].lessons[0].title in [t.value for t in replay.title]
