"""xAPI statements for a learning record store (LRS), and sending the ones waiting.

Optional: only with TRAINING_LRS_ENDPOINT set (config.LrsSettings). Each completion and each
final attempt then gets one statement, kept in the records store's outbox with the record
itself (training.storage: in the same transaction in PostgreSQL; derived from the ledger's
rows on the CSV store), and sent afterwards: in the background after the officer's click, and by
`python -m training send-xapi`. A statement is a pure function of its record: its id is a UUIDv5
of the record id, so sending it twice, from two servers or after a crash, never makes two
statements in the LRS (the LRS answers that it holds that id, which counts as sent).
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.client import HTTPException
from pathlib import Path
from typing import Any, Protocol

from training.config import LrsSettings, Settings
from training.record_types import AttemptRecord, CompletionRecord

logger = logging.getLogger(__name__)

#: A statement as JSON: a dict with "id", "actor", "verb", "object", "result", ...
Statement = dict[str, Any]

#: The namespace of every statement id (uuid5 of the record id in it). Fixed forever: a new
#: one would give records already sent new ids, and the LRS would keep them twice.
NAMESPACE = uuid.UUID("9c1b6a3e-5f0d-5b8e-a4c2-6d7e1f2a3b4c")
XAPI_VERSION = "1.0.3"
LANGUAGE = "en-US"
VERBS = {
    "completed": "http://adlnet.gov/expapi/verbs/completed",
    "passed": "http://adlnet.gov/expapi/verbs/passed",
    "failed": "http://adlnet.gov/expapi/verbs/failed",
}
COURSE_TYPE = "http://adlnet.gov/expapi/activities/course"
#: Statements sent in one request.
BATCH = 50
#: Seconds one request to the LRS may take before it counts as unreachable.
TIMEOUT_S = 10.0
#: How an LRS says a statement is invalid: 400 in the xAPI specification; 422 from LRSs built
#: on FastAPI (Ralph) when a statement fails their validation.
_INVALID = (400, 422)


def statement_id(record_id: str) -> str:
    """The statement's id: the same for the same record, on every server, every time."""
    return str(uuid.uuid5(NAMESPACE, record_id))


def account_name(agency: str, badge_number: str) -> str:
    """The officer in the LRS: "<agency>|<badge>" (a badge holds no "|")."""
    return f"{agency}|{badge_number}"


@dataclass(frozen=True)
class CourseFacts:
    """What a statement says about the course besides its record."""

    title: str
    final_quiz_id: str


@dataclass(frozen=True)
class StatementMaker:
    """Makes the statement of a record; `facts` names the course (read when asked, so an
    edited course title is used from then on)."""

    public_url: str
    facts: Callable[[], CourseFacts]

    def for_record(self, record: AttemptRecord | CompletionRecord) -> Statement | None:
        """The record's statement; None for a knowledge check (practice, not reported)."""
        course = self.facts()
        if isinstance(record, CompletionRecord):
            return completion_statement(record, course.title, self.public_url)
        if record.quiz_id != course.final_quiz_id:
            return None
        return attempt_statement(record, course.title, self.public_url)


def _actor(agency: str, badge_number: str, public_url: str, name: str | None) -> dict[str, Any]:
    actor: dict[str, Any] = {
        "objectType": "Agent",
        "account": {"homePage": public_url, "name": account_name(agency, badge_number)},
    }
    if name:
        actor["name"] = name
    return actor


def _course(course_id: str, title: str, public_url: str) -> dict[str, Any]:
    return {
        "objectType": "Activity",
        "id": f"{public_url}/course/{urllib.parse.quote(course_id, safe='')}",
        "definition": {"name": {LANGUAGE: title}, "type": COURSE_TYPE},
    }


def _verb(name: str) -> dict[str, Any]:
    return {"id": VERBS[name], "display": {LANGUAGE: name}}


def _score(percent: int) -> dict[str, Any]:
    return {"scaled": percent / 100, "raw": percent, "min": 0, "max": 100}


