"""Every download the coordinator takes away, and `python -m training export`: the one place
they are built.

Completions, the training-records file and the certificates ZIP are read from the Store with
the console's own CompletionQuery (`selection`), never by a read of their own, so that what
the query restricts restricts them too. Each table comes as CSV (`csv`: UTF-8 with a BOM, no
cell a spreadsheet would run as a formula) and as .xlsx (`xlsx`: identifiers as text, real
dates, no formulas); `tables` gives both the same columns; `certificates_zip` streams the
PDFs into a ZIP one at a time.
"""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path
from typing import BinaryIO, Literal
from zoneinfo import ZoneInfo

import pandas as pd

from training.auth import Scope
from training.certificates.pdf import certificate_pdf
from training.content import CourseInfo
from training.exports import selection, tables
from training.exports.certificates_zip import write_certificates_zip
from training.exports.csv import BOM, FORMULA_START, neutralize, safe_csv
from training.exports.xlsx import XLSX_MIME, workbook
from training.storage import CompletionQuery, Store

__all__ = [
    "BOM",
    "EXPORTS",
    "FORMULA_START",
    "MIME",
    "Format",
    "attempts_csv",
    "attempts_file",
    "certificates_file",
    "completions_csv",
    "completions_file",
    "export_query",
    "export_to",
    "neutralize",
    "not_completed_file",
    "records_file",
    "safe_csv",
    "table_file",
    "write_certificates",
]

Format = Literal["csv", "xlsx"]
#: What `python -m training export --format` writes.
EXPORTS = ("completions", "records", "certificates")
MIME: dict[str, str] = {"csv": "text/csv", "xlsx": XLSX_MIME, "zip": "application/zip"}


def table_file(table: tables.Table, fmt: Format, zone: ZoneInfo) -> bytes:
    """The table as CSV or as an .xlsx workbook."""
    return workbook(table, zone) if fmt == "xlsx" else safe_csv(table.frame)


def completions_csv(rows: pd.DataFrame, zone: ZoneInfo) -> bytes:
    """The completions, as stored (UTC timestamps) plus the local completion date."""
    return safe_csv(tables.completions(rows, zone).frame)


def attempts_csv(rows: pd.DataFrame, zone: ZoneInfo) -> bytes:
    """The quiz attempts, as stored (UTC timestamps) plus the local submission date."""
    return safe_csv(tables.attempts(rows, zone).frame)


def completions_file(store: Store, query: CompletionQuery, zone: ZoneInfo, fmt: Format) -> bytes:
    """The selected completions (the console's "Download CSV" and its .xlsx)."""
    return table_file(tables.completions(selection.rows(store, query), zone), fmt, zone)


def attempts_file(store: Store, scope: Scope, zone: ZoneInfo, fmt: Format) -> bytes:
    """Every submitted quiz within the account's scope."""
    return table_file(tables.attempts(store.read_attempts(scope), zone), fmt, zone)


def records_file(
    store: Store, query: CompletionQuery, course: CourseInfo, zone: ZoneInfo, fmt: Format
) -> bytes:
    """The training-records file for the state's records system, one row per selected
    completion (docs/training-records-file.md)."""
    return table_file(tables.records(selection.rows(store, query), course, zone), fmt, zone)


def not_completed_file(outstanding: pd.DataFrame, zone: ZoneInfo, fmt: Format) -> bytes:
    """The roster's officers who still need the course (roster.outstanding)."""
    return table_file(tables.not_completed(outstanding), fmt, zone)


def write_certificates(
    store: Store,
    query: CompletionQuery,
    course: CourseInfo,
    zone: ZoneInfo,
    public_url: str,
    out: BinaryIO,
) -> int:
    """A ZIP of one PDF certificate per selected completion, streamed onto `out` (a file);
    returns how many certificates it holds."""
    return write_certificates_zip(
        selection.records(store, query),
        out,
        lambda record: certificate_pdf(record, course, zone, public_url),
        zone,
    )


def certificates_file(
    store: Store, query: CompletionQuery, course: CourseInfo, zone: ZoneInfo, public_url: str
) -> bytes:
    """The certificates ZIP as the download button hands it over. The archive is built in a
    temporary file, a certificate at a time; only the finished ZIP is read back."""
    with tempfile.TemporaryFile() as spool:
        write_certificates(store, query, course, zone, public_url, spool)
        spool.seek(0)
        return spool.read()


def export_query(
    scope: Scope, zone: ZoneInfo, agency: str | None, since: date | None
) -> CompletionQuery:
    """What `export --agency NAME --since DATE` selects, within `scope`."""
    return CompletionQuery(
        scope=scope, agencies=(agency,) if agency else (), start=since, zone=str(zone)
    )


def export_to(
    out: Path,
    what: str,
    store: Store,
    query: CompletionQuery,
    course: CourseInfo,
    zone: ZoneInfo,
    public_url: str,
) -> int:
    """`python -m training export`: write the selected completions (`what`: completions or
    records, as .xlsx when `out` ends in .xlsx, else CSV; or certificates, a ZIP) to `out`,
    whole or not at all; return how many completions it holds."""
    fmt: Format = "xlsx" if out.suffix.lower() == ".xlsx" else "csv"
    partial = out.with_name(f".{out.name}.partial")
    try:
        with partial.open("wb") as handle:
            if what == "certificates":
                count = write_certificates(store, query, course, zone, public_url, handle)
            else:
                rows = selection.rows(store, query)
                table = (
                    tables.records(rows, course, zone)
                    if what == "records"
                    else tables.completions(rows, zone)
                )
                handle.write(table_file(table, fmt, zone))
                count = len(rows)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return count
