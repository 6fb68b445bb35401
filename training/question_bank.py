"""Figures that show whether a question bank rewards test-taking instead of knowledge, and the
limits `validate` holds them to.

A bank is cued when a reader can score without knowing the subject: the right option is the
longest one, "True" is usually (or rarely) right, a select-all question is always "everything
but one". Plain functions over the question models; content.py reports what they find.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

#: The key may be the strictly longest option in at most this share of single-answer questions,
#: and the strictly shortest in at most the same share (a bank written against the first cue
#: can fall into the opposite one).
MAX_KEY_LONGEST = 0.35
#: Always picking the option of one length rank (the longest, the second longest, ... the
#: shortest) may find the key in at most this share of single-answer questions: a bank written
#: to avoid the longest and the shortest keys can teach "pick one in the middle" instead.
MAX_LENGTH_RANK = 0.40
#: Words that mark an option as a sweeping or argued claim. Wrong options written as
#: misconceptions collect them ("only if", "because"); when keys never do, a reader scores by
#: picking the plainest option.
QUALIFIERS = re.compile(
    r"\b(?:because|since|only|every|never|always|cannot|whatever|instead|until|unless)\b",
    re.IGNORECASE,
)
#: Picking the option with the fewest qualifiers may score at most this share of single-answer
#: questions (chance with four options is 25%).
MAX_FEWEST_QUALIFIERS = 0.35
#: True/false items keyed True must make up between these shares.
TRUE_SHARE = (0.40, 0.60)
#: A select-all question offers at least this many wrong options.
MIN_WRONG_OPTIONS = 2
#: "All but one" select-all questions must stay below this share.
MAX_ALL_BUT_ONE = 2 / 3
#: A quiz is judged on its own once it has this many questions; smaller ones count in the course.
MIN_QUESTIONS_JUDGED = 5


class OptionLike(Protocol):
    @property
    def text(self) -> str: ...
    @property
    def correct(self) -> bool: ...


class QuestionLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def options(self) -> Sequence[OptionLike]: ...


def key_is_longest(question: QuestionLike) -> bool:
    """The single key is longer than every other option (a tie is no cue)."""
    keys = [len(o.text) for o in question.options if o.correct]
    others = [len(o.text) for o in question.options if not o.correct]
    return len(keys) == 1 and bool(others) and keys[0] > max(others)


def key_is_shortest(question: QuestionLike) -> bool:
    keys = [len(o.text) for o in question.options if o.correct]
    others = [len(o.text) for o in question.options if not o.correct]
    return len(keys) == 1 and bool(others) and keys[0] < min(others)


def fewest_qualifiers_score(question: QuestionLike) -> float:
    """What a reader who picks the option with the fewest qualifiers (ties at random) scores
    on this single-answer question: 0 to 1."""
    counts = [len(QUALIFIERS.findall(o.text)) for o in question.options]
    fewest = [i for i, n in enumerate(counts) if n == min(counts)]
    keyed = [i for i in fewest if question.options[i].correct]
    return len(keyed) / len(fewest)


def length_rank_scores(question: QuestionLike) -> dict[int, float]:
    """What always picking the option of each length rank (0 = longest) scores on this
    single-answer question; options of equal length share their ranks' chance."""
    lengths = [len(o.text) for o in question.options]
    order = sorted(lengths, reverse=True)
    key = next(len(o.text) for o in question.options if o.correct)
    tied = [rank for rank, length in enumerate(order) if length == key]
    return {rank: 1 / len(tied) for rank in tied}


def wrong_options(question: QuestionLike) -> int:
    return sum(not o.correct for o in question.options)


@dataclass(frozen=True)
class BankFigures:
    questions: int
    single: int
    key_longest: int
    key_shortest: int
    #: Expected right answers, out of `single`, from always picking the best length rank.
    best_length_rank: float
    #: Expected right answers, out of `single`, from picking the option with fewest qualifiers.
    fewest_qualifiers: float
    true_false: int
    keyed_true: int
    select_all: int
    all_but_one: int
    #: How many select-all questions have each number of correct options.
    keys_per_select_all: tuple[tuple[int, int], ...]

    @property
    def key_longest_share(self) -> float:
        return self.key_longest / self.single if self.single else 0.0

    @property
    def key_shortest_share(self) -> float:
        return self.key_shortest / self.single if self.single else 0.0

    @property
    def best_length_rank_share(self) -> float:
        return self.best_length_rank / self.single if self.single else 0.0

    @property
    def fewest_qualifiers_share(self) -> float:
        return self.fewest_qualifiers / self.single if self.single else 0.0

    @property
    def true_share(self) -> float:
        return self.keyed_true / self.true_false if self.true_false else 0.5

    @property
    def all_but_one_share(self) -> float:
        return self.all_but_one / self.select_all if self.select_all else 0.0


