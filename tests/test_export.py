"""CSV downloads that open cleanly in Excel: BOM, accents, no formulas, local dates."""

from __future__ import annotations

import csv
import io
import unicodedata
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from tests.factories import attempt, completion
from training.exports import attempts_csv, completions_csv, safe_csv
from training.officers import clean_name
from training.storage.csv_files import ATTEMPT_COLUMNS, COMPLETION_COLUMNS, Ledger

CHICAGO = ZoneInfo("America/Chicago")
HOSTILE = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tTAB", "\rCR", '=HYPERLINK("http://x","y")']


def _rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM so Excel reads accents"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_completions_export_has_the_ledger_columns_and_a_local_date(tmp_path: Path) -> None:
    book = Ledger(tmp_path)
    book.append_completion(completion(1, completed_at="2026-11-28T05:59:00Z"))
    book.append_completion(completion(2, completed_at="2026-11-28T06:00:00Z"))
    rows = _rows(completions_csv(book.read_completions(), CHICAGO))
    assert rows[0] == [*COMPLETION_COLUMNS, "completed_date_local"]
    assert [r[1] for r in rows[1:]] == ["2026-11-28T05:59:00Z", "2026-11-28T06:00:00Z"]
    assert [r[-1] for r in rows[1:]] == ["2026-11-27", "2026-11-28"], "Central time, not UTC"


def test_accents_and_apostrophes_survive(tmp_path: Path) -> None:
    book = Ledger(tmp_path)
    book.append_completion(completion(1, officer_name="Zoë O'Neil-Núñez"))
    rows = _rows(completions_csv(book.read_completions(), CHICAGO))
    assert rows[1][2] == "Zoë O'Neil-Núñez"


def test_names_in_any_script_are_exported_as_signed_in(tmp_path: Path) -> None:
    typed = [
        unicodedata.normalize("NFD", "Nguyễn Thị Minh Khai"),
        "山田 太郎",
        "김민준",
        "مُحَمَّد عَلِي",
        "דוד כהן",
        "क्\u200dष राम",
        "สมชาย ใจดี",
        "Omar محمد Ali",
    ]
    names = [clean_name(name) for name in typed]
    book = Ledger(tmp_path)
    for n, name in enumerate(names):
        book.append_completion(completion(n, officer_name=name))
    rows = _rows(completions_csv(book.read_completions(), CHICAGO))
    assert [row[2] for row in rows[1:]] == names


@pytest.mark.parametrize("hostile", HOSTILE)
def test_no_exported_text_cell_starts_a_formula(hostile: str) -> None:
    table = pd.DataFrame({"officer_name": [hostile], "agency": ["MHP"], "score": [90]})
    rows = _rows(safe_csv(table.astype({"officer_name": "string", "agency": "string"})))
    cell = rows[1][0]
    assert cell == "'" + hostile
    assert rows[1][2] == "90", "numbers stay numbers"


def test_attempts_export_keeps_json_answers_intact(tmp_path: Path) -> None:
    book = Ledger(tmp_path)
    book.append_attempt(attempt(1))
    rows = _rows(attempts_csv(book.read_attempts(), CHICAGO))
    assert rows[0] == [*ATTEMPT_COLUMNS, "submitted_date_local"]
    assert rows[1][ATTEMPT_COLUMNS.index("answers")] == '{"fin-01":[2],"fin-02":[0,3]}'
    assert rows[1][ATTEMPT_COLUMNS.index("badge_number")] == "007"


def test_an_empty_ledger_exports_just_the_header(tmp_path: Path) -> None:
    rows = _rows(completions_csv(Ledger(tmp_path).read_completions(), CHICAGO))
    assert rows == [[*COMPLETION_COLUMNS, "completed_date_local"]]


def test_the_ledger_is_read_again_only_when_it_changes(tmp_path: Path) -> None:
    book = Ledger(tmp_path)
    book.append_completion(completion(1))
    first = book.read_completions()
    assert book.read_completions() is first, "unchanged file: no second parse"
    book.append_completion(completion(2))
    assert len(book.read_completions()) == 2
