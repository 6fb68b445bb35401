"""Double clicks and two tabs of one officer give one completion."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.apptest_helpers import answer, click, open_app, sign_in, titles, walk_to_final
from training.content import Course
from training.storage.csv_files import Ledger


@pytest.fixture(autouse=True)
def _gate_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAINING_SEAT_TIME_SCALE", "0")


def test_two_tabs_passing_the_final_record_one_completion(
    results_dir: Path, course: Course
) -> None:
    first = walk_to_final(sign_in(open_app(), badge="TAB-1"), course)
    second = sign_in(open_app(), badge="tab-1")  # the same officer in a second tab
    assert titles(second) == [course.final.title]
    answer(first, course.final, right=True)
    answer(second, course.final, right=True)
    click(first, "Submit answers")
    click(second, "Submit answers")
    assert "Training complete" in titles(first) and "Training complete" in titles(second)
    rows = Ledger(results_dir).read_completions()
    assert len(rows) == 1
    assert first.code[0].value == second.code[0].value == rows.iloc[0]["certificate_code"]


def test_submitting_again_and_rerunning_after_passing_adds_nothing(
    results_dir: Path, course: Course
) -> None:
    at = walk_to_final(sign_in(open_app(), badge="DBL-1"), course)
    answer(at, course.final, right=True)
    click(at, "Submit answers")
    for _ in range(3):
        at.run()
    book = Ledger(results_dir)
    assert len(book.read_completions()) == 1
    finals = book.read_attempts().query("quiz_id == 'final'")
    assert len(finals) == 1