def completion_statement(record: CompletionRecord, title: str, public_url: str) -> Statement:
    """The officer completed the course: success, completion, the final's score, seat time."""
    return {
        "id": statement_id(record.record_id),
        "actor": _actor(record.agency, record.badge_number, public_url, record.officer_name),
        "verb": _verb("completed"),
        "object": _course(record.course_id, title, public_url),
        "result": {
            "success": True,
            "completion": True,
            "score": _score(record.score_percent),
            "duration": f"PT{record.seat_time_minutes}M",
        },
        "context": {
            "revision": record.course_version,
            "extensions": {
                f"{public_url}/xapi/certificate-code": record.certificate_code,
                f"{public_url}/xapi/final-attempts": record.attempts,
            },
        },
        "timestamp": record.completed_at,
    }


def attempt_statement(record: AttemptRecord, title: str, public_url: str) -> Statement:
    """One final assessment, passed or failed, with its score."""
    return {
        "id": statement_id(record.attempt_id),
        "actor": _actor(record.agency, record.badge_number, public_url, None),
        "verb": _verb("passed" if record.passed else "failed"),
        "object": _course(record.course_id, title, public_url),
        "result": {
            "success": record.passed,
            "completion": record.passed,
            "score": _score(record.score_percent),
            "duration": f"PT{record.duration_seconds}S",
        },
        "context": {"revision": record.course_version},
        "timestamp": record.submitted_at,
    }


def statement_maker(settings: Settings) -> StatementMaker | None:
    """The maker for the configured site; None when no LRS is configured (no xAPI at all)."""
    if settings.lrs is None:
        return None
    return StatementMaker(settings.public_url, _CourseFactsReader(settings.content_root))


@dataclass(frozen=True)
class _CourseFactsReader:
    root: Path

    def __call__(self) -> CourseFacts:
        from training.content import load_course  # parsed once, cached until a file changes

        course = load_course(self.root)
        return CourseFacts(course.info.title, course.final.id)


# --- the outbox and sending -------------------------------------------------------------------


class Outbox(Protocol):
    """The statements waiting in the records store (training.storage.Store has these)."""

    def xapi_waiting(self, limit: int) -> list[Statement]:
        """Up to `limit` statements not yet sent, oldest first."""
        ...

    def xapi_waiting_count(self) -> int: ...

    def xapi_mark_sent(self, statement_ids: Sequence[str]) -> None:
        """Record that the LRS holds these statements (an insert: nothing is ever edited)."""
        ...


class LrsError(Exception):
    """The LRS cannot take statements now (unreachable, wrong credentials, an error); the
    message says why in one line. The statements stay waiting."""


@dataclass
class SendResult:
    sent: int = 0
    waiting: int = 0
    #: Statements the LRS refused as invalid (they stay waiting), each "<id>: <reason>".
    refused: list[str] = field(default_factory=list)
    #: Why sending stopped early, when it did.
    problem: str | None = None


