"""Drawing questions, shuffling and scoring an attempt: pure functions, no Streamlit."""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from training.content import Quiz

_system_random = random.SystemRandom()


@dataclass(frozen=True)
class DrawnQuestion:
    """One question as an officer sees it: which question, and its options in display order
    (each a position in the YAML file)."""

    question_id: str
    option_order: tuple[int, ...]

    def to_dict(self) -> dict[str, object]:
        return {"question_id": self.question_id, "option_order": list(self.option_order)}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> DrawnQuestion:
        order = data["option_order"]
        assert isinstance(order, list)
        return cls(str(data["question_id"]), tuple(int(i) for i in order))


@dataclass(frozen=True)
class QuestionResult:
    question_id: str
    chosen: frozenset[int]
    correct: bool


@dataclass(frozen=True)
class Score:
    results: tuple[QuestionResult, ...]
    pass_mark: int

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def correct_count(self) -> int:
        return sum(r.correct for r in self.results)

    @property
    def percent(self) -> int:
        # Rounded down, so a shown score never claims more than was earned.
        return self.correct_count * 100 // self.total if self.total else 0

    @property
    def passed(self) -> bool:
        return self.correct_count * 100 >= self.pass_mark * self.total


class AnswerError(ValueError):
    """The answers do not fit the questions drawn (missing, unknown or out of range)."""


def draw(quiz: Quiz, rng: random.Random | None = None) -> list[DrawnQuestion]:
    """The questions for one attempt, with options shuffled (True and False keep their order,
    which readers expect).

    A final draws as many questions from each module as its blueprint says (or `draw` from the
    whole bank when it has none), in random order. A knowledge check shows every question in
    the order written; its options are shuffled too, since authors tend to write the right
    answer first.
    """
    rng = rng or _system_random
    questions = list(quiz.questions)
    if quiz.kind == "final" and quiz.blueprint:
        questions = [
            question
            for module_id, count in quiz.blueprint.items()
            for question in rng.sample(quiz.questions_of(module_id), count)
        ]
        rng.shuffle(questions)
    elif quiz.kind == "final":
        questions = rng.sample(questions, quiz.draw_count)
    drawn = []
    for question in questions:
        order = list(range(len(question.options)))
        if question.type != "true_false":
            rng.shuffle(order)
        drawn.append(DrawnQuestion(question.id, tuple(order)))
    return drawn


def unanswered(drawn: Sequence[DrawnQuestion], answers: Mapping[str, Iterable[int]]) -> list[int]:
    """Numbers (from 1, as shown) of the drawn questions with no answer yet."""
    return [n for n, d in enumerate(drawn, start=1) if not set(answers.get(d.question_id, ()))]


def score(
    quiz: Quiz,
    drawn: Sequence[DrawnQuestion],
    answers: Mapping[str, Iterable[int]],
    pass_mark: int,
) -> Score:
    """Mark every drawn question; a `multiple` question is right only with exactly the right set."""
    missing = unanswered(drawn, answers)
    if missing:
        raise AnswerError(f"questions {missing} have no answer")
    drawn_ids = {d.question_id for d in drawn}
    extra = set(answers) - drawn_ids
    if extra:
        raise AnswerError(f"answers given for questions not drawn: {sorted(extra)}")
    results = []
    for d in drawn:
        question = quiz.question(d.question_id)
        chosen = frozenset(int(i) for i in answers[d.question_id])
        if any(not 0 <= i < len(question.options) for i in chosen):
            raise AnswerError(f"question {d.question_id} has no option {sorted(chosen)}")
        if question.type != "multiple" and len(chosen) != 1:
            raise AnswerError(f"question {d.question_id} takes exactly one answer")
        results.append(QuestionResult(d.question_id, chosen, chosen == question.correct_positions))
    return Score(tuple(results), pass_mark)


def answers_json(score_: Score) -> str:
    """The attempt's answers as stored in attempts.csv: question id -> chosen positions."""
    return json.dumps(
        {r.question_id: sorted(r.chosen) for r in score_.results},
        separators=(",", ":"),
        ensure_ascii=True,
    )
