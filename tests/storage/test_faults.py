"""The store failing under the app: a database restart, a store error at sign-in, a mangled
resume link, the Coordinator's page while the database is away."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import psycopg
import pytest

from tests import pg
from tests.apptest_helpers import AGENCY, click, labels, open_app, sign_in, titles
from training.auth import ALL_AGENCIES
from training.content import Course
from training.officers import Officer
from training.progress import Progress
from training.storage import Store, close_stores
from training.storage.postgres import DatabaseError, PostgresStore
from training.ui.sign_in import PLACE_UNAVAILABLE

KEY = b"test-secret-key"


@pytest.fixture
def restartable(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[pg.PrivatePostgres, str]]:
    """A server of this test's own (to restart without disturbing the others), migrated, and
    the app configured to use it."""
    server = pg.PrivatePostgres()
    try:
        server.init()
        server.start()
        url = server.database("training")
        monkeypatch.setenv("TRAINING_DATABASE_URL", url)
        monkeypatch.setenv("TRAINING_SEAT_TIME_SCALE", "0")
        yield server, url
    finally:
        close_stores()
        server.remove()


def _restart(server: pg.PrivatePostgres) -> None:
    server.stop()
    server.start()


def _place(url: str, badge: str) -> list[str]:
    """The lessons done in the officer's saved place, read straight from the database."""
    store = PostgresStore(url, KEY)
    token = store.progress_token(Officer("x", badge, AGENCY))
    store.close()
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT data FROM progress WHERE token = %s", (token,)).fetchone()
    assert row is not None
    return Progress.from_json(row[0]).lessons_done


def test_after_a_database_restart_the_store_answers_at_the_first_try(
    restartable: tuple[pg.PrivatePostgres, str],
) -> None:
    server, url = restartable
    store = PostgresStore(url, KEY)
    try:
        token = store.progress_token(Officer("Ann Lee", "R-1", AGENCY))
        assert store.write_problem() is None  # the pool holds a connection now
        _restart(server)
        assert store.load_progress(token) is None, "no error: a fresh connection was used"
        _restart(server)
        assert store.write_problem() is None
        _restart(server)
        assert store.read_completions(ALL_AGENCIES).empty
    finally:
        store.close()


def test_after_a_database_restart_signing_in_finds_the_officers_place(
    restartable: tuple[pg.PrivatePostgres, str],
) -> None:
    server, url = restartable
    at = sign_in(open_app(), badge="RESTART-1")
    click(at, "Next")
    here, done = titles(at), _place(url, "RESTART-1")
    assert done, "a lesson is done"
    _restart(server)
    again = sign_in(open_app(), badge="RESTART-1")
    assert titles(again) == here, "back where the officer was"
    assert _place(url, "RESTART-1") == done


def test_a_place_that_cannot_be_loaded_is_not_started_afresh_over_the_real_one(
    restartable: tuple[pg.PrivatePostgres, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, url = restartable
    at = sign_in(open_app(), badge="LOOKUP-1")
    click(at, "Next")
    here, done = titles(at), _place(url, "LOOKUP-1")

    def fails(self: PostgresStore, token: str) -> None:
        raise DatabaseError(5, "the database cannot be reached")

    with monkeypatch.context() as patched:
        patched.setattr(PostgresStore, "load_progress", fails)
        refused = sign_in(open_app(), badge="LOOKUP-1")
        shown = [e.value.replace("\\", "") for e in refused.error]  # markdown escapes
        assert PLACE_UNAVAILABLE in shown
        assert "Start training" in labels(refused), "still on the sign-in page"
        assert _place(url, "LOOKUP-1") == done, "the saved place is untouched"
    click(refused, "Start training")  # the officer tries again once the store is back
    assert titles(refused) == here
    assert _place(url, "LOOKUP-1") == done


@pytest.mark.parametrize("token", ["\x00", "ab\x00cd", "Z" * 32, "0" * 31 + "\n", "x" * 5000])
def test_a_mangled_resume_link_shows_the_sign_in(
    configured: Store, token: str, course: Course
) -> None:
    assert configured.load_progress(token) is None
    at = open_app({"resume": token})
    assert titles(at) == [course.info.title] and "Start training" in labels(at)


def test_the_coordinator_page_says_the_records_are_away_instead_of_an_error_page(
    restartable: tuple[pg.PrivatePostgres, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from training.auth import hash_password
    from training.ui.coordinator import RECORDS_AWAY

    page = "training/ui/pages/coordinator.py"
    server, _ = restartable
    monkeypatch.setenv("TRAINING_COORDINATOR_PASSWORD_HASH", hash_password("a long password 1"))
    at = open_app()
    at.switch_page(page).run()
    at.text_input(key="coordinator_password").input("a long password 1")
    click(at, "Sign in")
    assert at.get("download_button"), "the records are shown"
    before = open_app()
    server.stop()
    at.run()
    assert not at.exception, "no error page"
    assert any(RECORDS_AWAY in w.value for w in at.warning)
    before.switch_page(page).run()
    assert not before.exception, "no error page before sign-in either"
    assert any(RECORDS_AWAY in w.value for w in before.warning)
    server.start()


def test_a_record_the_database_refuses_says_why(new_database: Callable[..., str]) -> None:
    from tests.factories import completion

    store = PostgresStore(new_database(user="training_app"), KEY)
    try:
        with pytest.raises(ValueError, match=r"refused the record: .*NUL"):
            store.record_completion(completion(1, officer_name="Ann\x00Lee"))
    finally:
        store.close()
