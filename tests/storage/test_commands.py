"""The command line on either backend: export, verify, import-csv; and choosing the backend."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from tests import pg
from tests.apptest_helpers import AGENCY, click, open_app, sign_in
from tests.factories import attempt, completion
from training import certificates
from training.__main__ import main
from training.auth import ALL_AGENCIES
from training.config import ConfigError, load_settings, secret_key
from training.officers import Officer, clean_name
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


def test_export_writes_the_records_file_and_the_certificates_and_xlsx_by_its_name(
    configured: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import zipfile

    import openpyxl

    configured.record_completion(
        completion(1, badge_number="007", agency="Jackson Police Department")
    )
    configured.record_completion(completion(2, agency="Mississippi Highway Patrol"))
    only_jackson = ["--agency", "Jackson Police Department"]
    records = tmp_path / "records.csv"
    assert main(["export", "--format", "records", "--out", str(records), *only_jackson]) == 0
    assert "Wrote 1 training records" in capsys.readouterr().out
    [row] = _exported(records)
    assert row["badge_number"] == "007" and row["hours"] == "2.0"
    assert row["completion_date"] == "2026-11-27"
    workbook = tmp_path / "completions.xlsx"
    assert main(["export", "--out", str(workbook)]) == 0
    sheet = openpyxl.load_workbook(workbook).worksheets[0]
    assert [c.value for c in sheet["D"]][1:] == ["007", "B00002"]
    assert sheet["D2"].data_type == "s", "the badge is text: its zeros stay"
    bundle = tmp_path / "certificates.zip"
    assert main(["export", "--format", "certificates", "--out", str(bundle), *only_jackson]) == 0
    assert "Wrote 1 certificates" in capsys.readouterr().out
    with zipfile.ZipFile(bundle) as archive:
        assert archive.namelist() == ["007-2026-11-27-ABCD-EFGH-JKLM-NPQR.pdf"]
        assert archive.read(archive.namelist()[0]).startswith(b"%PDF-")
    assert not list(tmp_path.glob(".*partial")), "no half-written file left behind"


def test_export_gives_names_in_any_script_exactly_as_signed_in(
    configured: Store, tmp_path: Path
) -> None:
    names = [
        clean_name(typed)
        for typed in (
            unicodedata.normalize("NFD", "Nguyễn Thị Minh Khai"),
            "王秀英",
            "김민준",
            "محمد عبد الله",
            "דוד כהן",
            "अनुराग शर्मा",
            "สมชาย ใจดี",
            "Layla Hassan ليلى حسن",
        )
    ]
    for n, name in enumerate(names):
        configured.record_completion(completion(n, officer_name=name, agency="شرطة جامعة"))
    out = tmp_path / "out.csv"
    assert main(["export", "--out", str(out)]) == 0
    rows = _exported(out)
    assert [r["officer_name"] for r in rows] == names
    assert {r["agency"] for r in rows} == {"شرطة جامعة"}
    assert all(unicodedata.is_normalized("NFC", r["officer_name"]) for r in rows)


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
    site.record_completion(
        completion(1, officer_name="Zoë O'Neil", certificate_code=certificates.new_code(SECRET))
    )
    site.record_completion(completion(2, certificate_code=certificates.new_code(SECRET)))
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
        assert db.read_completions(ALL_AGENCIES).equals(site.read_completions(ALL_AGENCIES)), (
            "the same rows, as read"
        )
        assert db.read_attempts(ALL_AGENCIES).equals(site.read_attempts(ALL_AGENCIES))
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
    monkeypatch.setenv("TRAINING_DATABASE_URL", postgres.database("unmigrated", migrated=False))
    try:
        at = open_app()
        assert any("python -m training migrate" in c.value for c in at.code)
        assert not at.exception
    finally:
        close_stores()


def test_a_site_that_never_set_a_key_moves_with_its_certificates_valid(
    new_database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # type: ignore[no-untyped-def]
    """The CSV store made its own key; the database site sets TRAINING_SECRET_KEY to
    hex:<that file>, as docs/deploy.md says, and old certificates still verify."""
    folder = tmp_path / "results"
    monkeypatch.delenv("TRAINING_SECRET_KEY")
    monkeypatch.setenv("TRAINING_RESULTS_DIR", str(folder))
    own_key = secret_key(load_settings())  # created in results/.secret_key
    code = certificates.new_code(own_key)
    CsvStore(folder, own_key).record_completion(
        completion(1, certificate_code=code, course_id="ms-ht-le")
    )
    url = new_database()
    monkeypatch.setenv("TRAINING_DATABASE_URL", url)
    monkeypatch.setenv("TRAINING_SECRET_KEY", "not the key the site used")
    assert main(["import-csv", str(folder)]) == 1
    err = capsys.readouterr().err
    assert f"{folder / 'completions.csv'}:2: certificate_code {code} does not check" in err
    assert "nothing was imported" in err
    assert _count(url, "completions") == 0

    monkeypatch.setenv("TRAINING_SECRET_KEY", "hex:" + (folder / ".secret_key").read_text())
    assert main(["import-csv", str(folder)]) == 0
    capsys.readouterr()
    close_stores()
    assert main(["verify", code]) == 0
    assert "Valid certificate" in capsys.readouterr().out


@pytest.mark.parametrize("value", ["hex:zz", "hex:abcd"])
def test_a_hex_key_that_is_not_one_is_refused(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAINING_SECRET_KEY", value)
    with pytest.raises(ConfigError, match="TRAINING_SECRET_KEY"):
        load_settings()


def _run_cli(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    """The command as an operator runs it: its own process, so stderr is all it prints."""
    env = {**os.environ, "TRAINING_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "training", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        timeout=120,
    )


def test_verify_and_export_with_the_database_away_say_so_in_one_line() -> None:
    away = "postgresql:///training?host=/nowhere"
    for args in (["verify", certificates.new_code(SECRET)], ["export", "--out", "x.csv"]):
        done = _run_cli(*args, url=away)
        assert done.returncode == 1, done
        assert done.stderr.endswith("the database cannot be reached\n"), done.stderr
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_verify_and_export_on_an_unmigrated_database_say_to_migrate(
    postgres: pg.PrivatePostgres,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = postgres.database("unmigrated_cli", migrated=False)
    monkeypatch.setenv("TRAINING_DATABASE_URL", url)
    try:
        for args in (
            ["verify", certificates.new_code(SECRET)],
            ["export", "--out", str(tmp_path / "out.csv")],
        ):
            assert main(args) == 1
            err = capsys.readouterr().err
            assert "run `python -m training migrate`" in err, err
            assert err.count("\n") == 1 and "Traceback" not in err
    finally:
        close_stores()


def test_import_csv_counts_only_the_places_it_added(
    new_database: Callable[[], str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "results"
    _csv_site(folder)
    monkeypatch.setenv("TRAINING_DATABASE_URL", new_database())
    assert main(["import-csv", str(folder)]) == 0
    assert "and 1 saved places" in capsys.readouterr().out
    assert main(["import-csv", str(folder)]) == 0
    assert "Imported 0 completions, 0 attempts and 0 saved places" in capsys.readouterr().out


def test_import_csv_sets_a_torn_last_line_aside_as_the_ledger_does(
    new_database: Callable[[], str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "results"
    _csv_site(folder)
    with (folder / "completions.csv").open("a", encoding="utf-8") as fh:
        fh.write("rec-9,2026-11-28T05:59:00Z,Cut Sh")  # a writer stopped mid-record
    url = new_database()
    monkeypatch.setenv("TRAINING_DATABASE_URL", url)
    assert main(["import-csv", str(folder)]) == 0
    assert "Imported 2 completions" in capsys.readouterr().out
    assert "Cut Sh" in (folder / "completions.csv.quarantine").read_text(encoding="utf-8")
    assert _count(url, "completions") == 2


def test_import_csv_names_a_saved_place_that_is_not_text(
    new_database: Callable[[], str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "results"
    _csv_site(folder)
    bad = folder / "progress" / f"{'f' * 32}.json"
    bad.write_bytes(b'{"name": "\xff"}')
    monkeypatch.setenv("TRAINING_DATABASE_URL", new_database())
    assert main(["import-csv", str(folder)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:1: not a saved place" in err and "Traceback" not in err
    assert "nothing was imported" in err
