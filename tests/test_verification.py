"""Verifying a certificate: genuine codes answer with name, course, date and hours; nothing
made up or altered passes, and malformed codes never reach the ledger."""

from __future__ import annotations

import random
import subprocess
import sys
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.factories import completion
from tests.isolation import outside_project
from training import certificates
from training.certificates.verification import check_certificate, describe
from training.content import Course
from training.storage.csv_files import Ledger

KEY = b"test-secret-key"  # the results_dir fixture sets TRAINING_SECRET_KEY to this
CHICAGO = ZoneInfo("America/Chicago")


@pytest.fixture
def recorded(results_dir: Path, course: Course) -> tuple[Ledger, list[str]]:
    book = Ledger(results_dir)
    codes = [certificates.new_code(KEY) for _ in range(3)]
    for n, code in enumerate(codes):
        book.append_completion(
            completion(
                n,
                officer_name="Zoë O'Neil",
                certificate_code=code,
                course_id=course.info.id,
                completed_at="2026-11-28T05:30:00Z",
            )
        )
    return book, codes


def test_a_genuine_code_names_officer_course_local_date_and_hours(
    recorded: tuple[Ledger, list[str]], course: Course
) -> None:
    book, codes = recorded
    found = check_certificate(codes[0].lower(), book, KEY, course.info, CHICAGO)
    assert found is not None
    assert found.officer_name == "Zoë O'Neil"
    assert found.course_title == course.info.title
    assert found.completed_on == date(2026, 11, 27), "11:30 pm Central is still the 27th"
    assert found.credit_hours == course.info.credit_hours
    assert "B0" not in describe(found), "the badge number is not shown"
    assert "November 27, 2026" in describe(found)


def test_random_and_altered_codes_are_all_refused(
    recorded: tuple[Ledger, list[str]], course: Course
) -> None:
    book, codes = recorded
    rng = random.Random(20261128)
    made_up = ["".join(rng.choice(certificates.ALPHABET) for _ in range(16)) for _ in range(10_000)]
    altered = []
    for _ in range(10_000):
        raw = rng.choice(codes).replace("-", "")
        at = rng.randrange(len(raw))
        symbol = rng.choice([s for s in certificates.ALPHABET if s != raw[at]])
        altered.append(raw[:at] + symbol + raw[at + 1 :])
    accepted = [
        code
        for code in made_up + altered
        if check_certificate(code, book, KEY, course.info, CHICAGO) is not None
    ]
    assert accepted == []


def test_a_malformed_code_is_refused_before_the_ledger_is_read(
    recorded: tuple[Ledger, list[str]], course: Course, monkeypatch: pytest.MonkeyPatch
) -> None:
    book, codes = recorded

    def no_reading(code: str) -> None:
        raise AssertionError("the ledger was consulted for a code that cannot be genuine")

    monkeypatch.setattr(book, "find_certificate", no_reading)
    raw = codes[0].replace("-", "")
    flipped = raw[:-1] + ("2" if raw[-1] != "2" else "3")
    for code in (flipped, "HELLO", "", "'; DROP TABLE--", "x" * 500):
        assert check_certificate(code, book, KEY, course.info, CHICAGO) is None


def test_a_well_formed_code_that_was_never_issued_is_refused(
    results_dir: Path, course: Course
) -> None:
    unissued = certificates.new_code(KEY)
    assert check_certificate(unissued, Ledger(results_dir), KEY, course.info, CHICAGO) is None


def test_verify_command_exit_codes(recorded: tuple[Ledger, list[str]]) -> None:
    _, codes = recorded

    def verify(code: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "training", "verify", code],
            capture_output=True,
            text=True,
            cwd=outside_project(),  # no secrets.toml of the project
            timeout=60,
        )

    good = verify(codes[1])
    assert good.returncode == 0, good.stderr
    assert good.stdout.startswith(f"Valid certificate {codes[1]}: Zoë O'Neil completed")
    bad = verify("ABCD-EFGH-JKLM-NPQR")
    assert bad.returncode == 1 and bad.stdout.startswith("Not a valid certificate")
    assert "Traceback" not in bad.stderr
