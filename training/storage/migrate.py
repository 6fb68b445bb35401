"""The PostgreSQL schema, in versioned steps: migrations/NNN_name.sql, applied in order.

`python -m training migrate` runs `migrate` as the database's owner; after the steps it grants
the app's role (`training_app`, when it exists) INSERT and SELECT on the records, no more.
It is idempotent (a step applied is never applied again), safe while app servers run (one
migrator at a time, under an advisory lock; each step in one transaction), and refuses a
database that a newer version of
the app has already upgraded.
"""

from __future__ import annotations

import re
from importlib import resources

import psycopg

from training.storage import folding

#: Any constant: every migrator takes the same advisory lock.
_LOCK_ID = 4_512_045_001


class MigrationError(RuntimeError):
    """The schema cannot be brought up to date; the message says why, in one line."""


def steps() -> list[tuple[int, str, str]]:
    """(version, name, SQL) of every migration shipped, in order."""
    found = []
    for entry in resources.files("training.storage").joinpath("migrations").iterdir():
        match = re.fullmatch(r"(\d{3})_(\w+)\.sql", entry.name)
        if match:
            found.append((int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    return sorted(found)


def _grants() -> str:
    return (
        resources.files("training.storage")
        .joinpath("migrations", "grants.sql")
        .read_text(encoding="utf-8")
    )


def latest() -> int:
    return steps()[-1][0]


def current(conn: psycopg.Connection) -> int:
    """The schema version the database is at (0: nothing yet)."""
    exists = conn.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()
    if not exists or not exists[0]:
        return 0
    row = conn.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()
    return int(row[0]) if row else 0


def migrate(url: str) -> tuple[int, int]:
    """Bring the schema up to date; (version before, version after)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK_ID,))
        try:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version ("
                " version integer PRIMARY KEY, name text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now())"
            )
            before = current(conn)
            if before > latest():
                raise MigrationError(
                    f"the database is at schema version {before}, newer than this app knows "
                    f"({latest()}): upgrade the app before migrating"
                )
            for version, name, sql in steps():
                if version <= before:
                    continue
                with conn.transaction():
                    conn.execute(sql.encode("utf-8"))
                    conn.execute(
                        "INSERT INTO schema_version (version, name) VALUES (%s, %s)",
                        (version, name),
                    )
            # Every run: rows written without their folded copies (before step 2, or by an app
            # server not yet upgraded) get them, in Python as the app folds.
            if current(conn) >= folding.SINCE_STEP:
                folding.fill(conn)
            # Every run: a role created after the first migrate gets its grants too.
            conn.execute(_grants().encode("utf-8"))
            return before, current(conn)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_ID,))
