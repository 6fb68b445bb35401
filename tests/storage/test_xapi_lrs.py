"""xAPI to a real learning record store (Ralph, tests/lrs.py), on both backends: what an officer
records reaches the LRS once, whatever fails on the way: the LRS down, a sender killed, a
statement sent twice. Each test has a public URL of its own (the actors' homePage), so it
finds its own statements among the session's."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from tests import isolation, lrs
from tests.apptest_helpers import answer, click, open_app, sign_in, titles, walk_to_final
from training.__main__ import main
from training.config import PROJECT_ROOT, load_settings
from training.content import Course
from training.grading import draw
from training.officers import Officer
from training.progress import Progress
from training.records import Pending, save_pending, submit
from training.storage import Store, close_stores, open_store
from training.xapi import LrsClient, statement_id, statement_maker

SECRET = b"test-secret-key"
ANN = Officer("Ann Lee", "A-100", "Jackson Police Department")
BOB = Officer("Bob Ray", "B-200", "Mississippi Highway Patrol")


@dataclass
class LrsSite:
    ralph: lrs.Ralph
    public_url: str

    def statements(self) -> list[dict[str, Any]]:
        """What the LRS holds for this test's site."""
        return [
            s
            for s in self.ralph.statements()
            if s["actor"]["account"]["homePage"] == self.public_url
        ]

    def verbs(self) -> list[str]:
        return sorted(verb(s) for s in self.statements())


def verb(statement: dict[str, Any]) -> str:
    return str(statement["verb"]["id"]).rsplit("/", 1)[1]


def _running(ralph: lrs.Ralph) -> None:
    if ralph.process is None or ralph.process.poll() is not None:
        ralph.start()


@pytest.fixture
def lrs_site(lrs_server: lrs.Ralph, monkeypatch: pytest.MonkeyPatch) -> Iterator[LrsSite]:
    """The app and the command line configured to send to the session's Ralph."""
    _running(lrs_server)
    public = f"https://training-{uuid.uuid4().hex[:10]}.example.org"
    monkeypatch.setenv("TRAINING_PUBLIC_URL", public)
    monkeypatch.setenv("TRAINING_LRS_ENDPOINT", lrs_server.endpoint)
    monkeypatch.setenv("TRAINING_LRS_USERNAME", lrs.USERNAME)
    monkeypatch.setenv("TRAINING_LRS_PASSWORD", lrs.PASSWORD)
    yield LrsSite(lrs_server, public)
    close_stores()
    _running(lrs_server)  # a test that stopped it and failed leaves it running for the next


def final(course: Course, progress: Progress, right: bool) -> list[Pending]:
    """The records of one final assessment, all right or all wrong, as the app makes them."""
    quiz = course.final
    drawn = draw(quiz, random.Random(7))
    answers = {}
    for d in drawn:
        question = quiz.question(d.question_id)
        wrong = set(range(len(question.options))) - question.correct_positions
        answers[d.question_id] = sorted(question.correct_positions) if right else [min(wrong)]
    return submit(progress, course, quiz, drawn, answers, 80, SECRET).records


def finish(store: Store, course: Course, officer: Officer, right: bool = True) -> list[Pending]:
    progress = Progress.start(officer, course)
    made = final(course, progress, right)
    save_pending(list(made), store)
    return made


def send(capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["send-xapi"])
    out, err = capsys.readouterr()
    return code, out.strip(), err.strip()


