"""What the Coordinator sees: the completion table in local dates, its filters, the headline
figures, completions by week and by agency, and which questions officers keep getting wrong.

Plain pandas, no Streamlit, so every figure on the coordinator page can be checked by a unit
test. The ledger's tables are shared, cached objects (see `ledger._read`): nothing here assigns
into a frame it was given; every function returns a new one.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from training.content import Course, Question, Quiz

#: Columns `completions_table` adds to the ledger's.
LOCAL_COLUMNS = ("completed_local", "completed_date")
QUESTION_COLUMNS = (
    "quiz_id",
    "question_id",
    "prompt",
    "drawn",
    "correct",
    "percent_correct",
    "flagged",
)


@dataclass(frozen=True)
class CompletionFilter:
    """What the Coordinator chose to look at. Empty values mean "no restriction"."""

    #: Part of an officer's name or badge number, any case; matched as plain text, never a
    #: pattern, so "O'Neil" or "(" typed into a search box cannot break or widen the search.
    search: str = ""
    agencies: tuple[str, ...] = ()
    #: Local dates (in the zone the table was built for), both ends included: a Coordinator
    #: asking for "November" means Nov 1 to Nov 30 as an officer in Mississippi lived them.
    start: date | None = None
    end: date | None = None
    versions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Summary:
    """The headline figures over the filtered completions."""

    completions: int
    #: Distinct officers, identified as the app identifies them: badge and agency.
    officers: int
    agencies: int
    #: Final-assessment attempts (passed or not) by the officers in the filtered completions.
    final_attempts: int
    passed_finals: int
    #: passed_finals / final_attempts as a fraction 0-1; None when there is no attempt to rate.
    pass_rate: float | None
    #: Mean of the completions' `attempts` column; None when there is no completion.
    attempts_per_completion: float | None


def completions_table(completions: pd.DataFrame, zone: ZoneInfo) -> pd.DataFrame:
    """The ledger's completions with their time and date in `zone` added.

    Dates are local because a certificate and the Coordinator's reports speak of the day the
    officer finished where they were: 2026-11-28T05:59:00Z is 11:59 pm on Nov 27 in Chicago,
    and counting it on Nov 28 would put it in the wrong week, month or even year. A timestamp
    that cannot be read gets NaT/None instead of stopping the whole page; date filters leave
    such rows out.
    """
    table = completions.copy()
    local = local_times(completions["completed_at"], zone)
    table["completed_local"] = local
    table["completed_date"] = pd.Series(
        [None if pd.isna(ts) else ts.date() for ts in local], index=table.index, dtype=object
    )
    # Worked out once per ledger change (the table is cached), not on every filter click.
    table[_FOLDED_NAME] = _text(table["officer_name"]).str.casefold()
    table[_FOLDED_BADGE] = _text(table["badge_number"]).str.casefold()
    table[_DAY] = local.dt.tz_localize(None).dt.normalize()
    table["completed_display"] = local_display(local)
    return table


def local_times(utc_text: pd.Series, zone: ZoneInfo) -> pd.Series:
    """ISO 8601 UTC text as moments in `zone` (NaT where the text cannot be read)."""
    utc = pd.to_datetime(utc_text.astype("string"), utc=True, errors="coerce", format="ISO8601")
    return utc.dt.tz_convert(zone)


def with_local_display(rows: pd.DataFrame, zone: str) -> pd.DataFrame:
    """The rows with `completed_display`, their completion time as the console shows it."""
    out = rows.copy()
    out["completed_display"] = local_display(local_times(rows["completed_at"], ZoneInfo(zone)))
    return out


def local_display(local: pd.Series) -> pd.Series:
    """How the console shows a moment: local date, time and zone (the one place it is made)."""
    return local.dt.strftime("%Y-%m-%d %H:%M %Z").fillna("")


_FOLDED_NAME, _FOLDED_BADGE, _DAY = "_name_folded", "_badge_folded", "_day"


def _column(table: pd.DataFrame, name: str, make: Callable[[], pd.Series]) -> pd.Series:
    return table[name] if name in table.columns else make()


def filter_completions(table: pd.DataFrame, f: CompletionFilter) -> pd.DataFrame:
    """The rows of a `completions_table` that match every part of the filter."""
    keep = pd.Series(True, index=table.index)
    term = f.search.strip()
    if term:
        # Badges have no spaces, so "ab 12" still finds badge AB12; names keep theirs.
        badge_term = "".join(term.split()).casefold()
        names = _column(table, _FOLDED_NAME, lambda: _text(table["officer_name"]).str.casefold())
        badges = _column(table, _FOLDED_BADGE, lambda: _text(table["badge_number"]).str.casefold())
        in_name = names.str.contains(term.casefold(), regex=False)
        in_badge = badges.str.contains(badge_term, regex=False)
        keep &= in_name | in_badge
    if f.agencies:
        keep &= _text(table["agency"]).isin(f.agencies)
    if f.versions:
        keep &= _text(table["course_version"]).isin(f.versions)
    if f.start is not None or f.end is not None:
        days = _column(
            table, _DAY, lambda: pd.to_datetime(table["completed_date"], errors="coerce")
        )
        if f.start is not None:
            keep &= (days >= pd.Timestamp(f.start)).fillna(False)
        if f.end is not None:
            keep &= (days <= pd.Timestamp(f.end)).fillna(False)
    return table[keep.to_numpy(dtype=bool)].reset_index(drop=True)


def final_outcomes(attempts: pd.DataFrame, final_quiz_id: str) -> pd.DataFrame:
    """Final-assessment attempts and passes per officer: the part of `summary` that depends
    only on the ledger, so the console computes it once per ledger change, not per click."""
    finals = attempts[(_text(attempts["quiz_id"]) == final_quiz_id).to_numpy(dtype=bool)]
    per_attempt = pd.DataFrame(
        {
            "officer": _officer_keys(finals).to_numpy(dtype=object),
            "passed": (_text(finals["passed"]).str.strip().str.casefold() == "true").to_numpy(),
        }
    )
    return per_attempt.groupby("officer").agg(
        final_attempts=("passed", "size"), passed_finals=("passed", "sum")
    )


def summary(
    filtered: pd.DataFrame, attempts: pd.DataFrame, final_quiz_id: str | None = None
) -> Summary:
    """The headline figures for the filtered completions.

    Attempts carry no name and no completion date, so the filter reaches them through the
    officer (badge and agency): the pass rate is that of the final attempts made by the
    officers now in view, including the attempts they failed before passing. `attempts` is
    either the ledger's attempts with the final's id, or `final_outcomes` already computed.
    """
    outcomes = attempts if final_quiz_id is None else final_outcomes(attempts, final_quiz_id)
    officer_keys = _officer_keys(filtered)
    # A hash lookup of the officers in view; Arrow-string `isin` walks values in Python.
    in_view = outcomes.reindex(pd.Index(officer_keys.to_numpy(dtype=object)).unique())
    final_attempts = int(in_view["final_attempts"].sum())
    passed = int(in_view["passed_finals"].sum())
    tries = pd.to_numeric(filtered["attempts"], errors="coerce").dropna()
    return Summary(
        completions=len(filtered),
        officers=officer_keys.nunique(),
        agencies=_text(filtered["agency"]).str.strip().nunique(),
        final_attempts=final_attempts,
        passed_finals=passed,
        pass_rate=passed / final_attempts if final_attempts else None,
        attempts_per_completion=float(tries.mean()) if len(tries) else None,
    )


def weekly_completions(filtered: pd.DataFrame) -> pd.DataFrame:
    """Completions per local week (starting Monday), with the quiet weeks shown as 0.

    A chart that skipped empty weeks would draw a steady line through a month when nobody
    trained; filling them in makes a gap look like a gap.
    """
    days = pd.to_datetime(filtered["completed_date"], errors="coerce").dropna()
    if days.empty:
        return pd.DataFrame(
            {
                "week_start": pd.Series(dtype=object),
                "completions": pd.Series(dtype="int64"),
            }
        )
    mondays = days - pd.to_timedelta(days.dt.day_of_week, unit="D")
    return weeks_filled(mondays.value_counts())


def weeks_filled(counts: pd.Series) -> pd.DataFrame:
    """Completions per week from counts indexed by each week's Monday, quiet weeks as 0."""
    if counts.empty:
        return pd.DataFrame(
            {"week_start": pd.Series(dtype=object), "completions": pd.Series(dtype="int64")}
        )
    counts.index = pd.to_datetime(counts.index)
    weeks = pd.date_range(counts.index.min(), counts.index.max(), freq="7D")
    counts = counts.reindex(weeks, fill_value=0)
    return pd.DataFrame(
        {
            "week_start": pd.Series([ts.date() for ts in weeks], dtype=object),
            "completions": counts.to_numpy(dtype="int64"),
        }
    )


