"""The xAPI outbox of the CSV store: derived from the ledger itself, plus a log of what was sent.

A statement is a pure function of its record (training.xapi), so the CSV store keeps no copy
of it: the outbox is every completion and final attempt appended since xAPI was switched on,
less those the sent log names. There is no second write beside the record that a crash could
lose or tear apart from it: a record in the ledger is a statement waiting until it is sent.

Files beside the ledger, written only when a learning record store is configured:
- `xapi-start.json`: where each ledger file ended when xAPI was first used here (made once,
  whole, never changed): records before it are not sent.
- `xapi-sent.log`: append-only, under its lock, fsynced. `sent <statement id>` for each
  statement the LRS holds, and `upto <completions offset> <attempts offset>` once everything
  before those offsets is sent, so that later reads start there rather than at the start.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import secrets
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from training.dates import utc_now
from training.files import exclusive, write_all
from training.record_types import AttemptRecord, CompletionRecord, StoreWriteError
from training.storage.csv_files import LOCK_TIMEOUT_SECONDS, Ledger, _plain_reason, _record
from training.xapi import Statement, StatementMaker

START_FILE = "xapi-start.json"
SENT_FILE = "xapi-sent.log"

logger = logging.getLogger(__name__)


@dataclass
class _SentLog:
    """The sent log as far as it has been read."""

    identity: tuple[int, int] = (0, 0)
    read_to: int = 0
    ids: set[str] = field(default_factory=set)
    upto: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class _Scan:
    """The last read of the ledger that found every waiting statement."""

    ends: tuple[int, int]
    waiting: frozenset[str]


class CsvOutbox:
    """The statements of one results folder's ledger that the LRS does not hold yet."""

    def __init__(self, ledger: Ledger, statements: StatementMaker) -> None:
        self.ledger = ledger
        self.statements = statements
        self.start_path = ledger.results_dir / START_FILE
        self.sent_path = ledger.results_dir / SENT_FILE
        self._lock = threading.Lock()
        self._start: tuple[int, int] | None = None
        self._sent = _SentLog()
        self._scan: _Scan | None = None

    def start(self) -> None:
        """Note where the ledger ends, once: called before a record is appended, so every
        record written while an LRS is configured comes after it. Raises StoreWriteError."""
        if self._start is not None:
            return
        try:
            self._start = self._read_or_make_start()
        except OSError as exc:
            raise StoreWriteError(exc.errno, _plain_reason(exc), str(self.start_path)) from exc

    def _read_or_make_start(self) -> tuple[int, int]:
        try:
            return _parse_start(self.start_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            pass
        self.ledger.results_dir.mkdir(parents=True, exist_ok=True)
        completions, attempts = self.ledger.whole_sizes()
        text = json.dumps(
            {"completions": completions, "attempts": attempts, "started_at": utc_now()}
        )
        # Whole or not at all, and the first process to get there wins (as the secret key).
        tmp = self.start_path.with_name(f"{START_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            os.link(tmp, self.start_path)
        except FileExistsError:
            return _parse_start(self.start_path.read_text(encoding="utf-8"))
        finally:
            tmp.unlink(missing_ok=True)
        return completions, attempts

    def waiting(self, limit: int) -> list[Statement]:
        """Up to `limit` waiting statements, oldest first."""
        self.start()
        with self._lock:
            assert self._start is not None
            sent = self._read_sent()
            begin = (max(self._start[0], sent.upto[0]), max(self._start[1], sent.upto[1]))
            completions, end_c = _rows_after(self.ledger.completions_path, begin[0])
            attempts, end_a = _rows_after(self.ledger.attempts_path, begin[1])
            made: list[Statement] = []
            # Attempts first: a passed final's attempt comes before its completion.
            for row in attempts:
                made += self._statement(row, _attempt)
            for row in completions:
                made += self._statement(row, _record)
            made.sort(key=lambda s: str(s.get("timestamp", "")))
            waiting: list[Statement] = []
            seen: set[str] = set()
            for statement in made:  # a record written twice is one statement
                if statement["id"] not in sent.ids and statement["id"] not in seen:
                    seen.add(statement["id"])
                    waiting.append(statement)
            if len(waiting) <= limit:
                self._scan = _Scan((end_c, end_a), frozenset(s["id"] for s in waiting))
            return waiting[:limit]

    def _statement(
        self,
        row: dict[str, str],
        parse: Callable[[dict[str, str]], AttemptRecord | CompletionRecord],
    ) -> list[Statement]:
        try:
            record = parse(row)
        except (KeyError, ValueError) as exc:
            logger.warning("a ledger row could not be read for xAPI (%s): %r", exc, row)
            return []
        made = self.statements.for_record(record)
        return [] if made is None else [made]

    def mark_sent(self, statement_ids: Sequence[str]) -> None:
        ids = [str(uuid.UUID(i)) for i in statement_ids]
        if not ids:
            return
        self.start()
        with self._lock:
            lines = [f"sent {i}\n" for i in ids]
            scan = self._scan
            if scan is not None and scan.waiting <= (self._read_sent().ids | set(ids)):
                # Everything the last full read found is sent: later reads start past it.
                lines.append(f"upto {scan.ends[0]} {scan.ends[1]}\n")
                self._scan = None
            self._append("".join(lines).encode("ascii"))

    def _append(self, data: bytes) -> None:
        try:
            with exclusive(f"{self.sent_path}.lock", LOCK_TIMEOUT_SECONDS):
                fd = os.open(self.sent_path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
                try:
                    size = os.fstat(fd).st_size
                    if size and os.pread(fd, 1, size - 1) != b"\n":
                        data = b"\n" + data  # a torn line a writer left stays a line apart
                    write_all(fd, data)
                    os.fsync(fd)
                finally:
                    os.close(fd)
        except OSError as exc:
            raise StoreWriteError(exc.errno, _plain_reason(exc), str(self.sent_path)) from exc

    def _read_sent(self) -> _SentLog:
        """The sent log, reading only what was appended since the last read."""
        known = self._sent
        try:
            with self.sent_path.open("rb") as fh:
                stat = os.fstat(fh.fileno())
                identity = (stat.st_dev, stat.st_ino)
                if identity != known.identity or stat.st_size < known.read_to:
                    known = _SentLog(identity)  # new or replaced: read it all
                fh.seek(known.read_to)
                data = fh.read(stat.st_size - known.read_to)
        except FileNotFoundError:
            self._sent = _SentLog()
            return self._sent
        whole = data[: data.rfind(b"\n") + 1]
        for line in whole.decode("ascii", errors="replace").splitlines():
            word, _, rest = line.partition(" ")
            if word == "sent":
                known.ids.add(rest.strip())
            elif word == "upto":
                try:
                    c, a = (int(n) for n in rest.split())
                except ValueError:
                    continue  # a torn line
                known.upto = (max(known.upto[0], c), max(known.upto[1], a))
        known.read_to += len(whole)
        self._sent = known
        return known


def _parse_start(text: str) -> tuple[int, int]:
    data = json.loads(text)
    return int(data["completions"]), int(data["attempts"])


def _rows_after(path: Path, offset: int) -> tuple[list[dict[str, str]], int]:
    """The whole rows from `offset` (the start of a line) on, as the header names them, and
    the offset just past the last of them."""
    try:
        with path.open("rb") as fh:
            header = fh.readline()
            size = os.fstat(fh.fileno()).st_size
            if offset < len(header) or offset > size:
                offset = len(header)  # from the first record (a file put in place anew)
            fh.seek(offset)
            data = fh.read(size - offset)
    except FileNotFoundError:
        return [], offset
    whole = data[: data.rfind(b"\n") + 1]
    columns = next(csv.reader([header.decode("utf-8-sig")]), [])
    rows = [
        dict(zip(columns, values, strict=True))
        for values in csv.reader(
            line.decode("utf-8").rstrip("\r") for line in whole.split(b"\n")[:-1]
        )
        if len(values) == len(columns)
    ]
    return rows, offset + len(whole)


def _attempt(row: dict[str, str]) -> AttemptRecord:
    return AttemptRecord(
        attempt_id=row["attempt_id"],
        submitted_at=row["submitted_at"],
        badge_number=row["badge_number"],
        agency=row["agency"],
        course_id=row["course_id"],
        course_version=row["course_version"],
        quiz_id=row["quiz_id"],
        score_percent=int(row["score_percent"]),
        passed=row["passed"] == "true",
        duration_seconds=int(row["duration_seconds"]),
        answers=row["answers"],
    )
