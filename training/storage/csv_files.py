"""The append-only ledger: results/completions.csv and results/attempts.csv.

Nothing else touches these files. Every write appends one whole line under a file lock and is
flushed and fsynced before it returns, so a caller may tell the officer "saved" once it returns.
There is no read-modify-write anywhere: rows are never edited or deleted.

A writer killed mid-line (or a machine losing power) can leave a last line without its line
ending. That fragment was never acknowledged to anyone. The next append or read notices it (one
byte is checked), moves it to `<file>.quarantine` beside the file, truncates the file back to its
last complete line under the same lock, and logs a warning: complete rows are never touched.
"""

from __future__ import annotations

import csv
import errno
import io
import logging
import os
import re
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import pandas as pd

from training.dates import utc_now
from training.files import exclusive, write_all
from training.record_types import (
    ATTEMPT_COLUMNS,
    ATTEMPTS_FILE,
    COMPLETION_COLUMNS,
    COMPLETIONS_FILE,
    NUMERIC_COLUMNS,
    AttemptRecord,
    CompletionRecord,
    StoreWriteError,
)

LOCK_TIMEOUT_SECONDS = 30
#: Suffix of the file beside each ledger file that keeps torn last lines (see `_repair_tail`).
QUARANTINE_SUFFIX = ".quarantine"
#: How much of the file's end is read at a time when looking back for the last line ending.
_TAIL_CHUNK = 64 * 1024
#: More than any record's line can take: names and agencies are at most 80 characters, and an
#: attempt's answers (the longest field) take about 2 KB for a final of 20 questions.
_LONGEST_LINE = 16384

logger = logging.getLogger(__name__)

