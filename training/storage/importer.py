"""`python -m training import-csv DIR`: a CSV results folder into the database.

Every row of both files is checked before anything is written; one bad row stops the import,
named by file and line, and nothing is imported. The rows then go in one transaction, each
insert skipping a record the database already holds: importing twice adds nothing. Officers'
saved places (progress/*.json) come along, so they resume on the database (the resume tokens
are keyed with TRAINING_SECRET_KEY: use the key the CSV site used).
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg

from training.certificates.codes import is_genuine_form
from training.progress import PROGRESS_DIR, Progress
from training.record_types import (
    ATTEMPT_COLUMNS,
    ATTEMPTS_FILE,
    COMPLETION_COLUMNS,
    COMPLETIONS_FILE,
)
from training.storage import folding
from training.storage.csv_files import Ledger

_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_NUMBERS = {
    "score_percent": (0, 100),
    "attempts": (0, 10**6),
    "seat_time_minutes": (0, 10**6),
    "duration_seconds": (0, 10**9),
}


class ImportProblem(ValueError):
    """A row that cannot be imported: `path:line: message`."""


@dataclass(frozen=True)
class Imported:
    completions: int
    attempts: int
    places: int
    #: Rows the database already held (an earlier import, or the same officer and version).
    skipped: int


def _rows(path: Path, columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
    if not path.exists():
        return []
    out: list[tuple[Any, ...]] = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, strict=True)
        try:
            header = tuple(next(reader, []))
            if header != columns:
                raise ImportProblem(f"{path}:1: the header is not {','.join(columns)}")
            for values in reader:
                out.append(_checked(path, reader.line_num, columns, values))
        except csv.Error as exc:
            raise ImportProblem(f"{path}:{reader.line_num}: not valid CSV: {exc}") from exc
    return out


def _checked(path: Path, line: int, columns: tuple[str, ...], values: list[str]) -> tuple[Any, ...]:
    if len(values) != len(columns):
        raise ImportProblem(f"{path}:{line}: {len(values)} fields, expected {len(columns)}")
    row: list[Any] = []
    for column, value in zip(columns, values, strict=True):
        where = f"{path}:{line}: {column}"
        if column != "answers" and not value:
            raise ImportProblem(f"{where}: is empty")
        if column in _NUMBERS:
            low, high = _NUMBERS[column]
            if not value.isdigit() or not low <= int(value) <= high:
                raise ImportProblem(
                    f"{where}: {value!r} is not a whole number from {low} to {high}"
                )
            row.append(int(value))
        elif column.endswith("_at"):
            if not _STAMP.fullmatch(value):
                raise ImportProblem(f"{where}: {value!r} is not an ISO 8601 UTC time")
            try:
                datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
            except ValueError:
                raise ImportProblem(f"{where}: {value!r} is not a real date and time") from None
            row.append(value)
        elif column == "passed":
            if value not in ("true", "false"):
                raise ImportProblem(f"{where}: {value!r} is not true or false")
            row.append(value == "true")
        else:
            row.append(value)
    return tuple(row)


def _places(folder: Path) -> list[tuple[str, str]]:
    out = []
    for path in sorted((folder / PROGRESS_DIR).glob("*.json")):
        try:
            text = path.read_text(encoding="utf-8")
            Progress.from_json(text)
        except (ValueError, TypeError, json.JSONDecodeError) as exc:  # UnicodeDecodeError too
            raise ImportProblem(f"{path}:1: not a saved place: {exc}") from exc
        out.append((path.stem, text))
    return out


def _signed_with(key: bytes, path: Path, completions: list[tuple[Any, ...]]) -> None:
    """Every certificate code checks under `key`: imported under another key, every
    certificate the site issued would read "Not a valid certificate" and every saved place
    would sit under a link nobody has."""
    column = COMPLETION_COLUMNS.index("certificate_code")
    for line, row in enumerate(completions, start=2):
        if not is_genuine_form(str(row[column]), key):
            raise ImportProblem(
                f"{path}:{line}: certificate_code {row[column]} does not check under "
                "TRAINING_SECRET_KEY: set it to the key the CSV site used (when that site never "
                "set one, hex: followed by the contents of its results/.secret_key)"
            )


def import_csv(folder: Path, url: str, key: bytes) -> Imported:
    """Check everything, then import it all in one transaction (or nothing)."""
    if not (folder / COMPLETIONS_FILE).exists() and not (folder / ATTEMPTS_FILE).exists():
        raise ImportProblem(f"{folder}: holds no {COMPLETIONS_FILE} or {ATTEMPTS_FILE}")
    # A last line cut short by a crash is set aside (into *.quarantine) as the CSV app itself
    # does when it reads the files, rather than stopping the import.
    Ledger(folder).read_completions()
    Ledger(folder).read_attempts()
    completions = _rows(folder / COMPLETIONS_FILE, COMPLETION_COLUMNS)
    _signed_with(key, folder / COMPLETIONS_FILE, completions)
    attempts = _rows(folder / ATTEMPTS_FILE, ATTEMPT_COLUMNS)
    places = _places(folder)
    counts = []
    with psycopg.connect(url) as conn, conn.transaction():
        for table, columns, rows in (
            ("completions", COMPLETION_COLUMNS, completions),
            ("attempts", ATTEMPT_COLUMNS, attempts),
        ):
            before = _count(conn, table)
            with conn.cursor() as cur:
                cur.executemany(
                    f"{folding.insert_sql(table, columns)} ON CONFLICT DO NOTHING",
                    [row + folding.folds(columns, row) for row in rows],
                )
            counts.append(_count(conn, table) - before)
        before = _count(conn, "progress")
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO progress (token, data) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                places,
            )
        counts.append(_count(conn, "progress") - before)
    skipped = len(completions) + len(attempts) - counts[0] - counts[1]
    return Imported(counts[0], counts[1], counts[2], skipped)


def _count(conn: psycopg.Connection[Any], table: str) -> int:
    row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0
