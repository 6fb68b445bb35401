"""Downloads that open cleanly in Excel: CSV (BOM, accents, no formulas, local dates) and
.xlsx read back with openpyxl (identifiers as text, real dates, no formulas), the
training-records file, and every download following the console's query."""

from __future__ import annotations

import csv
import io
import unicodedata
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pandas as pd
import pytest

from tests.factories import attempt, completion, table_of
from tests.reliability.hostile import CORPUS
from training.auth import ALL_AGENCIES, Scope
from training.content import Course
from training.exports import (
    MIME,
    attempts_csv,
    attempts_file,
    certificates_file,
    completions_csv,
    completions_file,
    export_query,
    not_completed_file,
    records_file,
    safe_csv,
    tables,
)
from training.exports.tables import RECORDS_COLUMNS
from training.exports.xlsx import MAX_CELL_CHARS, REPLACEMENT, workbook
from training.officers import clean_name
from training.roster import outstanding, read_roster
from training.storage import CompletionPage, CompletionQuery, Store
from training.storage.csv import CsvStore
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


# --- .xlsx --------------------------------------------------------------------------------------

MHP = "Mississippi Highway Patrol"
HINDS = "Hinds County Sheriff's Office"


def sheet_rows(data: bytes) -> list[list[openpyxl.cell.cell.Cell]]:
    """The first sheet's cells, as Excel would load them."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [list(row) for row in book.worksheets[0].iter_rows()]


def by_heading(data: bytes) -> list[dict[str, openpyxl.cell.cell.Cell]]:
    rows = sheet_rows(data)
    headings = [str(c.value) for c in rows[0]]
    return [dict(zip(headings, row, strict=True)) for row in rows[1:]]


def test_the_completions_workbook_keeps_zeros_and_makes_real_local_dates() -> None:
    rows = table_of(
        [completion(1, badge_number="007214", completed_at="2026-11-28T05:59:00Z", attempts=2)]
    )
    data = completions_file_from(rows)
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    assert sheet.title == "Completions"
    assert sheet.freeze_panes == "A2", "the header row stays in view"
    assert all(cell.font.b for cell in sheet[1]), "a bold header"
    assert sheet.column_dimensions["C"].width >= len("officer_name")
    [row] = by_heading(data)
    badge = row["badge_number"]
    assert badge.value == "007214" and badge.data_type == "s" and badge.number_format == "@"
    stamp = row["completed_at (America/Chicago)"]
    assert stamp.is_date and stamp.value == datetime(2026, 11, 27, 23, 59), "Chicago, not UTC"
    day = row["completed_date_local"]
    assert day.is_date and day.value == datetime(2026, 11, 27)
    for column, value in (("score_percent", 90), ("attempts", 2), ("seat_time_minutes", 51)):
        assert row[column].value == value and row[column].data_type == "n", column
    assert row["certificate_code"].value == "ABCD-EFGH-JKLM-NPQR"
    assert [str(c.value) for c in sheet[1]][-1] == "completed_date_local"


def completions_file_from(rows: pd.DataFrame) -> bytes:
    return workbook(tables.completions(rows, CHICAGO), CHICAGO)


@pytest.mark.parametrize("text", ["=1+1", "+", "-", "@", "=", "#N/A", "-2+3", "@SUM(A1)"])
def test_typed_text_is_a_text_cell_never_a_formula_or_an_error(text: str) -> None:
    data = completions_file_from(table_of([completion(1, officer_name=text, agency=text)]))
    [row] = by_heading(data)
    for column in ("officer_name", "agency"):
        cell = row[column]
        assert cell.value == text, "shown exactly as typed, no apostrophe"
        assert cell.data_type == "s", f"{text!r} in {column} is {cell.data_type}, not text"
    raw = _sheet_xml(data)
    assert "<f>" not in raw and "<f " not in raw, "no formula element anywhere in the sheet"


def _sheet_xml(data: bytes) -> str:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode("utf-8")


def test_every_hostile_text_opens_as_text_and_control_characters_do_not_break_the_file() -> None:
    records = [
        completion(i, officer_name=item.text, agency=item.text, badge_number=item.text[:40])
        for i, item in enumerate(CORPUS)
    ]
    records.append(completion(999, officer_name="Smith\x00\x01\x0bJones\ufffe"))
    data = completions_file_from(table_of(records))
    rows = by_heading(data)
    assert len(rows) == len(records), "one row per completion"
    for record, row in zip(records, rows, strict=True):
        cell = row["officer_name"]
        # XML reads a carriage return as a line feed: a line break either way in Excel.
        expected = (
            "".join(
                REPLACEMENT if (ord(ch) < 32 and ch not in "\t\n\r") or ch == "\ufffe" else ch
                for ch in record.officer_name
            )
            .replace("\r\n", "\n")
            .replace("\r", "\n")[:MAX_CELL_CHARS]
        )
        if not expected:
            assert cell.value is None, "an empty name is an empty cell"
            continue
        assert cell.data_type == "s", repr(record.officer_name)
        assert cell.value == expected, repr(record.officer_name)
    assert rows[-1]["officer_name"].value == "Smith\ufffd\ufffd\ufffdJones\ufffd"


def test_the_attempts_workbook_has_booleans_numbers_and_json_as_text(tmp_path: Path) -> None:
    store = CsvStore(tmp_path / "store", b"key")
    store.append_attempt(attempt(1))
    store.append_attempt(attempt(2, passed=True, score_percent=85))
    data = attempts_file(store, ALL_AGENCIES, CHICAGO, "xlsx")
    assert openpyxl.load_workbook(io.BytesIO(data)).worksheets[0].title == "Attempts"
    rows = by_heading(data)
    assert [r["passed"].value for r in rows] == [False, True]
    assert [r["score_percent"].value for r in rows] == [70, 85]
    assert rows[0]["answers"].value == '{"fin-01":[2],"fin-02":[0,3]}'
    assert rows[0]["badge_number"].value == "007"
    assert rows[0]["submitted_at (America/Chicago)"].value == datetime(2026, 11, 27, 23, 58)


def test_an_empty_selection_gives_a_workbook_with_just_the_header() -> None:
    rows = sheet_rows(completions_file_from(table_of([])))
    assert len(rows) == 1 and rows[0][0].value == "record_id"


def test_an_unreadable_timestamp_is_kept_as_text_not_dropped() -> None:
    data = completions_file_from(table_of([completion(1, completed_at="not a time")]))
    [row] = by_heading(data)
    assert row["completed_at (America/Chicago)"].value == "not a time"
    assert row["completed_date_local"].value is None


# --- the training-records file ------------------------------------------------------------------


def test_the_records_file_has_its_documented_columns_in_csv_and_xlsx(
    tmp_path: Path, course: Course
) -> None:
    store = CsvStore(tmp_path / "store", b"key")
    store.record_completion(
        completion(
            1,
            officer_name="=Zoë O'Neil",
            badge_number="007214",
            completed_at="2026-11-28T05:59:00Z",
            score_percent=95,
        )
    )
    info = course.info.model_copy(update={"course_number": "MS-HT-101", "credit_hours": 2.5})
    query = CompletionQuery(scope=ALL_AGENCIES, zone="America/Chicago")
    [header, row] = _rows(records_file(store, query, info, CHICAGO, "csv"))
    assert tuple(header) == RECORDS_COLUMNS
    assert dict(zip(header, row, strict=True)) == {
        "officer_name": "'=Zoë O'Neil",
        "badge_number": "007214",
        "agency": "Hinds County Sheriff's Office",
        "course_title": course.info.title,
        "course_number": "MS-HT-101",
        "hours": "2.5",
        "completion_date": "2026-11-27",
        "score_percent": "95",
        "certificate_code": "ABCD-EFGH-JKLM-NPQR",
    }
    [cells] = by_heading(records_file(store, query, info, CHICAGO, "xlsx"))
    assert tuple(cells) == RECORDS_COLUMNS
    assert cells["officer_name"].value == "=Zoë O'Neil" and cells["officer_name"].data_type == "s"
    assert cells["badge_number"].value == "007214" and cells["badge_number"].data_type == "s"
    assert cells["hours"].value == 2.5 and cells["hours"].data_type == "n"
    assert cells["completion_date"].is_date
    assert cells["completion_date"].value == datetime(2026, 11, 27)
    assert cells["score_percent"].value == 95


def test_the_records_file_hours_default_to_two_and_the_number_is_empty_until_set(
    tmp_path: Path, course: Course
) -> None:
    store = CsvStore(tmp_path / "store", b"key")
    store.record_completion(completion(1))
    info = course.info.model_validate(
        course.info.model_dump(exclude={"credit_hours", "course_number"})
    )
    assert info.credit_hours == 2.0
    [_, row] = _rows(records_file(store, CompletionQuery(scope=ALL_AGENCIES), info, CHICAGO, "csv"))
    values = dict(zip(RECORDS_COLUMNS, row, strict=True))
    assert values["hours"] == "2.0" and values["course_number"] == ""


# --- every download reads the console's selection through the Store -----------------------------


class Recording:
    """A real store that notes how it was read (a test's window onto the query path)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.queries: list[CompletionQuery] = []
        self.other_reads: list[str] = []

    def query_completions(
        self, query: CompletionQuery, offset: int = 0, limit: int | None = None
    ) -> CompletionPage:
        self.queries.append(query)
        return self.store.query_completions(query, offset, limit)

    def read_completions(self, scope: Scope) -> pd.DataFrame:
        self.other_reads.append("read_completions")
        return self.store.read_completions(scope)

    def __getattr__(self, name: str) -> object:
        return getattr(self.store, name)


@pytest.mark.parametrize("download", ["csv", "xlsx", "records", "records-xlsx", "zip"])
def test_every_completion_download_is_the_query_s_selection_read_through_the_store(
    tmp_path: Path, course: Course, download: str
) -> None:
    real = CsvStore(tmp_path / "store", b"key")
    real.record_completion(completion(1, agency=MHP, badge_number="MHP-1"))
    real.record_completion(completion(2, agency=HINDS, badge_number="HCSO-2"))
    real.record_completion(completion(3, agency=MHP, badge_number="MHP-3"))
    store = Recording(real)
    query = CompletionQuery(scope=ALL_AGENCIES, agencies=(MHP,), zone="America/Chicago")
    info, zone = course.info, CHICAGO
    data = {
        "csv": lambda: completions_file(store, query, zone, "csv"),  # type: ignore[arg-type]
        "xlsx": lambda: completions_file(store, query, zone, "xlsx"),  # type: ignore[arg-type]
        "records": lambda: records_file(store, query, info, zone, "csv"),  # type: ignore[arg-type]
        "records-xlsx": lambda: records_file(store, query, info, zone, "xlsx"),  # type: ignore[arg-type]
        "zip": lambda: certificates_file(store, query, info, zone, "http://x"),  # type: ignore[arg-type]
    }[download]()
    assert store.queries and set(store.queries) == {query}, "the console's own query, only"
    assert not store.other_reads, "no read of its own"
    text = _contents(data, download)
    assert "MHP-1" in text and "MHP-3" in text and "HCSO-2" not in text


def _contents(data: bytes, download: str) -> str:
    import zipfile

    if download == "zip":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return " ".join(archive.namelist())
    if download.endswith("xlsx"):
        return " ".join(str(c.value) for row in sheet_rows(data) for c in row)
    return data.decode("utf-8-sig")


def test_the_export_query_is_the_agency_and_the_local_start_date() -> None:
    query = export_query(ALL_AGENCIES, CHICAGO, MHP, date(2026, 12, 1))
    assert query == CompletionQuery(
        scope=ALL_AGENCIES, agencies=(MHP,), start=date(2026, 12, 1), zone="America/Chicago"
    )
    assert export_query(ALL_AGENCIES, CHICAGO, None, None) == CompletionQuery(
        scope=ALL_AGENCIES, zone="America/Chicago"
    )
    one = Scope.of([MHP])
    assert export_query(one, CHICAGO, None, None).scope == one


# --- the roster's not-completed list -------------------------------------------------------------


def test_the_not_completed_list_comes_as_csv_and_xlsx_with_zeros_and_no_formulas() -> None:
    people = read_roster(b"badge,name,agency\n007,=Pat Doe,Hinds County Sheriff's Office\n")
    missing = outstanding(people, table_of([]), CHICAGO)
    [header, row] = _rows(not_completed_file(missing, CHICAGO, "csv"))
    assert header == ["badge_number", "name", "agency", "status"]
    assert row == ["007", "'=Pat Doe", HINDS, "Not completed"]
    [cells] = by_heading(not_completed_file(missing, CHICAGO, "xlsx"))
    assert cells["badge_number"].value == "007" and cells["badge_number"].data_type == "s"
    assert cells["name"].value == "=Pat Doe" and cells["name"].data_type == "s"
    assert cells["status"].value == "Not completed"
    assert MIME["xlsx"].endswith("spreadsheetml.sheet")
