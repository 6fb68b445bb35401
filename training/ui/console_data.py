"""The Coordinator's tables, computed once per change of the ledger, not on every click.

Kept in a module rather than the page script so that Streamlit's cache holds on to them. The
store's version (changed by every record added) and the store (one per process) are the cache
key; arguments named with a leading
underscore are not hashed.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from training import reports
from training.content import Course
from training.storage import Store


@st.cache_resource(max_entries=4, show_spinner=False)
def completions_table(_book: Store, store_id: int, version: object, zone: str) -> pd.DataFrame:
    return reports.completions_table(_book.read_completions(), ZoneInfo(zone))


@st.cache_resource(max_entries=4, show_spinner="Counting answers…")
def question_analysis(
    _book: Store, _course: Course, store_id: int, version: object, course_version: str
) -> pd.DataFrame:
    return reports.question_analysis(_book.read_attempts(), _course)


@st.cache_resource(max_entries=4, show_spinner=False)
def final_outcomes(
    _book: Store, store_id: int, version: object, final_quiz_id: str
) -> pd.DataFrame:
    return reports.final_outcomes(_book.read_attempts(), final_quiz_id)


def outcomes(book: Store, course: Course) -> pd.DataFrame:
    return final_outcomes(book, id(book), book.version(), course.final.id)


def tables(book: Store, zone: str) -> pd.DataFrame:
    return completions_table(book, id(book), book.version(), zone)


def questions(book: Store, course: Course) -> pd.DataFrame:
    return question_analysis(book, course, id(book), book.version(), course.version)
