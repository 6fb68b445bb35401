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

from training.ledger import (
    ATTEMPT_COLUMNS,
    ATTEMPTS_FILE,
    COMPLETION_COLUMNS,
    COMPLETIONS_FILE,
)
from training.progress import PROGRESS_DIR, Progress

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
        text = path.read_text(encoding="utf-8")
        try:
            Progress.from_json(text)
        except (ValueError, TypeError, json.JSONDecodeError) as exc:
            raise ImportProblem(f"{path}:1: not a saved place: {exc}") from exc
        out.append((path.stem, text))
    return out


def import_csv(folder: Path, url: str) -> Imported:
    """Check everything, then import it all in one transaction (or nothing)."""
    if not (folder / COMPLETIONS_FILE).exists() and not (folder / ATTEMPTS_FILE).exists():
        raise ImportProblem(f"{folder}: holds no {COMPLETIONS_FILE} or {ATTEMPTS_FILE}")
    completions = _rows(folder / COMPLETIONS_FILE, COMPLETION_COLUMNS)
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
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                    f"({', '.join(['%s'] * len(columns))}) ON CONFLICT DO NOTHING",
                    rows,
                )
            counts.append(_count(conn, table) - before)
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO progress (token, data) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                places,
            )
    skipped = len(completions) + len(attempts) - counts[0] - counts[1]
    return Imported(counts[0], counts[1], len(places), skipped)


def _count(conn: psycopg.Connection[Any], table: str) -> int:
    row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0