# A field may hold any text but control characters: each record must stay on one line.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class _LineBuffer(threading.local):
    """One CSV writer and buffer a thread, reused: a line is made for every record written."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)


_line_buffer = _LineBuffer()


def _csv_text(values: tuple[object, ...]) -> str:
    made = _line_buffer
    made.buffer.seek(0)
    made.buffer.truncate()
    made.writer.writerow(values)
    return made.buffer.getvalue()


def _csv_line(values: tuple[object, ...]) -> bytes:
    return _csv_text(values).encode("utf-8")


#: Each file's columns and header line, by file name.
_LAYOUT: dict[str, tuple[tuple[str, ...], bytes]] = {
    CompletionRecord.FILE: (COMPLETION_COLUMNS, _csv_line(COMPLETION_COLUMNS)),
    AttemptRecord.FILE: (ATTEMPT_COLUMNS, _csv_line(ATTEMPT_COLUMNS)),
}


def _record_line(record: CompletionRecord | AttemptRecord, columns: tuple[str, ...]) -> bytes:
    """The record as one CSV line; a field holding a control character or a line break is
    refused, naming the field: each record must stay on one line."""
    values = tuple(
        ("true" if value else "false") if type(value) is bool else value
        for value in (getattr(record, column) for column in columns)
    )
    text = _csv_text(values)
    # One search of the whole line (its own line ending aside), not one per field.
    if _CONTROL.search(text, 0, len(text) - 2):
        for column, value in zip(columns, values, strict=True):
            if isinstance(value, str) and _CONTROL.search(value):
                raise ValueError(
                    f"{column} holds a control character or line break; it cannot be stored"
                )
    return text.encode("utf-8")


class Ledger:
    """The completion and attempt records in one results directory."""

    def __init__(self, results_dir: Path) -> None:
        self.results_dir = Path(results_dir)
        # Each file's path and lock, made once: they are needed for every record written.
        self._files = {
            name: (self.results_dir / name, f"{self.results_dir / name}.lock")
            for name in (COMPLETIONS_FILE, ATTEMPTS_FILE)
        }

    @property
    def completions_path(self) -> Path:
        return self._files[COMPLETIONS_FILE][0]

    @property
    def attempts_path(self) -> Path:
        return self._files[ATTEMPTS_FILE][0]

    def append_completion(self, record: CompletionRecord) -> None:
        self._append(record)

    def append_attempt(self, record: AttemptRecord) -> None:
        self._append(record)

    def _append(self, record: CompletionRecord | AttemptRecord) -> None:
        columns, header = _LAYOUT[record.FILE]
        line = _record_line(record, columns)
        path, lock = self._files[record.FILE]
        try:
            try:
                with exclusive(lock, LOCK_TIMEOUT_SECONDS):
                    _append_locked(path, header, line)
            except FileNotFoundError:  # the first record here, or the folder was removed
                self.results_dir.mkdir(parents=True, exist_ok=True)
                with exclusive(lock, LOCK_TIMEOUT_SECONDS):
                    _append_locked(path, header, line)
        except OSError as exc:
            raise StoreWriteError(exc.errno, _plain_reason(exc), str(path)) from exc

    def append_completion_once(self, record: CompletionRecord) -> CompletionRecord:
        """Append the completion unless the officer already has one for its course and course
        version; return the one kept. Checked and written under the file's lock, so two tabs
        or two processes finishing at once end with one row."""
        columns, header = _LAYOUT[COMPLETIONS_FILE]
        line = _record_line(record, columns)
        path, lock = self._files[COMPLETIONS_FILE]
        try:
            try:
                with exclusive(lock, LOCK_TIMEOUT_SECONDS):
                    return _append_unless_recorded(path, header, line, record)
            except FileNotFoundError:  # the first record here, or the folder was removed
                self.results_dir.mkdir(parents=True, exist_ok=True)
                with exclusive(lock, LOCK_TIMEOUT_SECONDS):
                    return _append_unless_recorded(path, header, line, record)
        except OSError as exc:
            raise StoreWriteError(exc.errno, _plain_reason(exc), str(path)) from exc

    def write_problem(self) -> str | None:
        """Why records cannot be saved here right now (None when they can): checked before an
        officer starts, so nobody works through the course only to lose the result."""
        probe = self.results_dir / f".write-check-{uuid.uuid4().hex}"
        try:
            self.results_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                os.write(fd, b"ok\n")
                os.fsync(fd)
            finally:
                os.close(fd)
            try:
                with exclusive(probe, LOCK_TIMEOUT_SECONDS):
                    pass  # every record is written under a file lock: the folder must allow one
            finally:
                probe.unlink(missing_ok=True)
        except OSError as exc:
            return _plain_reason(exc)
        return None

    def version(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """Changes whenever either file changes: a key for anything computed from them."""
        return (_stamp(self.completions_path), _stamp(self.attempts_path))

    def read_completions(self) -> pd.DataFrame:
        return _read(self.completions_path, COMPLETION_COLUMNS)

    def read_attempts(self) -> pd.DataFrame:
        return _read(self.attempts_path, ATTEMPT_COLUMNS)

    def whole_sizes(self) -> tuple[int, int]:
        """Where the next completion and the next attempt will be written: each file's length
        up to its last line ending, read under its lock (a torn tail a writer left is cut off
        by the next append, so a later record starts there)."""
        sizes = []
        for name in (COMPLETIONS_FILE, ATTEMPTS_FILE):
            path, lock = self._files[name]
            with exclusive(lock, LOCK_TIMEOUT_SECONDS):
                try:
                    fd = os.open(path, os.O_RDONLY)
                except FileNotFoundError:
                    sizes.append(0)
                    continue
                try:
                    sizes.append(_complete_length(fd, os.fstat(fd).st_size))
                finally:
                    os.close(fd)
        return sizes[0], sizes[1]

    def completions_size(self) -> int:
        """The completions file's size now: a later completion can only be found after it."""
        return _stamp(self.completions_path)[1]

    def attempts_size(self) -> int:
        """The attempts file's size now: a later attempt can only be found after it."""
        return _stamp(self.attempts_path)[1]

    def completion_since(
        self,
        badge_number: str,
        agency: str,
        course_id: str,
        since: str,
        excluding: frozenset[str] = frozenset(),
        after: int = 0,
    ) -> CompletionRecord | None:
        """The officer's first completion of the course recorded at or after `since` (ISO UTC)
        and not among `excluding` (record ids), if any: how a second tab learns the course was
        already completed in the first.

        `after` is the file's size when the officer's run began (`completions_size`): records
        are only ever appended, so the file is read from a little before it, not whole.
        """
        for row in _officer_rows(self.completions_path, badge_number, agency, course_id, after):
            if row.get("completed_at", "") >= since and row.get("record_id") not in excluding:
                return _record(row)
        return None

    def attempts_since(
        self, badge_number: str, agency: str, course_id: str, since: str, after: int = 0
    ) -> list[dict[str, str]]:
        """The officer's attempts at the course submitted at or after `since` (ISO UTC), read
        from a little before `after` (`attempts_size` when their session last caught up), in
        the order they were written: how a saved place catches up with the ledger."""
        rows = _officer_rows(self.attempts_path, badge_number, agency, course_id, after)
        return [row for row in rows if row.get("submitted_at", "") >= since]

    def find_certificate(self, code: str) -> CompletionRecord | None:
        table = self.read_completions()
        match = table[table["certificate_code"] == code]
        if match.empty:
            return None
        return _record(match.iloc[0])


