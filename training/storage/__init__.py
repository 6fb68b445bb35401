"""Everything the app keeps, behind one Protocol: `Store`.

Two backends implement it: `csv` (files under results/, the default with no settings) and
`postgres` (one database that several app servers share). Nothing outside this package touches
the results files or SQL; the contract tests in tests/storage/ define what a Store must do and
run against both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

import pandas as pd

from training.auth import Scope
from training.config import Settings, secret_key
from training.officers import Officer
from training.progress import Progress
from training.record_types import AttemptRecord, CompletionRecord, StoreWriteError
from training.reports import Summary
from training.xapi import Statement, statement_maker

__all__ = [
    "AttemptRecord",
    "CompletionPage",
    "CompletionQuery",
    "CompletionRecord",
    "ConsoleView",
    "Scope",
    "Store",
    "StoreWriteError",
    "open_store",
]


@dataclass(frozen=True, kw_only=True)
class CompletionQuery:
    """What the coordinator console or an export asks for. Empty filters mean no restriction;
    the scope, which has no default, is what the account may see at all: the store returns
    only rows within it, whatever the filters (sent by a browser) name."""

    scope: Scope
    #: Part of a name or badge, any case, as plain text (never a pattern).
    search: str = ""
    agencies: tuple[str, ...] = ()
    versions: tuple[str, ...] = ()
    #: Local dates in `zone`, both ends included.
    start: date | None = None
    end: date | None = None
    zone: str = "UTC"  # an IANA name: where the dates above are local


@dataclass(frozen=True)
class CompletionPage:
    """One page of matching completions (oldest first) and how many match in all."""

    rows: pd.DataFrame
    total: int


@dataclass(frozen=True)
class ConsoleView:
    """What the coordinator's Completions tab shows for a query, worked out by the store."""

    #: The first matching completions, oldest first, with `completed_display` (local time).
    rows: pd.DataFrame
    summary: Summary
    #: Completions per local week (Mondays, quiet weeks as 0) and per agency (most first).
    weekly: pd.DataFrame
    by_agency: pd.DataFrame


class Store(Protocol):
    """Attempts, completions, progress, the sign-in throttle, certificates, console queries.

    Every read that returns officers' records for the console or a download takes a `Scope`
    (in its query or as an argument) and applies it where the records are kept: a row of an
    agency outside the scope never leaves the store.
    """

    # --- records (append-only) ------------------------------------------------------------
    def append_attempt(self, record: AttemptRecord) -> None:
        """Save one submitted quiz; raise StoreWriteError when it could not be saved."""

    def record_completion(self, record: CompletionRecord) -> CompletionRecord:
        """Save the completion unless the officer (badge and agency) already has one for this
        course and course version; return the one kept. Double clicks, two tabs and two
        servers all end with one row."""
        ...

    def completions_mark(self) -> int:
        """Where later completions will be found (a hint for `completion_since`)."""
        ...

    def attempts_mark(self) -> int:
        """Where later attempts will be found (a hint for `attempts_since`)."""
        ...

    def completion_since(
        self,
        badge_number: str,
        agency: str,
        course_id: str,
        since: str,
        excluding: frozenset[str] = frozenset(),
        after: int = 0,
    ) -> CompletionRecord | None:
        """The officer's first completion recorded at or after `since` (ISO UTC), not among
        `excluding` (record ids)."""
        ...

    def attempts_since(
        self, badge_number: str, agency: str, course_id: str, since: str, after: int = 0
    ) -> list[dict[str, str]]:
        """The officer's attempts submitted at or after `since`, in the order written, each
        as the attempts CSV's columns (text)."""
        ...

    def find_certificate(self, code: str) -> CompletionRecord | None:
        """The completion a certificate code belongs to, of any agency: the public "Verify
        certificate" page asks by code (a code is 60 random bits and signed), not the console."""
        ...

    # --- xAPI statements for a learning record store (only when one is configured) -------------
    # A store opened with a StatementMaker keeps each record's statement in its outbox with the
    # record itself; without one these find nothing waiting and nothing changes.
    def xapi_waiting(self, limit: int) -> list[Statement]:
        """Up to `limit` statements not yet sent, oldest first."""
        ...

    def xapi_waiting_count(self) -> int: ...

    def xapi_mark_sent(self, statement_ids: Sequence[str]) -> None:
        """Record that the LRS holds these statements (appended: nothing is edited)."""
        ...

    def write_problem(self) -> str | None:
        """Why records cannot be saved right now (None when they can)."""
        ...

    # --- an officer's place -----------------------------------------------------------------
    def progress_token(self, officer: Officer) -> str: ...

    def load_progress(self, token: str) -> Progress | None: ...

    def save_progress(self, token: str, progress: Progress) -> None: ...

    # --- the coordinator's sign-in throttle (shared by every server on the store) ---------------
    # `account`: None for the single password, else `auth.username_key` of the typed username
    # (known or not); counted per username and client, and per client (auth.throttle_counts).
    def sign_in_locked_seconds(self, account: str | None, client: str) -> int: ...

    def sign_in_failed(self, account: str | None, client: str) -> None: ...

    def sign_in_succeeded(self, account: str | None, client: str) -> None: ...

    # --- the console and exports ------------------------------------------------------------
    def version(self) -> object:
        """Changes whenever a record is added: a cache key for tables computed from them."""
        ...

    def read_completions(self, scope: Scope) -> pd.DataFrame:
        """The completions of the scope's agencies, in the order recorded."""
        ...

    def read_attempts(self, scope: Scope) -> pd.DataFrame:
        """The attempts of the scope's agencies, in the order submitted."""
        ...

    def query_completions(
        self, query: CompletionQuery, offset: int = 0, limit: int | None = None
    ) -> CompletionPage:
        """The matching completions, filtered and counted where they are kept."""
        ...

    def console_view(self, query: CompletionQuery, final_quiz_id: str, limit: int) -> ConsoleView:
        """The console's figures, charts and first `limit` rows for the query; the pass rate
        counts the final attempts within the query's scope."""
        ...

    def completion_choices(self, scope: Scope) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The agencies and course versions that the scope's completions carry, sorted: the
        filter choices offered to the browser."""
        ...


_opened: dict[tuple[str, ...], Store] = {}


def open_store(settings: Settings) -> Store:
    """The configured Store, made once per process: PostgreSQL when a database URL is set
    (its pool is shared by every session), else the CSV files under the results folder. With a
    learning record store configured it keeps xAPI statements for it too."""
    key = secret_key(settings)
    maker = statement_maker(settings)
    ident = (settings.database_url or "", str(settings.results_dir), key.hex(), repr(maker))
    store = _opened.get(ident)
    if store is None:
        if settings.database_url:
            from training.storage.postgres import PostgresStore

            store = PostgresStore(settings.database_url, key, statements=maker)
        else:
            from training.storage.csv import CsvStore

            store = CsvStore(settings.results_dir, key, statements=maker)
        _opened[ident] = store
    return store


def close_stores() -> None:
    """Close every Store this process opened (their pools); the next `open_store` makes anew."""
    while _opened:
        _, store = _opened.popitem()
        close = getattr(store, "close", None)
        if close is not None:
            close()
