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
from pathlib import Path
from typing import Any, ClassVar

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


def _read(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    dtypes = {c: ("Int64" if c in _NUMERIC else "string") for c in columns}
    if not path.exists() or path.stat().st_size == 0:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in dtypes.items()})
    return pd.read_csv(path, dtype=dtypes, keep_default_na=False, na_values=[], encoding="utf-8")[
        list(columns)
    ]