def test_one_completion_makes_one_statement_with_success_and_score_and_again_still_one(
    configured: Store, lrs_site: LrsSite, course: Course, capsys: pytest.CaptureFixture[str]
) -> None:
    store = open_store(load_settings())
    attempt, done = finish(store, course, ANN)
    assert send(capsys) == (0, "Sent 2 statements; 0 waiting.", "")
    got = {verb(s): s for s in lrs_site.statements()}
    assert sorted(got) == ["completed", "passed"]
    completed = got["completed"]
    assert completed["id"] == statement_id(done.record_id)  # type: ignore[union-attr]
    assert completed["actor"]["account"] == {
        "homePage": lrs_site.public_url,
        "name": "Jackson Police Department|A-100",
    }
    assert completed["actor"]["name"] == "Ann Lee"
    assert completed["object"]["id"] == f"{lrs_site.public_url}/course/{course.info.id}"
    assert completed["object"]["definition"]["name"] == {"en-US": course.info.title}
    assert completed["result"]["success"] is True and completed["result"]["completion"] is True
    assert completed["result"]["score"]["scaled"] == 1.0
    assert completed["context"]["revision"] == course.version
    assert completed["timestamp"].startswith(done.completed_at[:19])  # type: ignore[union-attr]
    assert got["passed"]["id"] == statement_id(attempt.attempt_id)  # type: ignore[union-attr]

    assert send(capsys) == (0, "Sent 0 statements; 0 waiting.", "")
    # The very same statements sent again, as by a sender killed before it noted them sent:
    maker = statement_maker(load_settings())
    assert maker is not None
    again = [maker.for_record(r) for r in (attempt, done)]
    held, refused = LrsClient(load_settings().lrs).send(again)  # type: ignore[arg-type]
    assert sorted(held) == sorted(s["id"] for s in again if s) and refused == []
    assert lrs_site.verbs() == ["completed", "passed"], "still one statement each"


def test_a_failed_final_attempt_is_sent_with_its_score(
    configured: Store, lrs_site: LrsSite, course: Course, capsys: pytest.CaptureFixture[str]
) -> None:
    store = open_store(load_settings())
    progress = Progress.start(BOB, course)
    (failed,) = final(course, progress, right=False)
    save_pending([failed], store)
    assert send(capsys) == (0, "Sent 1 statement; 0 waiting.", "")
    (statement,) = lrs_site.statements()
    assert verb(statement) == "failed"
    assert statement["result"]["success"] is False
    assert statement["result"]["completion"] is False
    assert statement["result"]["score"] == {"scaled": 0.0, "raw": 0, "min": 0, "max": 100}
    assert statement["actor"]["account"]["name"] == "Mississippi Highway Patrol|B-200"
    save_pending(final(course, progress, right=True), store)  # the retake passes
    assert send(capsys) == (0, "Sent 2 statements; 0 waiting.", "")
    assert lrs_site.verbs() == ["completed", "failed", "passed"]


def test_with_the_lrs_down_statements_wait_and_are_sent_once_when_it_is_back(
    configured: Store, lrs_site: LrsSite, course: Course, capsys: pytest.CaptureFixture[str]
) -> None:
    store = open_store(load_settings())
    finish(store, course, ANN)
    assert send(capsys)[0] == 0
    lrs_site.ralph.stop()
    finish(store, course, BOB)  # the officer's record is saved all the same
    code, out, err = send(capsys)
    assert code == 1
    assert out == "Sent 0 statements; 2 waiting."
    assert f"cannot reach the learning record store at {lrs_site.ralph.endpoint}" in err
    assert "The 2 waiting statements are kept: run send-xapi again later." in err
    assert "Traceback" not in err
    lrs_site.ralph.start()
    assert send(capsys) == (0, "Sent 2 statements; 0 waiting.", "")
    held = lrs_site.statements()
    assert sorted(verb(s) for s in held) == ["completed", "completed", "passed", "passed"]
    assert len({s["id"] for s in held}) == 4, "none twice"
    names = sorted(s["actor"]["account"]["name"] for s in held if verb(s) == "completed")
    assert names == ["Jackson Police Department|A-100", "Mississippi Highway Patrol|B-200"]