def _append_unless_recorded(
    path: Path, header: bytes, line: bytes, record: CompletionRecord
) -> CompletionRecord:
    """The caller holds the completions lock."""
    earlier = _recorded_completion(path, record)
    if earlier is not None:
        return earlier
    _append_locked(path, header, line)
    return record


@dataclass
class _KeyIndex:
    """Where each officer's completion of each course version is in a completions file, as
    far as it has been read: the rule "one per officer and course version" is checked on every
    passed final, and reading years of records each time would cost the click."""

    identity: tuple[int, int]
    parsed_to: int
    seam: bytes
    columns: tuple[str, ...]
    offsets: dict[tuple[str, str, str, str], int]


_KEY_FIELDS = ("badge_number", "agency", "course_id", "course_version")
_key_indexes: dict[Path, _KeyIndex] = {}


def _recorded_completion(path: Path, record: CompletionRecord) -> CompletionRecord | None:
    """The completion already kept for the record's officer and course version. The caller
    holds the lock, so the file does not change meanwhile."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        stat = os.fstat(fd)
        index = _key_indexes.get(path)
        identity = (stat.st_dev, stat.st_ino)
        if (
            index is None
            or index.identity != identity
            or stat.st_size < index.parsed_to
            or _pread_all(fd, len(index.seam), index.parsed_to - len(index.seam)) != index.seam
        ):
            index = _KeyIndex(identity, 0, b"", (), {})  # new, replaced or rewritten: read all
        if stat.st_size > index.parsed_to:
            _index_lines(index, _pread_all(fd, stat.st_size - index.parsed_to, index.parsed_to))
        _key_indexes[path] = index
        at = index.offsets.get(
            (record.badge_number, record.agency, record.course_id, record.course_version)
        )
        if at is None:
            return None
        end = at + _LONGEST_LINE
        line = _pread_all(fd, min(end, index.parsed_to) - at, at).split(b"\n", 1)[0]
    finally:
        os.close(fd)
    values = next(csv.reader([line.decode("utf-8").rstrip("\r")]))
    return _record(dict(zip(index.columns, values, strict=False)))


def _index_lines(index: _KeyIndex, data: bytes) -> None:
    """Add the whole lines of `data` (read from index.parsed_to on) to the index."""
    whole = data[: data.rfind(b"\n") + 1]
    if not whole:
        return
    lines = whole.split(b"\n")[:-1]
    offset = index.parsed_to
    if not index.columns:
        index.columns = tuple(next(csv.reader([lines[0].decode("utf-8-sig").rstrip("\r")])))
        offset += len(lines[0]) + 1
        lines = lines[1:]
    where = [index.columns.index(f) for f in _KEY_FIELDS]
    starts = []
    for line in lines:
        starts.append(offset)
        offset += len(line) + 1
    rows = csv.reader(line.decode("utf-8").rstrip("\r") for line in lines)
    for start, values in zip(starts, rows, strict=True):
        if len(values) == len(index.columns):
            key = (values[where[0]], values[where[1]], values[where[2]], values[where[3]])
            index.offsets.setdefault(key, start)
    index.parsed_to += len(whole)
    index.seam = (index.seam + whole)[-_SEAM_BYTES:]


def _officer_rows(
    path: Path, badge_number: str, agency: str, course_id: str, after: int
) -> list[dict[str, str]]:
    """The whole rows of one officer's course in a ledger file, from a little before `after`
    (a size the file had earlier) on: records are only ever appended."""
    try:
        with path.open("rb") as fh:
            header = fh.readline()
            # Back a little: a torn line at `after` may since have been taken back. A file now
            # shorter than `after` was replaced: read it all.
            start = after - _LONGEST_LINE
            if after <= os.fstat(fh.fileno()).st_size and start > fh.tell():
                fh.seek(start)
                fh.readline()  # on to the next whole line
            data = fh.read()
    except FileNotFoundError:
        return []
    columns = next(csv.reader([header.decode("utf-8-sig")]), [])
    needle = _csv_line((badge_number,)).rstrip(b"\r\n")
    # Only whole lines; a line without the badge's bytes cannot be the officer's.
    whole = data[: data.rfind(b"\n") + 1]
    lines: list[bytes] = []
    # Jump from one occurrence of the badge to the next rather than splitting every line: the
    # whole file is read when a completion is checked for, and few lines are the officer's.
    at = whole.find(needle)
    while at >= 0:
        start = whole.rfind(b"\n", 0, at) + 1
        end = whole.find(b"\n", at) + 1
        lines.append(whole[start:end].rstrip(b"\r\n"))
        at = whole.find(needle, end)
    rows = []
    for values in csv.reader(line.decode("utf-8") for line in lines):
        row = dict(zip(columns, values, strict=False))
        if (
            len(values) == len(columns)
            and row.get("badge_number") == badge_number
            and row.get("agency") == agency
            and row.get("course_id") == course_id
        ):
            rows.append(row)
    return rows


def _record(row: pd.Series | dict[str, str]) -> CompletionRecord:
    values: dict[str, Any] = {
        c: int(row[c]) if c in NUMERIC_COLUMNS else str(row[c]) for c in COMPLETION_COLUMNS
    }
    return CompletionRecord(**values)


def _append_locked(path: Path, header: bytes, line: bytes) -> None:
    """Append one whole line (after the header, in a new file). The caller holds the lock.

    A torn line can only ever be the last one, by construction: every writer holds the lock,
    first repairs a torn tail left by a writer that died (`_repair_tail`), then hands the whole
    line to a single os.write (looping only on a short write), and on any failure truncates the
    file back to where it started. Nothing is ever written after a fragment.
    """
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        size = _repair_tail(fd, path)
        data = header + line if size == 0 else line
        try:
            write_all(fd, data)
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


def _pread_all(fd: int, length: int, offset: int) -> bytes:
    chunks: list[bytes] = []
    while length > 0:
        chunk = os.pread(fd, length, offset)
        if not chunk:
            break
        chunks.append(chunk)
        length -= len(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def _ends_with_newline(fd: int, size: int) -> bool:
    return size == 0 or os.pread(fd, 1, size - 1) == b"\n"


def _repair_tail(fd: int, path: Path) -> int:
    """Quarantine a last line that has no line ending; return the file's (new) size.

    The caller holds the file's lock and opened `fd` for reading and writing. Only the last byte
    is read when the file is whole, so appending stays fast.
    """
    size = os.fstat(fd).st_size
    if _ends_with_newline(fd, size):
        return size
    keep = _complete_length(fd, size)
    fragment = _pread_all(fd, size - keep, keep)
    quarantine = path.with_name(path.name + QUARANTINE_SUFFIX)
    _quarantine(quarantine, path.name, keep, fragment)
    # The fragment is safe on disk before it leaves the ledger: a crash in between leaves it in
    # both places (quarantined twice at worst), never in neither.
    os.ftruncate(fd, keep)
    os.fsync(fd)
    logger.warning(
        "%s ended in a torn line (a writer stopped mid-record): %d bytes quarantined in %s",
        path,
        len(fragment),
        quarantine,
    )
    return keep


def _complete_length(fd: int, size: int) -> int:
    """The length of the file's complete lines: just past its last line ending (0 if none)."""
    end = size
    while end > 0:
        start = max(0, end - _TAIL_CHUNK)
        newline = _pread_all(fd, end - start, start).rfind(b"\n")
        if newline >= 0:
            return start + newline + 1
        end = start
    return 0