def figures(questions: Sequence[QuestionLike]) -> BankFigures:
    single = [q for q in questions if q.type == "single"]
    true_false = [q for q in questions if q.type == "true_false"]
    select_all = [q for q in questions if q.type == "multiple"]
    keys = Counter(sum(o.correct for o in q.options) for q in select_all)
    by_rank: Counter[int] = Counter()
    for q in single:
        by_rank.update(length_rank_scores(q))
    return BankFigures(
        questions=len(questions),
        single=len(single),
        key_longest=sum(key_is_longest(q) for q in single),
        key_shortest=sum(key_is_shortest(q) for q in single),
        best_length_rank=max(by_rank.values(), default=0.0),
        fewest_qualifiers=sum(fewest_qualifiers_score(q) for q in single),
        true_false=len(true_false),
        keyed_true=sum(q.options[0].correct for q in true_false),
        select_all=len(select_all),
        all_but_one=sum(wrong_options(q) == 1 for q in select_all),
        keys_per_select_all=tuple(sorted(keys.items())),
    )


def _percent(part: int, whole: int) -> str:
    return f"{part} of {whole} ({part * 100 / whole:.0f}%)" if whole else "none"


def cueing_problems(f: BankFigures) -> list[str]:
    """What makes this bank passable by test-taking; empty when it is within every limit."""
    problems = []
    if f.single and f.key_longest_share > MAX_KEY_LONGEST:
        problems.append(
            f"the key is the strictly longest option in {_percent(f.key_longest, f.single)} "
            f"single-answer questions; at most {MAX_KEY_LONGEST:.0%} may be: make the wrong "
            "options as long and specific as the key"
        )
    if f.single and f.key_shortest_share > MAX_KEY_LONGEST:
        problems.append(
            f"the key is the strictly shortest option in {_percent(f.key_shortest, f.single)} "
            f"single-answer questions; at most {MAX_KEY_LONGEST:.0%} may be: a test-taker "
            "learns to pick the shortest as readily as the longest"
        )
    if f.single and f.best_length_rank_share > MAX_LENGTH_RANK:
        problems.append(
            "always picking the option of one length rank (the longest, the second longest, ...) "
            f"scores {f.best_length_rank_share:.0%} of {f.single} single-answer questions; at "
            f"most {MAX_LENGTH_RANK:.0%} may: vary where the key falls among the lengths"
        )
    if f.single and f.fewest_qualifiers_share > MAX_FEWEST_QUALIFIERS:
        problems.append(
            "picking the option with the fewest words like only, never, because or unless "
            f"scores {f.fewest_qualifiers_share:.0%} of {f.single} single-answer questions; at "
            f"most {MAX_FEWEST_QUALIFIERS:.0%} may: keys state limits and reasons too, and wrong "
            "options need no argument attached"
        )
    low, high = TRUE_SHARE
    # An odd count cannot always land inside the range; one short of even is as close as it gets.
    balanced = abs(2 * f.keyed_true - f.true_false) <= 1
    if f.true_false and not low <= f.true_share <= high and not balanced:
        problems.append(
            f"{_percent(f.keyed_true, f.true_false)} true/false questions are keyed True; "
            f"between {low:.0%} and {high:.0%} must be"
        )
    if f.select_all and f.all_but_one_share >= MAX_ALL_BUT_ONE:
        problems.append(
            f'{_percent(f.all_but_one, f.select_all)} select-all questions are "all but one"; '
            f"fewer than two-thirds may be"
        )
    if f.select_all >= 2 and len(f.keys_per_select_all) == 1:
        keys = f.keys_per_select_all[0][0]
        problems.append(
            f"every one of the {f.select_all} select-all questions has {keys} correct "
            "options; vary how many are right"
        )
    return problems


def question_problems(question: QuestionLike) -> list[str]:
    if question.type == "multiple" and wrong_options(question) < MIN_WRONG_OPTIONS:
        return [
            f"a select-all question needs at least {MIN_WRONG_OPTIONS} wrong options "
            f"(found {wrong_options(question)})"
        ]
    return []


def judged_on_its_own(f: BankFigures) -> bool:
    return f.questions >= MIN_QUESTIONS_JUDGED


def figures_row(f: BankFigures) -> list[str]:
    """The figures as the report's columns."""
    keys = ", ".join(f"{n} with {k}" for k, n in f.keys_per_select_all) or "-"
    return [
        str(f.questions),
        _percent(f.key_longest, f.single),
        _percent(f.key_shortest, f.single),
        f"{f.best_length_rank_share:.0%}" if f.single else "none",
        f"{f.fewest_qualifiers_share:.0%}" if f.single else "none",
        _percent(f.keyed_true, f.true_false),
        str(f.select_all),
        _percent(f.all_but_one, f.select_all),
        keys,
    ]


REPORT_HEADER = [
    "questions",
    "key longest (single)",
    "key shortest",
    "best length rank",
    "fewest qualifiers",
    "keyed True (true/false)",
    "select-all",
    "all but one",
    "keys per select-all",
]