class LrsClient:
    """xAPI over HTTP: Basic auth, the version header, POST of batches to <endpoint>statements."""

    def __init__(self, lrs: LrsSettings, timeout: float = TIMEOUT_S) -> None:
        self.endpoint = lrs.endpoint
        self.url = f"{lrs.endpoint}statements"
        token = base64.b64encode(f"{lrs.username}:{lrs.password}".encode()).decode("ascii")
        self._headers = {
            "Authorization": f"Basic {token}",
            "X-Experience-API-Version": XAPI_VERSION,
            "Content-Type": "application/json",
        }
        self.timeout = timeout
        # The LRS is reached directly, never through a redirect (a POST would lose its body).
        self._opener = urllib.request.build_opener(_NoRedirect)

    def send(self, statements: Sequence[Statement]) -> tuple[list[str], list[str]]:
        """Send the statements; (ids the LRS now holds, "<id>: <reason>" of those it refused).
        Raises LrsError when it cannot take any now."""
        if not statements:
            return [], []
        status, body = self._request("POST", self.url, statements)
        if status in (200, 204):
            return [s["id"] for s in statements], []
        if len(statements) == 1 and status == 409:
            return [statements[0]["id"]], []  # it holds a statement with this id already
        if status == 409 or status in _INVALID:
            # One statement spoils the whole batch: each on its own, so the others get in.
            held: list[str] = []
            refused: list[str] = []
            for statement in statements:
                done, no = self._put(statement)
                held += done
                refused += no
            return held, refused
        raise LrsError(self._failure(status, body))

    def _put(self, statement: Statement) -> tuple[list[str], list[str]]:
        query = urllib.parse.urlencode({"statementId": statement["id"]})
        status, body = self._request("PUT", f"{self.url}?{query}", statement)
        if status in (200, 204, 409):
            return [statement["id"]], []
        if status in _INVALID:
            return [], [f"{statement['id']}: {_detail(body)}"]
        raise LrsError(self._failure(status, body))

    def _request(self, method: str, url: str, payload: object) -> tuple[int, bytes]:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(url, data=data, method=method, headers=self._headers)
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return int(response.status), response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()
        except (urllib.error.URLError, OSError, HTTPException) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise LrsError(
                f"cannot reach the learning record store at {self.endpoint} ({reason})"
            ) from exc

    def _failure(self, status: int, body: bytes) -> str:
        if status in (401, 403):
            return (
                f"the learning record store at {self.endpoint} refused the user name and "
                f"password (HTTP {status}): check TRAINING_LRS_USERNAME and TRAINING_LRS_PASSWORD"
            )
        if status in (404, 405):
            return (
                f"{self.url} is not an xAPI statements address (HTTP {status}): check "
                "TRAINING_LRS_ENDPOINT (the store's xAPI address, often ending in /xAPI/)"
            )
        return (
            f"the learning record store at {self.endpoint} answered HTTP {status}: {_detail(body)}"
        )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _detail(body: bytes) -> str:
    """The LRS's reason, in one short line."""
    text = body.decode("utf-8", errors="replace")
    try:
        parsed = json.loads(text)
        if isinstance(parsed, dict) and "detail" in parsed:
            text = (
                json.dumps(parsed["detail"])
                if not isinstance(parsed["detail"], str)
                else (parsed["detail"])
            )
    except ValueError:
        pass
    text = " ".join(text.split())
    return (text[:300] + "…") if len(text) > 300 else (text or "no reason given")


def send_waiting(outbox: Outbox, client: LrsClient) -> SendResult:
    """Send every waiting statement, a batch at a time, recording each batch the LRS holds
    before the next. Stops at the first failure: what was not sent stays waiting."""
    result = SendResult()
    refused_ids: set[str] = set()
    while True:
        batch = [
            s for s in outbox.xapi_waiting(BATCH + len(refused_ids)) if s["id"] not in refused_ids
        ][:BATCH]
        if not batch:
            break
        try:
            held, refused = client.send(batch)
        except LrsError as exc:
            result.problem = str(exc)
            break
        if held:
            outbox.xapi_mark_sent(held)
            result.sent += len(held)
        result.refused += refused
        refused_ids |= {r.split(":", 1)[0] for r in refused}
    result.waiting = outbox.xapi_waiting_count()
    return result


# --- in the background, after an officer's record -------------------------------------------


class _Background:
    """One thread a process sends what is waiting, woken after records are saved: the
    officer's click never waits for the LRS, and a failure only leaves statements waiting."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._job: tuple[Outbox, LrsSettings] | None = None
        self._thread: threading.Thread | None = None

    def nudge(self, outbox: Outbox, lrs: LrsSettings) -> None:
        with self._lock:
            self._job = (outbox, lrs)  # nudges while a round runs make one more round
            self._lock.notify()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="xapi-sender", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                while self._job is None:
                    self._lock.wait()
                outbox, lrs = self._job
                self._job = None
            try:
                result = send_waiting(outbox, LrsClient(lrs))
            except Exception:  # a bug or the records store away: the statements stay waiting
                logger.exception("sending xAPI statements failed; they stay waiting")
                continue
            if result.problem or result.refused:
                logger.warning(
                    "xAPI: %d sent, %d waiting: %s",
                    result.sent,
                    result.waiting,
                    result.problem or "; ".join(result.refused),
                )


_background = _Background()


def send_soon(outbox: Outbox, lrs: LrsSettings) -> None:
    """Send the waiting statements in this process's sender thread; returns at once."""
    _background.nudge(outbox, lrs)