def _quarantine(quarantine: Path, name: str, offset: int, fragment: bytes) -> None:
    """Append the fragment to the quarantine file: a note line, then the fragment's bytes as they
    were (they hold no line feed), then a line feed."""
    note = (
        f"# {utc_now()} {name}: {len(fragment)} bytes at byte {offset} had no line ending\n"
    ).encode()
    fd = os.open(quarantine, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        before = os.fstat(fd).st_size
        try:
            write_all(fd, note + fragment + b"\n")
            os.fsync(fd)
        except OSError:
            os.ftruncate(fd, before)
            raise
    finally:
        os.close(fd)
    if before == 0:
        _fsync_dir(quarantine.parent)


def _repair_for_reading(path: Path) -> None:
    """Take the lock and quarantine a torn last line; a reader carries on if it cannot."""
    try:
        with exclusive(f"{path}.lock", LOCK_TIMEOUT_SECONDS):
            fd = os.open(path, os.O_RDWR)
            try:
                _repair_tail(fd, path)
            finally:
                os.close(fd)
    except FileNotFoundError:
        pass
    except OSError as exc:  # read-only folder, lock held too long, ...: read what is whole
        logger.warning("%s ends in a torn line that could not be quarantined: %s", path, exc)


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
        if not _tail_is_whole(path, stat.st_size):
            # Repair (under the lock) before parsing: it changes the size, so the cache key too.
            _repair_for_reading(path)
            stat = path.stat()
    except FileNotFoundError:
        return _empty(columns)
    if stat.st_size == 0:
        return _empty(columns)
    return _parsed_table(path, columns, stat)


def _tail_is_whole(path: Path, size: int) -> bool:
    """Whether the file ends with a line ending; read without the lock, so only a hint."""
    fd = os.open(path, os.O_RDONLY)
    try:
        return _ends_with_newline(fd, size)
    finally:
        os.close(fd)


def _empty(columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=_dtype(c)) for c in columns})


