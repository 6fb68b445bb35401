"""The completions a download is made of: the console's current selection, read through the
Store with the very CompletionQuery the console's table uses, so that whatever the query
restricts (filters, and the agencies an account may see) restricts every download too."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pandas as pd

from training.record_types import COMPLETION_COLUMNS, NUMERIC_COLUMNS, CompletionRecord
from training.storage import CompletionQuery, Store

#: Completions read a page at a time where a download handles them one by one.
PAGE_SIZE = 500


def rows(store: Store, query: CompletionQuery) -> pd.DataFrame:
    """Every completion the query selects, oldest first."""
    return store.query_completions(query).rows


def records(
    store: Store, query: CompletionQuery, page_size: int = PAGE_SIZE
) -> Iterator[CompletionRecord]:
    """The selected completions one at a time, read from the store a page at a time. A
    completion recorded while this runs is not among them: the count is taken first."""
    first = store.query_completions(query, 0, page_size)
    total = first.total
    page, offset = first.rows, 0
    while offset < total and len(page):
        for row in page.head(total - offset).to_dict("records"):
            yield as_record(row)
        offset += len(page)
        if offset < total:
            page = store.query_completions(query, offset, page_size).rows


def as_record(row: Mapping[Any, Any]) -> CompletionRecord:
    """A row of the completions table as the record it was stored as."""
    values: dict[str, Any] = {}
    for column in COMPLETION_COLUMNS:
        value = row[column]
        if column in NUMERIC_COLUMNS:
            values[column] = 0 if pd.isna(value) else int(value)
        else:
            values[column] = "" if pd.isna(value) else str(value)
    return CompletionRecord(**values)
