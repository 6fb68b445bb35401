"""The benchmark's same-page reference (benchmarks/same_page.py) draws the app's page.

`make bench` reads the app's knowledge-check click beside Streamlit alone drawing the same page;
that comparison only means something while the replay shows what the app shows.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Node

from benchmarks.same_page import answered, install, opened, replay_module, snapshot
from tests.apptest_helpers import answer, click, open_app, sign_in, walk_to_first_check
from training.content import Course
from training.ui import navigation, training_page

#: What the replay copies of an element, where the element has it (same_page.py).
_FIELDS = ("body", "label", "text", "value", "options", "default", "type", "disabled", "icon")
#: What it copies of a box.
_BOX_FIELDS = ("border", "direction", "justify")


def _layout(nodes: list[Node]) -> list[object]:
    """Each element's kind and what the replay copies of it, boxes as nested lists."""
    shape: list[object] = []
    for node in nodes:
        proto = getattr(node, "proto", None)
        if isinstance(node, Block):
            box = (
                proto.flex_container
                if proto is not None and proto.HasField("flex_container")
                else None
            )
            fields = [getattr(box, name) for name in _BOX_FIELDS] if box is not None else []
            shape.append([fields, _layout(list(node.children.values()))])
        else:
            fields = [
                (name, list(value) if name == "options" else value)
                for name in _FIELDS
                if (value := getattr(proto, name, None)) is not None
            ]
            shape.append((node.type, fields))
    return shape


def _page(at: AppTest) -> tuple[list[object], list[object]]:
    return _layout(list(at.main.children.values())), _layout(list(at.sidebar.children.values()))


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the replay's module goes (off the import path again after the test); the lessons'
    minimum time is off, as in the benchmark."""
    monkeypatch.setenv("TRAINING_SEAT_TIME_SCALE", "0")
    monkeypatch.setattr(sys, "path", list(sys.path))
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