def _dtype(column: str) -> str:
    return "Int64" if column in NUMERIC_COLUMNS else "string"


@dataclass(frozen=True)
class _Parsed:
    """A ledger file as far as it has been parsed."""

    identity: tuple[int, int]  # (device, inode): a file put in its place is read afresh
    mtime_ns: int
    size: int
    parsed_to: int  # the offset just after the last whole line parsed
    seam: bytes  # the bytes just before parsed_to, to tell an append from a rewrite
    header: tuple[str, ...]
    table: pd.DataFrame


#: How many bytes before the parsed end must be unchanged for new bytes to count as appended.
_SEAM_BYTES = 256
#: Parsed files kept (tests open many results folders; the app uses two files).
_PARSED_KEPT = 8
_parsed: OrderedDict[tuple[Path, tuple[str, ...]], _Parsed] = OrderedDict()
_parsed_lock = threading.Lock()


def _parsed_table(path: Path, columns: tuple[str, ...], stat: os.stat_result) -> pd.DataFrame:
    """Parse only what was appended since the last read: after each new record an officer's
    duplicate check and the console parse one line, not years of records again."""
    key = (path, columns)
    identity = (stat.st_dev, stat.st_ino)
    with _parsed_lock:
        known = _parsed.get(key)
    if known is not None and (known.identity, known.mtime_ns, known.size) == (
        identity,
        stat.st_mtime_ns,
        stat.st_size,
    ):
        return known.table
    grown = known is not None and known.identity == identity and stat.st_size > known.size
    with path.open("rb") as fh:
        parsed = _parse_appended(fh, known, stat) if grown and known else None
        if parsed is None:
            parsed = _parse_whole(fh, columns, stat)
    with _parsed_lock:
        _parsed[key] = parsed
        _parsed.move_to_end(key)
        while len(_parsed) > _PARSED_KEPT:
            _parsed.popitem(last=False)
    return parsed.table


def forget_parsed_files() -> None:
    """Parse every file afresh on its next read (the benchmarks time a first read)."""
    with _parsed_lock:
        _parsed.clear()


def _parse_whole(fh: BinaryIO, columns: tuple[str, ...], stat: os.stat_result) -> _Parsed:
    identity = (stat.st_dev, stat.st_ino)
    fh.seek(0)
    data = fh.read(stat.st_size)
    # Only complete lines: a torn tail that could not be quarantined, or a line being written
    # right now by another process, is not parsed.
    whole = data[: data.rfind(b"\n") + 1]
    if not whole:
        return _Parsed(identity, stat.st_mtime_ns, stat.st_size, 0, b"", (), _empty(columns))
    table = _parse_lines(whole, columns)
    header = tuple(str(c) for c in table.columns)
    seam = whole[-_SEAM_BYTES:]
    return _Parsed(
        identity, stat.st_mtime_ns, stat.st_size, len(whole), seam, header, table[list(columns)]
    )


def _parse_appended(fh: BinaryIO, known: _Parsed, stat: os.stat_result) -> _Parsed | None:
    """The known table plus the lines appended after it; None when the file was rewritten."""
    if not known.header:
        return None
    start = known.parsed_to - len(known.seam)
    fh.seek(start)
    data = fh.read(stat.st_size - start)
    if not data.startswith(known.seam):
        return None
    new = data[len(known.seam) :]
    whole = new[: new.rfind(b"\n") + 1]
    table = known.table
    if whole:
        # Records never hold a line break (see _cell), so every line ending ends a record.
        columns = tuple(str(c) for c in table.columns)
        added = _parse_lines(whole, columns, names=known.header)
        table = pd.concat([table, added[list(columns)]], ignore_index=True)
    seam = (known.seam + whole)[-_SEAM_BYTES:]
    return _Parsed(
        known.identity,
        stat.st_mtime_ns,
        stat.st_size,
        known.parsed_to + len(whole),
        seam,
        known.header,
        table,
    )


def _parse_lines(
    lines: bytes, columns: tuple[str, ...], names: tuple[str, ...] | None = None
) -> pd.DataFrame:
    """Whole CSV lines as a table, every cell kept as written; `names` when the lines are not
    the file's first and so carry no header."""
    return pd.read_csv(
        io.BytesIO(lines),
        header=None if names is not None else "infer",
        names=None if names is None else list(names),
        dtype={c: _dtype(c) for c in columns},
        keep_default_na=False,
        na_values=[],
        encoding="utf-8",
    )
