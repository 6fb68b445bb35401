"""Demonstration records: the ledger's own format, and never written beside real records."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.isolation import outside_project
from training.certificates.verification import check_certificate
from training.content import Course
from training.reports import question_analysis
from training.storage.csv_files import Ledger


def _demo(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "training", "demo-data", *args],
        capture_output=True,
        text=True,
        cwd=outside_project(),  # no secrets.toml of the project
        timeout=120,
    )


def test_demo_data_is_read_back_as_a_ledger_with_genuine_codes(
    tmp_path: Path, course: Course
) -> None:
    target = tmp_path / "demo"
    done = _demo("--completions", "300", "--attempts", "900", "--results-dir", str(target))
    assert done.returncode == 0, done.stderr
    book = Ledger(target)
    completions, attempts = book.read_completions(), book.read_attempts()
    assert (len(completions), len(attempts)) == (300, 900)
    assert set(attempts["passed"]) <= {"true", "false"}
    code = completions.iloc[0]["certificate_code"]
    key = b"test-secret-key"  # TRAINING_SECRET_KEY in the tests' environment
    assert check_certificate(code, book, key, course.info, ZoneInfo("America/Chicago"))
    analysis = question_analysis(attempts, course)
    assert analysis["drawn"].sum() == 900 * course.final.draw_count


def test_demo_data_never_goes_beside_real_records(tmp_path: Path) -> None:
    target = tmp_path / "real"
    target.mkdir()
    real = b"record_id\r\nreal-1\r\n"
    (target / "completions.csv").write_bytes(real)
    done = _demo("--completions", "5", "--attempts", "5", "--results-dir", str(target))
    assert done.returncode == 1 and "already exists" in done.stderr
    assert "Traceback" not in done.stderr
    assert (target / "completions.csv").read_bytes() == real, "real records untouched"
