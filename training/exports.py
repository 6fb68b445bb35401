"""Every download the coordinator takes away, read from a Store: CSV that opens cleanly in
Excel (UTF-8 with a BOM, RFC 4180 quoting, no cell a spreadsheet would run as a formula), with
the columns of DESIGN.md and a local date beside each UTC timestamp.

The functions here format rows; which rows is the Store's answer to a scoped query (the
console's `CompletionQuery`, or `read_attempts(scope)`), so a download holds exactly what the
account may see."""

from __future__ import annotations

import csv
import io
from datetime import date
from zoneinfo import ZoneInfo

import pandas as pd

from training.auth import Scope
from training.record_types import ATTEMPT_COLUMNS, COMPLETION_COLUMNS
from training.storage import CompletionQuery, Store

#: A spreadsheet treats a cell starting with one of these as a formula (or strips it into one).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def neutralize(value: str) -> str:
    """Text that a spreadsheet will show as text: a leading apostrophe before formula starts."""
    return "'" + value if value.startswith(FORMULA_START) else value


def safe_csv(table: pd.DataFrame) -> bytes:
    """CSV bytes that open cleanly in Excel: UTF-8 with a BOM (accents survive), RFC 4180
    quoting, and no text cell that a spreadsheet would run as a formula."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([neutralize(str(c)) for c in table.columns])
    text_columns = [
        i
        for i, dtype in enumerate(table.dtypes)
        if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
    ]
    for row in table.itertuples(index=False, name=None):
        cells = ["" if pd.isna(v) else v for v in row]
        for i in text_columns:
            cells[i] = neutralize(str(cells[i]))
        writer.writerow(cells)
    return buffer.getvalue().encode("utf-8")


def _with_local_date(
    table: pd.DataFrame, columns: tuple[str, ...], stamp: str, zone: ZoneInfo
) -> pd.DataFrame:
    out = table.loc[:, list(columns)].copy()
    moments = pd.to_datetime(out[stamp], utc=True, errors="coerce")
    out[f"{stamp.removesuffix('_at')}_date_local"] = (
        moments.dt.tz_convert(zone).dt.strftime("%Y-%m-%d").fillna("")
    )
    return out


def completions_csv(table: pd.DataFrame, zone: ZoneInfo) -> bytes:
    """The completions, as stored (UTC timestamps) plus the local completion date."""
    return safe_csv(_with_local_date(table, COMPLETION_COLUMNS, "completed_at", zone))


def attempts_csv(table: pd.DataFrame, zone: ZoneInfo) -> bytes:
    """The quiz attempts, as stored (UTC timestamps) plus the local submission date."""
    return safe_csv(_with_local_date(table, ATTEMPT_COLUMNS, "submitted_at", zone))


def export_completions(
    store: Store,
    scope: Scope,
    zone: ZoneInfo,
    agency: str | None = None,
    since: date | None = None,
) -> bytes:
    """The completions CSV for `python -m training export`, filtered where they are kept:
    within the scope, one agency (as written), completed on or after a local date."""
    query = CompletionQuery(
        scope=scope, agencies=(agency,) if agency else (), start=since, zone=str(zone)
    )
    return completions_csv(store.query_completions(query).rows, zone)