def test_a_server_killed_between_the_record_and_sending_loses_nothing(
    configured: Store, lrs_site: LrsSite, capsys: pytest.CaptureFixture[str]
) -> None:
    script = (
        "import os, random, signal\n"
        "from tests.storage.test_xapi_lrs import ANN, finish\n"
        "from training.config import load_settings\n"
        "from training.content import load_course\n"
        "from training.storage import open_store\n"
        "settings = load_settings()\n"
        "finish(open_store(settings), load_course(settings.content_root), ANN)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=isolation.outside_project(),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert lrs_site.statements() == []
    assert send(capsys) == (0, "Sent 2 statements; 0 waiting.", "")
    assert lrs_site.verbs() == ["completed", "passed"]


def test_a_statement_the_lrs_already_holds_counts_as_sent(
    configured: Store, lrs_site: LrsSite, course: Course, capsys: pytest.CaptureFixture[str]
) -> None:
    store = open_store(load_settings())
    finish(store, course, ANN)
    waiting = store.xapi_waiting(10)
    # Another server sent these ids first, one of them saying something else (an older course
    # title): the LRS keeps the first and answers 409 Conflict for the whole batch.
    first = [
        dict(
            waiting[0],
            object={**waiting[0]["object"], "definition": {"name": {"en-US": "Old title"}}},
        )
    ]
    LrsClient(load_settings().lrs).send(first)  # type: ignore[arg-type]
    assert send(capsys) == (0, "Sent 2 statements; 0 waiting.", "")
    held = lrs_site.statements()
    assert len(held) == 2 and len({s["id"] for s in held}) == 2
    kept = next(s for s in held if s["id"] == waiting[0]["id"])
    assert kept["object"]["definition"]["name"] == {"en-US": "Old title"}, "the first one stays"


def test_wrong_credentials_are_said_plainly_and_nothing_is_lost(
    configured: Store,
    lrs_site: LrsSite,
    course: Course,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    finish(open_store(load_settings()), course, ANN)
    monkeypatch.setenv("TRAINING_LRS_PASSWORD", "not-the-password")
    close_stores()
    code, out, err = send(capsys)
    assert code == 1 and out == "Sent 0 statements; 2 waiting."
    assert "refused the user name and password (HTTP 401)" in err
    monkeypatch.setenv("TRAINING_LRS_PASSWORD", lrs.PASSWORD)
    close_stores()
    assert send(capsys) == (0, "Sent 2 statements; 0 waiting.", "")


def test_the_app_sends_after_the_officer_completes_without_a_command(
    lrs_site: LrsSite, course: Course, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRAINING_SEAT_TIME_SCALE", "0")
    at = walk_to_final(sign_in(open_app(), name="Cy Fox", badge="C-300"), course)
    answer(at, course.final, right=True)
    click(at, "Submit answers")
    assert "Training complete" in titles(at)
    store = open_store(load_settings())
    deadline = time.monotonic() + 60
    # The app's sender thread sends after the click, not during it, and then notes them sent.
    while store.xapi_waiting_count() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert store.xapi_waiting_count() == 0
    assert lrs_site.verbs() == ["completed", "passed"]


def test_a_statement_the_lrs_refuses_stays_waiting_and_the_others_are_sent(
    new_database: Callable[..., str],
    lrs_site: LrsSite,
    course: Course,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = new_database(user="training_app")
    monkeypatch.setenv("TRAINING_DATABASE_URL", url)
    store = open_store(load_settings())
    finish(store, course, ANN)
    broken = str(uuid.uuid4())
    # A statement no LRS may take (no verb), as a faulty older version might have queued it.
    with psycopg.connect(url.replace("user=training_app", "user=postgres")) as conn:
        conn.execute(
            "INSERT INTO xapi_outbox (statement_id, record_id, statement) VALUES (%s, 'x', %s)",
            (broken, Jsonb({"id": broken, "actor": {"mbox": "mailto:a@example.org"}})),
        )
    code, out, err = send(capsys)
    assert (code, out) == (1, "Sent 2 statements; 1 waiting."), err
    assert err.startswith(f"training send-xapi: the store refused statement {broken}: ")
    assert lrs_site.verbs() == ["completed", "passed"]
