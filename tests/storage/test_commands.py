"""The command line on either backend: export, verify, import-csv; and choosing the backend."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from tests.apptest_helpers import AGENCY, click, open_app, sign_in
from tests.factories import attempt, completion
from training import certificates
from training.__main__ import main
from training.config import ConfigError, load_settings
from training.officers import Officer
from training.progress import Progress
from training.storage import Store, close_stores
from training.storage.csv import CsvStore
from training.storage.postgres import PostgresStore

SECRET = b"test-secret-key"


def _exported(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def test_export_writes_the_completions_of_whichever_store_is_configured(
    configured: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configured.record_completion(completion(1, agency="Jackson Police Department"))
    configured.record_completion(
        completion(2, agency="Jackson Police Department", completed_at="2026-12-02T18:00:00Z")
    )
    configured.record_completion(completion(3, agency="=cmd|' /C calc'!A0"))
    out = tmp_path / "out.csv"
    assert main(["export", "--out", str(out)]) == 0
    rows = _exported(out)
    assert [r["record_id"] for r in rows] == ["rec-1", "rec-2", "rec-3"]
    assert rows[2]["agency"].startswith("'="), "no formula from typed text"
    assert list(rows[0])[:11] == [
        "record_id", "completed_at", "officer_name", "badge_number", "agency", "course_id",
        "course_version", "score_percent", "attempts", "seat_time_minutes", "certificate_code",
    ]  # fmt: skip
    assert "Wrote 3 completions" in capsys.readouterr().out
    args = ["export", "--out", str(out), "--agency", "Jackson Police Department"]
    assert main([*args, "--since", "2026-12-01"]) == 0
    assert [r["record_id"] for r in _exported(out)] == ["rec-2"]
    assert main([*args, "--since", "December"]) == 1
    assert "not YYYY-MM-DD" in capsys.readouterr().err


def test_verify_finds_a_code_on_either_store(
    configured: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    code = certificates.new_code(SECRET)
    configured.record_completion(completion(1, certificate_code=code, course_id="ms-ht-le"))
    assert main(["verify", code]) == 0
    assert "Valid certificate" in capsys.readouterr().out
    assert main(["verify", certificates.new_code(SECRET)]) == 1
    assert "Not a valid certificate" in capsys.readouterr().out


def _csv_site(folder: Path) -> CsvStore:
    site = CsvStore(folder, SECRET)
    site.record_completion(completion(1, officer_name="Zoë O'Neil"))
    site.record_completion(completion(2))
    site.append_attempt(attempt(1))
    site.append_attempt(attempt(2, passed=True, score_percent=90))
    officer = Officer("Ann Lee", "A1", "Jackson Police Department")
    site.save_progress(
        site.progress_token(officer),
        Progress("Ann Lee", "A1", "Jackson Police Department", "ms-ht-le", position=4),
    )
    return site


def _count(url: str, table: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0


def test_import_csv_loads_a_results_folder_once(
    new_database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # type: ignore[no-untyped-def]
    site = _csv_site(tmp_path / "results")
    url = new_database()
    monkeypatch.setenv("TRAINING_DATABASE_URL", url)
    assert main(["import-csv", str(tmp_path / "results")]) == 0
    assert "Imported 2 completions, 2 attempts and 1 saved places" in capsys.readouterr().out
    assert main(["import-csv", str(tmp_path / "results")]) == 0
    assert "Imported 0 completions, 0 attempts" in capsys.readouterr().out
    assert (_count(url, "completions"), _count(url, "attempts")) == (2, 2)
    db = PostgresStore(url, SECRET)
    try:
        assert db.read_completions().equals(site.read_completions()), "the same rows, as read"
        assert db.read_attempts().equals(site.read_attempts())
        officer = Officer("Ann Lee", "a1", "Jackson Police Department")
        place = db.load_progress(db.progress_token(officer))
        assert place is not None and place.position == 4, "the officer resumes on the database"
    finally:
        db.close()


def test_a_malformed_row_is_named_by_file_and_line_and_nothing_is_imported(
    new_database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "results"
    _csv_site(folder)
    with (folder / "attempts.csv").open("a", encoding="utf-8") as fh:
        fh.write("att-9,2026-11-28T05:58:00Z,007,MHP,ms-ht-le,abc,final,101,false,3,{}\r\n")
    url = new_database()
    monkeypatch.setenv("TRAINING_DATABASE_URL", url)
    assert main(["import-csv", str(folder)]) == 1
    err = capsys.readouterr().err
    assert f"{folder / 'attempts.csv'}:4: score_percent: '101'" in err
    assert "nothing was imported" in err and "Traceback" not in err
    assert (_count(url, "completions"), _count(url, "attempts"), _count(url, "progress")) == (
        0,
        0,
        0,
    )


def test_import_csv_without_a_database_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import-csv", str(tmp_path)]) == 1
    assert "no database is configured" in capsys.readouterr().err


def test_a_database_without_a_secret_key_is_refused_by_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRAINING_DATABASE_URL", "postgresql:///training?host=/nowhere")
    monkeypatch.delenv("TRAINING_SECRET_KEY")
    with pytest.raises(ConfigError, match="TRAINING_SECRET_KEY must be set"):
        load_settings()


def test_with_a_database_the_app_writes_nothing_under_results(
    new_database: Callable[[], str],
    results_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = new_database()
    monkeypatch.setenv("TRAINING_DATABASE_URL", url)
    monkeypatch.setenv("TRAINING_SEAT_TIME_SCALE", "0")
    try:
        at = sign_in(open_app(), badge="DB-1")
        click(at, "Next")
        assert not results_dir.exists(), "nothing under results/"
        db = PostgresStore(url, SECRET)
        officer = Officer("x", "DB-1", AGENCY)
        place = db.load_progress(db.progress_token(officer))
        db.close()
        assert place is not None and place.lessons_done, "the place is in the database"
    finally:
        close_stores()


def test_a_server_without_the_secret_key_says_so_on_the_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRAINING_DATABASE_URL", "postgresql:///training?host=/nowhere")
    monkeypatch.delenv("TRAINING_SECRET_KEY")
    at = open_app()
    assert any("TRAINING_SECRET_KEY must be set" in c.value for c in at.code)


def test_a_database_without_its_schema_says_what_to_run(
    postgres,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    with psycopg.connect(postgres.url(), autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS unmigrated WITH (FORCE)")
        conn.execute("CREATE DATABASE unmigrated")
    monkeypatch.setenv("TRAINING_DATABASE_URL", postgres.url("unmigrated"))
    try:
        at = open_app()
        assert any("python -m training migrate" in c.value for c in at.code)
        assert not at.exception
    finally:
        close_stores()