def completions_by_agency(filtered: pd.DataFrame) -> pd.DataFrame:
    """Completions per agency, most first (ties alphabetical, so the order is stable)."""
    counts = _text(filtered["agency"]).str.strip().value_counts()
    table = pd.DataFrame(
        {"agency": counts.index.astype("string"), "completions": counts.to_numpy(dtype="int64")}
    )
    return table.sort_values(
        ["completions", "agency"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)


def question_analysis(
    attempts: pd.DataFrame, course: Course, threshold: float = 0.5
) -> pd.DataFrame:
    """How often each question of the current course was answered correctly.

    A question most officers get wrong is either teaching something badly or asking it badly;
    `flagged` marks those under `threshold` so the Coordinator knows which to review.

    `answers` is read once per attempt and the (question, chosen options) pairs are counted
    as they are; only the few hundred distinct pairs are then checked against the course, so
    the cost grows with the ledger, not with ledger x questions. Answers that cannot count are
    skipped, never fatal: text that is not a JSON object, question ids the current course no
    longer has, and choices that are not option positions of the current question (an older
    course version had other options).
    """
    pairs = _count_answers(attempts["answers"].tolist())
    questions = {q.id: (quiz, q) for quiz in _quizzes_in_order(course) for q in quiz.questions}
    drawn: Counter[str] = Counter()
    correct: Counter[str] = Counter()
    for (question_id, chosen), times in pairs.items():
        found = questions.get(question_id)
        if found is None:
            continue
        positions = _positions(chosen, found[1])
        if positions is None:
            continue
        drawn[question_id] += times
        if positions == found[1].correct_positions:
            correct[question_id] += times
    rows = []
    for order, (question_id, (quiz, question)) in enumerate(questions.items()):
        n, right = drawn[question_id], correct[question_id]
        share = right / n if n else math.nan
        rows.append(
            {
                "quiz_id": quiz.id,
                "question_id": question_id,
                "prompt": question.prompt,
                "drawn": n,
                "correct": right,
                "percent_correct": share * 100,
                "flagged": bool(n and share < threshold),
                "_order": order,
            }
        )
    table = pd.DataFrame(rows, columns=[*QUESTION_COLUMNS, "_order"])
    table = table.astype({"drawn": "int64", "correct": "int64", "percent_correct": "float64"})
    table = table.astype({"flagged": "bool"})
    table = table.sort_values(
        ["flagged", "percent_correct", "_order"],
        ascending=[False, True, True],
        na_position="last",
        kind="stable",
    )
    return table.drop(columns="_order").reset_index(drop=True)


# --- helpers ----------------------------------------------------------------------------------


def _text(column: pd.Series) -> pd.Series:
    """A column as text with missing values as "", so comparisons never meet NA."""
    return column.astype("string").fillna("")


def _officer_keys(table: pd.DataFrame) -> pd.Series:
    """badge|agency as `officers.Officer.key` builds it, so counts agree with the app."""
    badge = _text(table["badge_number"]).str.strip().str.upper()
    agency = _text(table["agency"]).str.strip().str.casefold()
    return badge + "|" + agency


def _quizzes_in_order(course: Course) -> list[Quiz]:
    """The checks in module order, then the final: the order an officer meets them."""
    ordered = [course.check_for(module) for module in course.modules]
    ordered += [q for q in course.quizzes.values() if q.kind == "final"]
    ordered += [q for q in course.quizzes.values() if q not in ordered]
    return ordered


def _count_answers(texts: list[Any]) -> Counter[tuple[str, tuple[object, ...]]]:
    """How many times each (question id, chosen values) pair occurs in the answers column.

    The common row is a JSON object of lists of small ints; it is counted in one C-level
    `Counter.update`. Anything else takes the careful path, which skips what it cannot use.
    """
    counts: Counter[tuple[str, tuple[object, ...]]] = Counter()
    update = counts.update
    loads = json.loads
    for text in texts:
        try:
            data = loads(text)
            pairs = list(zip(data.keys(), map(tuple, data.values()), strict=True))
        except (ValueError, TypeError, AttributeError):
            # Not JSON, not text (a missing cell), not an object, or a value that is no list.
            if isinstance(text, str):
                _count_loosely(counts, text)
            continue
        try:
            update(pairs)
        except TypeError:
            # A choice holding a list or object cannot be counted. Counter.update counted the
            # pairs before it, in order, and stopped there: count the rest, skipping such ones.
            stopped = next(i for i, pair in enumerate(pairs) if not _hashable(pair))
            _count_pairs(counts, pairs[stopped:])
    return counts


def _count_loosely(counts: Counter[tuple[str, tuple[object, ...]]], text: str) -> None:
    """The careful path: one answer at a time, skipping the ones that are not lists."""
    try:
        data = json.loads(text)
    except ValueError:
        return
    if not isinstance(data, dict):
        return
    _count_pairs(
        counts, [(key, tuple(value)) for key, value in data.items() if isinstance(value, list)]
    )


def _count_pairs(
    counts: Counter[tuple[str, tuple[object, ...]]], pairs: list[tuple[str, tuple[object, ...]]]
) -> None:
    for pair in pairs:
        if _hashable(pair):
            counts[pair] += 1


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _positions(chosen: tuple[object, ...], question: Question) -> frozenset[int] | None:
    """The chosen option positions, or None when they are not positions of this question."""
    positions: set[int] = set()
    for i in chosen:
        # `type(...) is int`, not isinstance: JSON true is no option position.
        if type(i) is not int or not 0 <= i < len(question.options):
            return None
        positions.add(i)
    return frozenset(positions)
