"""The append-only ledger: results/completions.csv and results/attempts.csv.

Nothing else touches these files. Every write appends one whole line under a file lock and is
flushed and fsynced before it returns, so a caller may tell the officer "saved" once it returns.
There is no read-modify-write anywhere: rows are never edited or deleted.
"""

from __future__ import annotations

import csv
import errno
import io
import os
import re
import uuid
from dataclasses import astuple, dataclass, fields
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import pandas as pd
from filelock import FileLock

COMPLETIONS_FILE = "completions.csv"
ATTEMPTS_FILE = "attempts.csv"
LOCK_TIMEOUT_SECONDS = 30

# A field may hold any text but control characters: each record must stay on one line.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class CompletionRecord:
    """One passed course. Field order is the column order of completions.csv."""

    FILE: ClassVar[str] = COMPLETIONS_FILE

    record_id: str
    completed_at: str
    officer_name: str
    badge_number: str
    agency: str
    course_id: str
    course_version: str
    score_percent: int
    attempts: int
    seat_time_minutes: int
    certificate_code: str


@dataclass(frozen=True)
class AttemptRecord:
    """One submitted quiz, passed or not. Field order is the column order of attempts.csv."""

    FILE: ClassVar[str] = ATTEMPTS_FILE

    attempt_id: str
    submitted_at: str
    badge_number: str
    agency: str
    course_id: str
    course_version: str
    quiz_id: str
    score_percent: int
    passed: bool
    duration_seconds: int
    answers: str


COMPLETION_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(CompletionRecord))
ATTEMPT_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(AttemptRecord))
# Columns read back as numbers; everything else stays text (a badge "007" keeps its zeros).
_NUMERIC = {"score_percent", "attempts", "seat_time_minutes", "duration_seconds"}


class LedgerWriteError(OSError):
    """A record could not be saved; nothing partial was left in the file."""


def utc_now() -> str:
    """The current time as stored in the ledger: ISO 8601, UTC, whole seconds."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_id() -> str:
    return uuid.uuid4().hex


def _csv_line(values: tuple[object, ...]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL).writerow(values)
    return buffer.getvalue().encode("utf-8")


def _cell(value: object, column: str) -> object:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and _CONTROL.search(value):
        raise ValueError(f"{column} holds a control character or line break; it cannot be stored")
    return value


class Ledger:
    """The completion and attempt records in one results directory."""

    def __init__(self, results_dir: Path) -> None:
        self.results_dir = Path(results_dir)

    @property
    def completions_path(self) -> Path:
        return self.results_dir / COMPLETIONS_FILE

    @property
    def attempts_path(self) -> Path:
        return self.results_dir / ATTEMPTS_FILE

    def append_completion(self, record: CompletionRecord) -> None:
        self._append(record)

    def append_attempt(self, record: AttemptRecord) -> None:
        self._append(record)

    def _append(self, record: CompletionRecord | AttemptRecord) -> None:
        columns = tuple(f.name for f in fields(record))
        line = _csv_line(tuple(_cell(v, c) for v, c in zip(astuple(record), columns, strict=True)))
        path = self.results_dir / record.FILE
        try:
            self.results_dir.mkdir(parents=True, exist_ok=True)
            with FileLock(f"{path}.lock", timeout=LOCK_TIMEOUT_SECONDS):
                _append_locked(path, _csv_line(columns), line)
        except OSError as exc:
            raise LedgerWriteError(exc.errno, _plain_reason(exc), str(path)) from exc

    def version(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """Changes whenever either file changes: a key for anything computed from them."""
        return (_stamp(self.completions_path), _stamp(self.attempts_path))

    def read_completions(self) -> pd.DataFrame:
        return _read(self.completions_path, COMPLETION_COLUMNS)

    def read_attempts(self) -> pd.DataFrame:
        return _read(self.attempts_path, ATTEMPT_COLUMNS)

    def find_certificate(self, code: str) -> CompletionRecord | None:
        table = self.read_completions()
        match = table[table["certificate_code"] == code]
        if match.empty:
            return None
        row = match.iloc[0]
        values: dict[str, Any] = {
            c: int(row[c]) if c in _NUMERIC else str(row[c]) for c in COMPLETION_COLUMNS
        }
        return CompletionRecord(**values)


def _append_locked(path: Path, header: bytes, line: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        size = os.fstat(fd).st_size
        if size == 0:
            data = header + line
        elif _last_byte(path, size) != b"\n":
            # A writer died mid-line before us: start on a fresh line so this record is whole.
            data = b"\r\n" + line
        else:
            data = line
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        except OSError:
            # Disk full or failing: take back what was written, so no partial line remains.
            os.ftruncate(fd, size)
            os.fsync(fd)
            raise
    finally:
        os.close(fd)
    if size == 0:
        _fsync_dir(path.parent)


def _last_byte(path: Path, size: int) -> bytes:
    with path.open("rb") as fh:
        fh.seek(size - 1)
        return fh.read(1)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _plain_reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return "the results folder cannot be written to"
    return exc.strerror or str(exc)


def _stamp(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return (0, 0)
    return (stat.st_mtime_ns, stat.st_size)


def _read(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    """The file as a table, parsed again only when its size or modification time changes.

    The table is shared by every caller until then: treat it as read-only (filter, never
    assign into it).
    """
    try:
        stat = path.stat()
    except FileNotFoundError:
        return _empty(columns)
    if stat.st_size == 0:
        return _empty(columns)
    return _read_cached(path, columns, stat.st_mtime_ns, stat.st_size)


def _empty(columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=_dtype(c)) for c in columns})


def _dtype(column: str) -> str:
    return "Int64" if column in _NUMERIC else "string"


@lru_cache(maxsize=8)
def _read_cached(path: Path, columns: tuple[str, ...], mtime_ns: int, size: int) -> pd.DataFrame:
    table = pd.read_csv(
        path,
        dtype={c: _dtype(c) for c in columns},
        keep_default_na=False,
        na_values=[],
        encoding="utf-8",
    )
    return table[list(columns)]


# --- exports for the Coordinator ------------------------------------------------------------

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
