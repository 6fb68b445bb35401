"""xAPI units: the statement of each record, the LRS settings, the command's plain refusals, and
a store that cannot be reached. (Sending to a real LRS: tests/storage/test_xapi_lrs.py.)"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.factories import attempt, completion
from training.__main__ import main
from training.config import ConfigError, LrsSettings, load_settings
from training.xapi import (
    CourseFacts,
    LrsClient,
    LrsError,
    StatementMaker,
    attempt_statement,
    completion_statement,
    send_waiting,
    statement_id,
    statement_maker,
)

PUBLIC = "https://training.dps.ms.gov"
TITLE = "Human Trafficking: Recognize, Respond, Report"


def test_a_completion_statement_says_who_completed_what_when_and_how_well() -> None:
    record = completion(
        1, score_percent=85, seat_time_minutes=142, officer_name="Zoë O'Neil", badge_number="A-7"
    )
    made = completion_statement(record, TITLE, PUBLIC)
    assert made == {
        "id": statement_id("rec-1"),
        "actor": {
            "objectType": "Agent",
            "name": "Zoë O'Neil",
            "account": {"homePage": PUBLIC, "name": "Hinds County Sheriff's Office|A-7"},
        },
        "verb": {
            "id": "http://adlnet.gov/expapi/verbs/completed",
            "display": {"en-US": "completed"},
        },
        "object": {
            "objectType": "Activity",
            "id": f"{PUBLIC}/course/ms-ht-le",
            "definition": {
                "name": {"en-US": TITLE},
                "type": "http://adlnet.gov/expapi/activities/course",
            },
        },
        "result": {
            "success": True,
            "completion": True,
            "score": {"scaled": 0.85, "raw": 85, "min": 0, "max": 100},
            "duration": "PT142M",
        },
        "context": {
            "revision": "abc123def456",
            "extensions": {
                f"{PUBLIC}/xapi/certificate-code": "ABCD-EFGH-JKLM-NPQR",
                f"{PUBLIC}/xapi/final-attempts": 1,
            },
        },
        "timestamp": "2026-11-28T05:59:00Z",
    }


def test_final_attempts_are_passed_or_failed_with_their_score() -> None:
    failed = attempt_statement(attempt(1, score_percent=70, passed=False), TITLE, PUBLIC)
    assert failed["verb"]["id"] == "http://adlnet.gov/expapi/verbs/failed"
    assert failed["result"] == {
        "success": False,
        "completion": False,
        "score": {"scaled": 0.7, "raw": 70, "min": 0, "max": 100},
        "duration": "PT300S",
    }
    assert failed["actor"] == {
        "objectType": "Agent",
        "account": {"homePage": PUBLIC, "name": "Mississippi Highway Patrol|007"},
    }
    assert failed["timestamp"] == "2026-11-28T05:58:00Z"
    passed = attempt_statement(attempt(2, score_percent=95, passed=True), TITLE, PUBLIC)
    assert passed["verb"]["id"] == "http://adlnet.gov/expapi/verbs/passed"
    assert passed["result"]["success"] is True and passed["result"]["score"]["scaled"] == 0.95


def test_the_id_is_the_same_for_the_same_record_and_differs_between_records() -> None:
    assert statement_id("rec-1") == statement_id("rec-1")
    assert statement_id("rec-1") != statement_id("rec-2")
    # Pinned: a changed namespace would give records already sent new ids, sent again.
    assert (
        statement_id("6f1e0f0a9b8c4d2e8f7a6b5c4d3e2f1a") == "dbcc4ecd-efd1-5020-9cc9-fc80dc0fcedc"
    )


def test_only_the_final_and_completions_make_statements() -> None:
    maker = StatementMaker(PUBLIC, lambda: CourseFacts(TITLE, "final"))
    assert maker.for_record(attempt(1, quiz_id="reporting-duties-check")) is None
    assert maker.for_record(attempt(1))["verb"]["display"] == {"en-US": "failed"}  # type: ignore[index]
    assert maker.for_record(completion(1))["object"]["definition"]["name"] == {"en-US": TITLE}  # type: ignore[index]


def test_a_course_id_is_a_safe_path_in_the_activity_id() -> None:
    made = completion_statement(completion(1, course_id="ms ht/le"), TITLE, PUBLIC)
    assert made["object"]["id"] == f"{PUBLIC}/course/ms%20ht%2Fle"


# --- settings -----------------------------------------------------------------------------------


def test_no_endpoint_means_no_xapi(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAINING_LRS_USERNAME", "user")  # credentials alone switch nothing on
    settings = load_settings()
    assert settings.lrs is None and statement_maker(settings) is None


def test_the_endpoint_and_credentials_come_from_the_environment_or_the_lrs_table(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(
        '[lrs]\nendpoint = "https://lrs.example.org/xAPI"\nusername = "site"\npassword = "pw"\n',
        encoding="utf-8",
    )
    assert load_settings().lrs == LrsSettings("https://lrs.example.org/xAPI/", "site", "pw")
    monkeypatch.setenv("TRAINING_LRS_ENDPOINT", "http://127.0.0.1:8100/xAPI/")
    monkeypatch.setenv("TRAINING_LRS_PASSWORD", "from-env")
    lrs = load_settings().lrs
    assert lrs == LrsSettings("http://127.0.0.1:8100/xAPI/", "site", "from-env")
    assert "from-env" not in repr(lrs), "the password is not printed with the settings"


@pytest.mark.parametrize(
    ("endpoint", "message"),
    [
        ("lrs.example.org/xAPI", "must be an http:// or https:// address"),
        ("ftp://lrs.example.org/xAPI", "must be an http:// or https:// address"),
        ("https://", "must be an http:// or https:// address"),
        ("https://lrs.example.org:port/xAPI", "must be the store's xAPI address"),
        ("https://lrs.example.org/xAPI?key=1", "without ?, # or a password"),
        ("https://user:pw@lrs.example.org/xAPI", "without ?, # or a password"),
    ],
)
def test_a_bad_endpoint_is_refused_with_a_clear_message(
    monkeypatch: pytest.MonkeyPatch, endpoint: str, message: str
) -> None:
    monkeypatch.setenv("TRAINING_LRS_ENDPOINT", endpoint)
    monkeypatch.setenv("TRAINING_LRS_USERNAME", "user")
    monkeypatch.setenv("TRAINING_LRS_PASSWORD", "pw")
    with pytest.raises(ConfigError, match=r"TRAINING_LRS_ENDPOINT") as refused:
        load_settings()
    assert message in str(refused.value)
    assert "https://lrs.example.org/xAPI/" in str(refused.value), "it shows what is meant"
    assert "pw@" not in str(refused.value), "a password typed into the address is not shown"


def test_an_endpoint_without_credentials_says_which_are_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRAINING_LRS_ENDPOINT", "https://lrs.example.org/xAPI/")
    monkeypatch.setenv("TRAINING_LRS_USERNAME", "user")
    with pytest.raises(ConfigError, match=r"^TRAINING_LRS_PASSWORD must be set when"):
        load_settings()


# --- the command --------------------------------------------------------------------------------


def test_send_xapi_without_a_store_configured_says_how_to_set_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["send-xapi"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("training send-xapi: no learning record store is configured")
    assert "TRAINING_LRS_ENDPOINT" in err and "[lrs]" in err


def test_send_xapi_with_a_bad_endpoint_says_so_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TRAINING_LRS_ENDPOINT", "lrs.example.org")
    monkeypatch.setenv("TRAINING_LRS_USERNAME", "user")
    monkeypatch.setenv("TRAINING_LRS_PASSWORD", "pw")
    assert main(["send-xapi"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("training: TRAINING_LRS_ENDPOINT must be an http:// or https://")
    assert err.count("\n") == 1


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nothing listens there once closed


class _Outbox:
    """Statements in memory (a unit stand-in for the Store's outbox)."""

    def __init__(self, statements: list[dict[str, object]]) -> None:
        self.statements = statements
        self.sent: list[str] = []

    def xapi_waiting(self, limit: int) -> list[dict[str, object]]:
        return [s for s in self.statements if s["id"] not in self.sent][:limit]

    def xapi_waiting_count(self) -> int:
        return len(self.xapi_waiting(10**6))

    def xapi_mark_sent(self, statement_ids: list[str]) -> None:
        self.sent += statement_ids


def test_an_unreachable_store_keeps_every_statement_waiting() -> None:
    lrs = LrsSettings(f"http://127.0.0.1:{_closed_port()}/xAPI/", "user", "pw")
    outbox = _Outbox([completion_statement(completion(n), TITLE, PUBLIC) for n in range(3)])
    result = send_waiting(outbox, LrsClient(lrs, timeout=5))
    assert (result.sent, result.waiting) == (0, 3) and outbox.sent == []
    assert result.problem is not None
    assert result.problem.startswith(f"cannot reach the learning record store at {lrs.endpoint}")
    with pytest.raises(LrsError, match="cannot reach"):
        LrsClient(lrs, timeout=5).send(outbox.statements)
