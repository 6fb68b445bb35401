"""The Store in PostgreSQL: several app servers share one database.

Plain SQL through psycopg 3 and a connection pool (one per process). The database holds the
rules itself: one completion per officer and course version (a unique constraint), checks on
scores and dates, and an app role that may only insert and select records. Records are
inserted idempotently (a retried insert whose first try did commit adds nothing), so "Retry
saving" after a lost connection never records twice.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import hmac
import json
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

import pandas as pd
import psycopg
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool, PoolTimeout

from training import reports
from training.auth import LOCKOUT_SECONDS, Scope, throttle_counts
from training.officers import Officer
from training.progress import Progress
from training.record_types import (
    ATTEMPT_COLUMNS,
    COMPLETION_COLUMNS,
    AttemptRecord,
    CompletionRecord,
    StoreWriteError,
)
from training.storage import CompletionPage, CompletionQuery, ConsoleView, folding
from training.xapi import Statement, StatementMaker

logger = logging.getLogger(__name__)

#: How long a click waits for a connection before the officer is told the save failed.
CONNECT_TIMEOUT_S = 5
_NUMERIC = {"score_percent", "attempts", "seat_time_minutes", "duration_seconds"}
_TOKEN = re.compile(r"[0-9a-f]{32}")
_ISO = """to_char({0} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS {0}"""


#: Queues the statement (params: its id, its JSON) of the record a CTE `saved` just inserted.
_QUEUE = (
    "INSERT INTO xapi_outbox (statement_id, record_id, statement) SELECT %s::uuid, record_id, %s"
)
_UNSENT = "NOT EXISTS (SELECT FROM xapi_sent s WHERE s.statement_id = o.statement_id)"


def _select(columns: tuple[str, ...]) -> str:
    """The columns as the CSV files hold them: timestamps as ISO 8601 UTC text."""
    return ", ".join(_ISO.format(c) if c.endswith("_at") else c for c in columns)


_COMPLETIONS = _select(COMPLETION_COLUMNS)
_ATTEMPTS = _select(ATTEMPT_COLUMNS)


class DatabaseError(StoreWriteError):
    """The database could not be reached or refused the work; nothing partial was kept."""


@contextmanager
def _plain_errors() -> Iterator[None]:
    """Database failures as the OSError the app already handles ("Retry saving")."""
    try:
        yield
    except (psycopg.errors.IntegrityError, psycopg.errors.DataError) as exc:
        # A client-side refusal (a NUL in text) has no server diagnostics.
        why = exc.diag.message_primary or str(exc)
        raise ValueError(f"the database refused the record: {why}") from exc
    except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
        # The server is down, restarting or unreachable (psycopg_pool's PoolTimeout is an
        # OperationalError too). A mistake in SQL or a missing grant is not caught: it is a bug.
        logger.warning("database error: %s", exc)
        raise DatabaseError(errno.EIO, "the database cannot be reached") from exc


def _table(rows: list[tuple[Any, ...]], columns: tuple[str, ...]) -> pd.DataFrame:
    """Rows as the CSV store reads them: numbers as Int64, everything else as text."""
    frame = pd.DataFrame(rows, columns=list(columns))
    for c in columns:
        if c in _NUMERIC:
            frame[c] = frame[c].astype("Int64")
        elif c == "passed":
            frame[c] = frame[c].map({True: "true", False: "false"}).astype("string")
        else:
            frame[c] = frame[c].astype("string")
    return frame


_P = ParamSpec("_P")
_T = TypeVar("_T")


def _retried(method: Callable[_P, _T]) -> Callable[_P, _T]:
    """Run the method once more when its connection turned out dead (the server restarted since
    the pool opened it): the first click after a restart then works instead of failing. Every
    method so marked is safe to repeat: reads, upserts and inserts that skip a record already
    there. A pool that had no connection to give (the server is down) is not retried: that wait
    is already over."""

    @functools.wraps(method)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        try:
            return method(*args, **kwargs)
        except DatabaseError as exc:
            if isinstance(exc.__cause__, PoolTimeout):
                raise
            logger.info("retrying once on a fresh connection")
            return method(*args, **kwargs)

    return run


class PostgresStore:
    """The records in one PostgreSQL database (schema by `python -m training migrate`)."""

    def __init__(
        self,
        url: str,
        key: bytes,
        max_connections: int = 10,
        statements: StatementMaker | None = None,
    ) -> None:
        self._key = key
        #: With a learning record store configured: each record's xAPI statement.
        self._statements = statements
        self.pool = ConnectionPool(
            url,
            min_size=1,
            max_size=max_connections,
            kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT_S},
            timeout=CONNECT_TIMEOUT_S,
            open=False,
            name="training",
        )
        self.pool.open(wait=False)

    def close(self) -> None:
        self.pool.close()

    @contextmanager
    def _conn(self) -> Iterator[psycopg.Connection[Any]]:
        try:
            with _plain_errors(), self.pool.connection() as conn:
                yield conn
        except DatabaseError:
            # A server restart drops every connection. Rather than test each connection on
            # every checkout (a round trip per record), the idle ones are swept after a failure,
            # so that the retry (`_retried`) gets a live connection, not the next dead one.
            self.pool.check()
            raise

    # --- records ------------------------------------------------------------------------------
    def _statement(self, record: AttemptRecord | CompletionRecord) -> Statement | None:
        return None if self._statements is None else self._statements.for_record(record)

    @_retried
    def append_attempt(self, record: AttemptRecord) -> None:
        values = tuple(getattr(record, c) for c in ATTEMPT_COLUMNS)
        insert = (
            f"{folding.insert_sql('attempts', ATTEMPT_COLUMNS)} ON CONFLICT (attempt_id) DO NOTHING"
        )
        params = values + folding.folds(ATTEMPT_COLUMNS, values)
        statement = self._statement(record)
        with self._conn() as conn:
            if statement is None:
                conn.execute(insert, params)
            else:
                # One SQL statement, so one transaction: the record and its xAPI statement are
                # kept together or not at all. A retry whose first try committed adds neither.
                conn.execute(
                    f"WITH saved AS ({insert} RETURNING attempt_id AS record_id)"
                    f" {_QUEUE} FROM saved",
                    (*params, statement["id"], Jsonb(statement)),
                )

    @_retried
    def record_completion(self, record: CompletionRecord) -> CompletionRecord:
        values = tuple(getattr(record, c) for c in COMPLETION_COLUMNS)
        # No conflict target: a clash on the officer's version or on a record id already
        # saved (a retry whose first try committed) both keep the row already there.
        insert = (
            f"{folding.insert_sql('completions', COMPLETION_COLUMNS)}"
            " ON CONFLICT DO NOTHING RETURNING seq, record_id"
        )
        params = values + folding.folds(COMPLETION_COLUMNS, values)
        statement = self._statement(record)
        with self._conn() as conn:
            if statement is None:
                inserted = conn.execute(insert, params).fetchone()
            else:
                # The statement is queued only with a completion inserted now, in the same
                # transaction; the completion already kept has its own.
                inserted = conn.execute(
                    f"WITH saved AS ({insert}), queued AS ({_QUEUE} FROM saved)"
                    " SELECT seq FROM saved",
                    (*params, statement["id"], Jsonb(statement)),
                ).fetchone()
            if inserted is not None:
                return record
            row = conn.execute(
                f"SELECT {_COMPLETIONS} FROM completions WHERE badge_number = %s AND agency = %s"
                " AND course_id = %s AND course_version = %s",
                (record.badge_number, record.agency, record.course_id, record.course_version),
            ).fetchone()
        if row is None:  # the clash was on the record id alone: the record is saved already
            return record
        return CompletionRecord(*row)

    def completions_mark(self) -> int:
        return 0  # the officer's rows are found by index, not from a place in a file

    def attempts_mark(self) -> int:
        return 0

    @_retried
    def completion_since(
        self,
        badge_number: str,
        agency: str,
        course_id: str,
        since: str,
        excluding: frozenset[str] = frozenset(),
        after: int = 0,
    ) -> CompletionRecord | None:
        with self._conn() as conn:
            row = conn.execute(
                f"SELECT {_COMPLETIONS} FROM completions WHERE badge_number = %s AND agency = %s"
                " AND course_id = %s AND completed_at >= %s AND NOT record_id = ANY(%s)"
                " ORDER BY seq LIMIT 1",
                (badge_number, agency, course_id, since, list(excluding)),
            ).fetchone()
        return None if row is None else CompletionRecord(*row)

    @_retried
    def attempts_since(
        self, badge_number: str, agency: str, course_id: str, since: str, after: int = 0
    ) -> list[dict[str, str]]:
        with self._conn() as conn:
            rows = conn.execute(
                f"SELECT {_ATTEMPTS} FROM attempts WHERE badge_number = %s AND agency = %s"
                " AND course_id = %s AND submitted_at >= %s ORDER BY seq",
                (badge_number, agency, course_id, since),
            ).fetchall()
        return [
            {
                c: ("true" if v else "false") if isinstance(v, bool) else str(v)
                for c, v in zip(ATTEMPT_COLUMNS, row, strict=True)
            }
            for row in rows
        ]

    # --- xAPI outbox ----------------------------------------------------------------------------
    @_retried
    def xapi_waiting(self, limit: int) -> list[Statement]:
        with self._conn() as conn:
            rows = conn.execute(
                f"SELECT o.statement FROM xapi_outbox o WHERE {_UNSENT} ORDER BY o.seq LIMIT %s",
                (limit,),
            ).fetchall()
        return [row[0] for row in rows]

    @_retried
    def xapi_waiting_count(self) -> int:
        with self._conn() as conn:
            row = conn.execute(f"SELECT count(*) FROM xapi_outbox o WHERE {_UNSENT}").fetchone()
        return int(row[0]) if row else 0

    @_retried
    def xapi_mark_sent(self, statement_ids: Sequence[str]) -> None:
        with self._conn() as conn:
            # Two senders may send the same statement (the LRS keeps one): the first row stays.
            conn.execute(
                "INSERT INTO xapi_sent (statement_id) SELECT unnest(%s::uuid[])"
                " ON CONFLICT (statement_id) DO NOTHING",
                (list(statement_ids),),
            )

    @_retried
    def find_certificate(self, code: str) -> CompletionRecord | None:
        with self._conn() as conn:
            row = conn.execute(
                f"SELECT {_COMPLETIONS} FROM completions WHERE certificate_code = %s"
                " ORDER BY seq LIMIT 1",
                (code,),
            ).fetchone()
        return None if row is None else CompletionRecord(*row)

    @_retried
    def _probe(self) -> None:
        with self._conn() as conn:
            conn.execute("SELECT 1 FROM completions LIMIT 0")
            if self._statements is not None:  # the xAPI outbox came with migration 003
                conn.execute("SELECT 1 FROM xapi_outbox, xapi_sent LIMIT 0")

    def write_problem(self) -> str | None:
        try:
            self._probe()
        except OSError as exc:
            return str(exc.strerror)
        except psycopg.errors.UndefinedTable:
            return "the database has no schema yet: run `python -m training migrate`"
        except psycopg.errors.InsufficientPrivilege:
            return "the app's role may not use the records: run `python -m training migrate`"
        return None

    # --- an officer's place -------------------------------------------------------------------
    def progress_token(self, officer: Officer) -> str:
        return hmac.new(self._key, officer.key.encode("utf-8"), hashlib.sha256).hexdigest()[:32]

    @_retried
    def load_progress(self, token: str) -> Progress | None:
        if not _TOKEN.fullmatch(token):
            return None  # a mangled resume link: no place, as on the CSV store
        with self._conn() as conn:
            row = conn.execute("SELECT data FROM progress WHERE token = %s", (token,)).fetchone()
        if row is None:
            return None
        try:
            return Progress.from_json(row[0])
        except (ValueError, TypeError, json.JSONDecodeError):
            return None

    @_retried
    def save_progress(self, token: str, progress: Progress) -> None:
        if not _TOKEN.fullmatch(token):
            raise ValueError("not a progress token")
        with self._conn() as conn:
            conn.execute(
                "INSERT INTO progress (token, data) VALUES (%s, %s) ON CONFLICT (token) "
                "DO UPDATE SET data = EXCLUDED.data, saved_at = now()",
                (token, progress.to_json()),
            )

    # --- sign-in throttle ---------------------------------------------------------------------
    @_retried
    def sign_in_locked_seconds(self, account: str | None, client: str) -> int:
        keys = [key for key, _ in throttle_counts(account, client)]
        with self._conn() as conn:
            row = conn.execute(
                "SELECT ceil(extract(epoch FROM max(locked_until) - now()))::int"
                " FROM sign_in_lockouts WHERE client = ANY(%s) AND locked_until > now()",
                (keys,),
            ).fetchone()
        return max(0, int(row[0])) if row and row[0] is not None else 0

    @_retried
    def sign_in_failed(self, account: str | None, client: str) -> None:
        window = f"{LOCKOUT_SECONDS} seconds"
        with self._conn() as conn, conn.transaction():
            # One client's failures are counted one at a time, on any server.
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (client,))
            for key, limit in throttle_counts(account, client):
                conn.execute("INSERT INTO sign_in_failures (client) VALUES (%s)", (key,))
                row = conn.execute(
                    "SELECT count(*) FROM sign_in_failures WHERE client = %s"
                    " AND failed_at > now() - %s::interval",
                    (key, window),
                ).fetchone()
                if row is not None and row[0] >= limit:
                    conn.execute(
                        "INSERT INTO sign_in_lockouts (client, locked_until) VALUES "
                        "(%s, now() + %s::interval) ON CONFLICT (client) DO UPDATE "
                        "SET locked_until = EXCLUDED.locked_until",
                        (key, window),
                    )
                    conn.execute("DELETE FROM sign_in_failures WHERE client = %s", (key,))

    @_retried
    def sign_in_succeeded(self, account: str | None, client: str) -> None:
        keys = [key for key, _ in throttle_counts(account, client)]
        with self._conn() as conn, conn.transaction():
            conn.execute("DELETE FROM sign_in_failures WHERE client = ANY(%s)", (keys,))
            conn.execute("DELETE FROM sign_in_lockouts WHERE client = ANY(%s)", (keys,))

    # --- console ------------------------------------------------------------------------------
    @_retried
    def version(self) -> object:
        with self._conn() as conn:
            row = conn.execute(
                "SELECT (SELECT max(seq) FROM completions), (SELECT max(seq) FROM attempts)"
            ).fetchone()
        return tuple(row) if row else None

    @_retried
    def read_completions(self, scope: Scope) -> pd.DataFrame:
        within, params = _within(scope)
        with self._conn() as conn:
            rows = conn.execute(
                f"SELECT {_COMPLETIONS} FROM completions WHERE {within} ORDER BY seq", params
            ).fetchall()
        return _table(rows, COMPLETION_COLUMNS)

    @_retried
    def read_attempts(self, scope: Scope) -> pd.DataFrame:
        within, params = _within(scope)
        with self._conn() as conn:
            rows = conn.execute(
                f"SELECT {_ATTEMPTS} FROM attempts WHERE {within} ORDER BY seq", params
            ).fetchall()
        return _table(rows, ATTEMPT_COLUMNS)

    @_retried
    def query_completions(
        self, query: CompletionQuery, offset: int = 0, limit: int | None = None
    ) -> CompletionPage:
        where, params = _where(query)
        with self._conn() as conn:
            counted = conn.execute(
                f"SELECT count(*) FROM completions WHERE {where}", params
            ).fetchone()
            rows = conn.execute(
                f"SELECT {_COMPLETIONS} FROM completions WHERE {where} ORDER BY seq"
                " LIMIT %s OFFSET %s",
                [*params, limit, offset],
            ).fetchall()
        return CompletionPage(_table(rows, COMPLETION_COLUMNS), int(counted[0]) if counted else 0)

    @_retried
    def console_view(self, query: CompletionQuery, final_quiz_id: str, limit: int) -> ConsoleView:
        with self._conn() as conn:
            figures, rows, weeks, agencies = (
                conn.execute(sql, params).fetchall()
                for sql, params in console_statements(query, final_quiz_id, limit)
            )
        completions, officers, agency_count, mean_tries, finals, passed = figures[0]
        return ConsoleView(
            rows=reports.with_local_display(_table(rows, COMPLETION_COLUMNS), query.zone),
            summary=reports.Summary(
                completions=completions,
                officers=officers,
                agencies=agency_count,
                final_attempts=finals,
                passed_finals=passed,
                pass_rate=passed / finals if finals else None,
                attempts_per_completion=mean_tries,
            ),
            weekly=reports.weeks_filled(
                pd.Series({week: count for week, count in weeks}, dtype="int64")
            ),
            by_agency=pd.DataFrame(
                {
                    "agency": pd.Series([a for a, _ in agencies], dtype="string"),
                    "completions": pd.Series([c for _, c in agencies], dtype="int64"),
                }
            ),
        )

    @_retried
    def completion_choices(self, scope: Scope) -> tuple[tuple[str, ...], tuple[str, ...]]:
        within, params = _within(scope)
        with self._conn() as conn:
            agencies = conn.execute(
                f"SELECT DISTINCT agency FROM completions WHERE {within}", params
            ).fetchall()
            versions = conn.execute(
                f"SELECT DISTINCT course_version FROM completions WHERE {within}", params
            ).fetchall()
        # Sorted here, by code point as the CSV store sorts, whatever the database's collation.
        return tuple(sorted(r[0] for r in agencies)), tuple(sorted(r[0] for r in versions))


#: An officer as `officers.Officer.key` makes it (badge upper-cased, agency case-folded), so
#: the console counts people as the app identifies them; {} is a table alias and its dot. The
#: key is folded in Python on insert (folding.py); lower() only for a row not yet given one.
_OFFICER = (
    "coalesce({0}officer_key, upper(btrim({0}badge_number)) || '|' || lower(btrim({0}agency)))"
)


def console_statements(
    query: CompletionQuery, final_quiz_id: str, limit: int
) -> list[tuple[str, list[Any]]]:
    """The SQL behind the console: the headline figures (one row), the first rows, the weeks,
    the agencies. Public so that the benchmarks time the same statements bare."""
    where, params = _where(query)
    attempts_within, attempts_params = _within(query.scope, "a.agency")
    return [
        (
            f"WITH shown AS (SELECT * FROM completions WHERE {where}),"
            f" officers AS (SELECT DISTINCT {_OFFICER.format('')} AS who FROM shown)"
            " SELECT (SELECT count(*) FROM shown), (SELECT count(*) FROM officers),"
            " (SELECT count(DISTINCT btrim(agency)) FROM shown),"
            " (SELECT avg(attempts)::float FROM shown),"
            " count(*), count(*) FILTER (WHERE a.passed)"
            f" FROM attempts a WHERE a.quiz_id = %s AND {attempts_within}"
            f" AND {_OFFICER.format('a.')} IN (SELECT who FROM officers)",
            [*params, final_quiz_id, *attempts_params],
        ),
        (
            f"SELECT {_COMPLETIONS} FROM completions WHERE {where} ORDER BY seq LIMIT %s",
            [*params, limit],
        ),
        (
            "SELECT date_trunc('week', completed_at AT TIME ZONE %s)::date, count(*)"
            f" FROM completions WHERE {where} GROUP BY 1",
            [query.zone, *params],
        ),
        (
            f"SELECT btrim(agency), count(*) FROM completions WHERE {where}"
            ' GROUP BY 1 ORDER BY 2 DESC, btrim(agency) COLLATE "C"',
            params,
        ),
    ]


def _within(scope: Scope, column: str = "agency") -> tuple[str, list[Any]]:
    """The scope as SQL: the rows whose agency is one of its agencies, exactly."""
    if scope.agencies is None:
        return "TRUE", []
    return f"{column} = ANY(%s)", [list(scope.agencies)]


def _where(query: CompletionQuery) -> tuple[str, list[Any]]:
    """The query's conditions as SQL, the scope first; every value a parameter, a search term
    plain text. The agency filter is an AND beside the scope: naming another agency finds
    nothing."""
    within, params = _within(query.scope)
    parts: list[str] = [within]
    term = query.search.strip()
    if term:
        # Badges have no spaces, so "ab 12" still finds badge AB12; names keep theirs.
        # Compared with the copies folded in Python on insert (folding.py), as the CSV store
        # folds: SQL lower() misses "É" under the C locale and never makes "ß" into "ss".
        parts.append(
            "(strpos(coalesce(name_folded, lower(officer_name)), %s) > 0"
            " OR strpos(coalesce(badge_folded, lower(badge_number)), %s) > 0)"
        )
        params += [term.casefold(), "".join(term.split()).casefold()]
    if query.agencies:
        parts.append("agency = ANY(%s)")
        params.append(list(query.agencies))
    if query.versions:
        parts.append("course_version = ANY(%s)")
        params.append(list(query.versions))
    if query.start is not None:
        parts.append("(completed_at AT TIME ZONE %s)::date >= %s")
        params += [query.zone, query.start]
    if query.end is not None:
        parts.append("(completed_at AT TIME ZONE %s)::date <= %s")
        params += [query.zone, query.end]
    return " AND ".join(parts), params
