"""`validate --report`: the question bank's figures per quiz and for the course, and the final's
questions per module, as a plain-text table for an author."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from training import question_bank
from training.content import read_quizzes


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, *rows]:
        cells = [
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def report(root: Path) -> str:
    modules, quizzes = read_quizzes(root)
    rows = []
    for rel, quiz in quizzes:
        figures = question_bank.figures(quiz.questions)
        judged = "" if question_bank.judged_on_its_own(figures) else " (counted in the course only)"
        rows.append([rel + judged, *question_bank.figures_row(figures)])
    every = [q for _, quiz in quizzes for q in quiz.questions]
    rows.append(["all quizzes", *question_bank.figures_row(question_bank.figures(every))])
    low, high = question_bank.TRUE_SHARE
    lines = [
        "Question bank figures. Limits: the key is the strictly longest option in at most "
        f"{question_bank.MAX_KEY_LONGEST:.0%} of single-answer questions, and the strictly "
        "shortest in at most as many; always picking one length rank finds it in at most "
        f"{question_bank.MAX_LENGTH_RANK:.0%}; picking the option with the fewest qualifiers "
        f"(only, never, because, ...) scores at most {question_bank.MAX_FEWEST_QUALIFIERS:.0%}; "
        f"{low:.0%}-{high:.0%} "
        "of true/false questions keyed True; every select-all question has at least "
        f"{question_bank.MIN_WRONG_OPTIONS} wrong options, fewer than two-thirds are "
        '"all but one", and their numbers of correct options vary.',
        "",
        *_table(["quiz", *question_bank.REPORT_HEADER], rows),
    ]
    for rel, quiz in quizzes:
        if quiz.kind != "final":
            continue
        in_bank = Counter(q.module for q in quiz.questions)
        blueprint = quiz.blueprint or {}
        module_rows = [
            [m.id, str(in_bank.get(m.id, 0)), str(blueprint.get(m.id, 0))] for m in modules
        ]
        module_rows.append(["all modules", str(len(quiz.questions)), str(sum(blueprint.values()))])
        lines += [
            "",
            f"The final ({rel}): questions per module",
            "",
            *_table(["module", "in the bank", "in each draw"], module_rows),
        ]
    return "\n".join(lines)
