"""Case-folded copies of names, badges and officers, kept beside each database record.

The console searches names and badges in any case and counts officers as the app identifies
them (`officers.Officer.key`). The CSV store folds with Python's `str.casefold`; SQL `lower()`
folds by the database's locale (only ASCII under C) and never makes "ß" into "ss". So the
database folds nothing itself: the app folds in Python when it inserts a record (and `migrate`
for rows written before these columns existed), and the queries compare folded text only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg

#: The folded columns of each table (migrations/002_folded.sql), in the order `folds` gives.
COMPLETION_FOLDS = ("name_folded", "badge_folded", "officer_key")
ATTEMPT_FOLDS = ("officer_key",)
#: The schema step that added them.
SINCE_STEP = 2
_BATCH = 5_000


def officer_key(badge_number: str, agency: str) -> str:
    """badge|agency as `officers.Officer.key` and `reports` make it: one officer, any case."""
    return f"{badge_number.strip().upper()}|{agency.strip().casefold()}"


def fold_columns(columns: Sequence[str]) -> tuple[str, ...]:
    """The folded columns that go with a record's columns (a completion's or an attempt's)."""
    return COMPLETION_FOLDS if "officer_name" in columns else ATTEMPT_FOLDS


def folds(columns: Sequence[str], row: Sequence[Any]) -> tuple[str, ...]:
    """The folded values for one record given as its columns' values."""
    value = dict(zip(columns, row, strict=True))
    key = officer_key(str(value["badge_number"]), str(value["agency"]))
    if "officer_name" in value:
        return (str(value["officer_name"]).casefold(), str(value["badge_number"]).casefold(), key)
    return (key,)


def insert_sql(table: str, columns: Sequence[str]) -> str:
    """INSERT of a record's columns and their folded copies (values: row + folds(row))."""
    every = [*columns, *fold_columns(columns)]
    return f"INSERT INTO {table} ({', '.join(every)}) VALUES ({', '.join(['%s'] * len(every))})"


def fill(conn: psycopg.Connection[Any]) -> int:
    """Fold the rows that have no folded copies yet (written before migration 002, or by an
    app server not yet upgraded); run by `migrate` as the owner. How many rows were filled."""
    done = 0
    for table, columns in (
        ("completions", ("officer_name", "badge_number", "agency")),
        ("attempts", ("badge_number", "agency")),
    ):
        folded = fold_columns(columns)
        sets = ", ".join(f"{c} = v.{c}" for c in folded)
        arrays = ", ".join(["%s::bigint[]", *["%s::text[]"] * len(folded)])
        last = 0
        while True:
            rows = conn.execute(
                f"SELECT seq, {', '.join(columns)} FROM {table} WHERE seq > %s"
                " AND officer_key IS NULL ORDER BY seq LIMIT %s",
                (last, _BATCH),
            ).fetchall()
            if not rows:
                break
            made = [folds(columns, row[1:]) for row in rows]
            conn.execute(
                f"UPDATE {table} t SET {sets} FROM unnest({arrays})"
                f" AS v(seq, {', '.join(folded)}) WHERE t.seq = v.seq",
                [[row[0] for row in rows], *(list(col) for col in zip(*made, strict=True))],
            )
            done += len(rows)
            last = rows[-1][0]
    return done
