"""The Coordinator's tables, kept between clicks until a record is added.

Kept in a module rather than the page script so that Streamlit's cache holds on to them. The
store (one per process), its version (changed by every record added) and the account's scope
(in the query, or an argument of its own) are the cache key: a table made for one account is
never handed to another that may see less. Arguments named with a leading underscore are not
hashed.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from training import refresher, reports
from training.auth import Scope
from training.content import Course
from training.storage import CompletionQuery, ConsoleView, Store


@st.cache_resource(max_entries=4, show_spinner=False)
def _choices(
    _book: Store, store_id: int, version: object, scope: Scope
) -> tuple[tuple[str, ...], ...]:
    return _book.completion_choices(scope)


@st.cache_resource(max_entries=16, show_spinner=False)
def _view(
    _book: Store, store_id: int, version: object, query: CompletionQuery, final: str, limit: int
) -> ConsoleView:
    return _book.console_view(query, final, limit)


@st.cache_resource(max_entries=4, show_spinner="Counting answers…")
def question_analysis(
    _book: Store,
    _course: Course,
    store_id: int,
    version: object,
    course_version: str,
    scope: Scope,
) -> pd.DataFrame:
    return reports.question_analysis(_book.read_attempts(scope), _course)


def choices(book: Store, scope: Scope) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The agencies and course versions to filter by: only those within the scope."""
    agencies, versions = _choices(book, id(book), book.version(), scope)
    return agencies, versions


def view(book: Store, query: CompletionQuery, final_quiz_id: str, limit: int) -> ConsoleView:
    """The figures, charts and first rows for the query (computed once per query and change)."""
    return _view(book, id(book), book.version(), query, final_quiz_id, limit)


@st.cache_resource(max_entries=8, show_spinner=False)
def _page(
    _book: Store, store_id: int, version: object, query: CompletionQuery, page: int, size: int
) -> pd.DataFrame:
    rows = _book.query_completions(query, (page - 1) * size, size).rows
    return reports.with_local_display(rows, query.zone)


def page(book: Store, query: CompletionQuery, number: int, size: int) -> pd.DataFrame:
    """The number-th page (from 1) of the matching completions, with local display times."""
    return _page(book, id(book), book.version(), query, number, size)


def questions(book: Store, course: Course, scope: Scope) -> pd.DataFrame:
    """How often each question was answered correctly in the scope's attempts."""
    return question_analysis(book, course, id(book), book.version(), course.version, scope)


@st.cache_resource(max_entries=4, show_spinner=False)
def _completions(
    _book: Store, store_id: int, version: object, query: CompletionQuery
) -> pd.DataFrame:
    return _book.query_completions(query).rows


def completions(book: Store, query: CompletionQuery) -> pd.DataFrame:
    """Every completion the query selects (read once per query and change)."""
    return _completions(book, id(book), book.version(), query)


def _everyone(query: CompletionQuery) -> CompletionQuery:
    # An officer's latest completion may lie outside the dates, versions or search shown:
    # the filters go, and whatever else the query holds (the agencies it may see) stays.
    return replace(query, search="", start=None, end=None, versions=())


def officers_due(book: Store, query: CompletionQuery, months: int, today: date) -> int:
    """How many officers in the selection are due again (refresher_months)."""
    return refresher.officers_due(
        completions(book, query),
        completions(book, _everyone(query)),
        months,
        ZoneInfo(query.zone),
        today,
    )


def statuses(
    book: Store, query: CompletionQuery, rows: pd.DataFrame, months: int, today: date
) -> pd.Series:
    """The Status column for `rows` of the selection: due again, or completed again later."""
    return refresher.console_status(
        rows, completions(book, _everyone(query)), months, ZoneInfo(query.zone), today
    )
