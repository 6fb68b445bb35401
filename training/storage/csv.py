"""The embedded default Store: append-only CSV files and one JSON file an officer under
results/, with file locks and fsync (see training.storage.csv_files and training.progress).

One machine, any number of processes. The coordinator's sign-in throttle lives in this
process's memory, as it did before there was a database to share it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from training import reports
from training.auth import LoginThrottle, Scope, throttle_counts
from training.officers import Officer
from training.progress import Progress, ProgressStore
from training.storage import CompletionPage, CompletionQuery, ConsoleView
from training.storage.csv_files import COMPLETION_COLUMNS, AttemptRecord, CompletionRecord, Ledger
from training.storage.csv_outbox import CsvOutbox
from training.xapi import Statement, StatementMaker


class CsvStore:
    """The records in one results directory."""

    def __init__(
        self, results_dir: Path, key: bytes, statements: StatementMaker | None = None
    ) -> None:
        self.results_dir = Path(results_dir)
        self.ledger = Ledger(self.results_dir)
        #: With a learning record store configured: the statements of the ledger's records.
        self._outbox = None if statements is None else CsvOutbox(self.ledger, statements)
        self._places = ProgressStore(self.results_dir, key)
        self._throttle = LoginThrottle()
        self._table_lock = threading.Lock()
        # The console's tables, made again only when a record was added.
        self._table: tuple[object, str, pd.DataFrame] | None = None
        #: Final outcomes per (final quiz, scope), each with the version it was made at.
        self._outcomes: dict[tuple[str, Scope], tuple[object, pd.DataFrame]] = {}

    # --- records ------------------------------------------------------------------------------
    def append_attempt(self, record: AttemptRecord) -> None:
        if self._outbox is not None:
            self._outbox.start()  # the record is in the outbox by being in the ledger
        self.ledger.append_attempt(record)

    def record_completion(self, record: CompletionRecord) -> CompletionRecord:
        if self._outbox is not None:
            self._outbox.start()
        return self.ledger.append_completion_once(record)

    def completions_mark(self) -> int:
        return self.ledger.completions_size()

    def attempts_mark(self) -> int:
        return self.ledger.attempts_size()

    def completion_since(
        self,
        badge_number: str,
        agency: str,
        course_id: str,
        since: str,
        excluding: frozenset[str] = frozenset(),
        after: int = 0,
    ) -> CompletionRecord | None:
        return self.ledger.completion_since(
            badge_number, agency, course_id, since, excluding, after
        )

    def attempts_since(
        self, badge_number: str, agency: str, course_id: str, since: str, after: int = 0
    ) -> list[dict[str, str]]:
        return self.ledger.attempts_since(badge_number, agency, course_id, since, after)

    def find_certificate(self, code: str) -> CompletionRecord | None:
        return self.ledger.find_certificate(code)

    # --- xAPI outbox (training.storage.csv_outbox) --------------------------------------------
    def xapi_waiting(self, limit: int) -> list[Statement]:
        return [] if self._outbox is None else self._outbox.waiting(limit)

    def xapi_waiting_count(self) -> int:
        return 0 if self._outbox is None else len(self._outbox.waiting(2**62))

    def xapi_mark_sent(self, statement_ids: Sequence[str]) -> None:
        if self._outbox is not None:
            self._outbox.mark_sent(statement_ids)

    def write_problem(self) -> str | None:
        return self.ledger.write_problem()

    # --- an officer's place -------------------------------------------------------------------
    def progress_token(self, officer: Officer) -> str:
        return self._places.token(officer)

    def load_progress(self, token: str) -> Progress | None:
        return self._places.load(token)

    def save_progress(self, token: str, progress: Progress) -> None:
        self._places.save(token, progress)

    # --- sign-in throttle ---------------------------------------------------------------------
    def sign_in_locked_seconds(self, account: str | None, client: str) -> int:
        counts = throttle_counts(account, client)
        return max(self._throttle.seconds_locked(key) for key, _ in counts)

    def sign_in_failed(self, account: str | None, client: str) -> None:
        for key, limit in throttle_counts(account, client):
            self._throttle.failure(key, limit)

    def sign_in_succeeded(self, account: str | None, client: str) -> None:
        for key, _ in throttle_counts(account, client):
            self._throttle.success(key)

    # --- console ------------------------------------------------------------------------------
    def version(self) -> object:
        return self.ledger.version()

    def read_completions(self, scope: Scope) -> pd.DataFrame:
        return _within(self.ledger.read_completions(), scope)

    def read_attempts(self, scope: Scope) -> pd.DataFrame:
        return _within(self.ledger.read_attempts(), scope)

    def _local_table(self, zone: str) -> pd.DataFrame:
        """The completions with local dates, made again only when the file changed."""
        version = self.version()
        with self._table_lock:
            known = self._table
        if known is not None and known[0] == version and known[1] == zone:
            return known[2]
        table = reports.completions_table(self.ledger.read_completions(), ZoneInfo(zone))
        with self._table_lock:
            self._table = (version, zone, table)
        return table

    def _filtered(self, query: CompletionQuery) -> pd.DataFrame:
        return reports.filter_completions(
            _within(self._local_table(query.zone), query.scope),
            reports.CompletionFilter(
                search=query.search,
                agencies=query.agencies,
                start=query.start,
                end=query.end,
                versions=query.versions,
            ),
        )

    def query_completions(
        self, query: CompletionQuery, offset: int = 0, limit: int | None = None
    ) -> CompletionPage:
        shown = self._filtered(query)
        end = None if limit is None else offset + limit
        rows = shown.iloc[offset:end].loc[:, list(COMPLETION_COLUMNS)]
        return CompletionPage(rows=rows.reset_index(drop=True), total=len(shown))

    def _final_outcomes(self, final_quiz_id: str, scope: Scope) -> pd.DataFrame:
        version = self.version()
        with self._table_lock:
            known = self._outcomes.get((final_quiz_id, scope))
        if known is not None and known[0] == version:
            return known[1]
        outcomes = reports.final_outcomes(self.read_attempts(scope), final_quiz_id)
        with self._table_lock:
            if len(self._outcomes) >= _OUTCOMES_KEPT:
                self._outcomes.clear()
            self._outcomes[(final_quiz_id, scope)] = (version, outcomes)
        return outcomes

    def console_view(self, query: CompletionQuery, final_quiz_id: str, limit: int) -> ConsoleView:
        shown = self._filtered(query)
        columns = [*COMPLETION_COLUMNS, "completed_display"]
        return ConsoleView(
            rows=shown.head(limit).loc[:, columns],
            summary=reports.summary(shown, self._final_outcomes(final_quiz_id, query.scope)),
            weekly=reports.weekly_completions(shown),
            by_agency=reports.completions_by_agency(shown),
        )

    def completion_choices(self, scope: Scope) -> tuple[tuple[str, ...], tuple[str, ...]]:
        table = self.read_completions(scope)
        return (
            tuple(sorted(table["agency"].dropna().unique())),
            tuple(sorted(table["course_version"].dropna().unique())),
        )


#: Scopes whose final outcomes are kept at once (one a coordinator account in use, at most).
_OUTCOMES_KEPT = 16


def _within(table: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    """The rows of the scope's agencies, matched exactly; every row for all agencies (the shared
    table itself: nothing here assigns into it)."""
    if scope.agencies is None:
        return table
    keep = table["agency"].astype("string").isin(scope.agencies).fillna(False)
    return table[keep.to_numpy(dtype=bool)].reset_index(drop=True)
