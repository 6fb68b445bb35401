"""An uploaded roster: what Excel and records systems really export is read, what cannot be
read is refused with a message naming what was expected, and the officers on it who have not
completed are found."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from training.roster import MAX_ROSTER_BYTES, RosterError, missing_from, read_roster
from training.storage.csv_files import CompletionRecord, Ledger

HINDS = "Hinds County Sheriff's Office"
MHP = "Mississippi Highway Patrol"


def rows(frame: pd.DataFrame) -> list[tuple[str, str, str]]:
    return list(frame[["badge_number", "name", "agency"]].itertuples(index=False, name=None))


def refused(data: bytes, filename: str = "roster.csv") -> str:
    with pytest.raises(RosterError) as caught:
        read_roster(data, filename)
    return str(caught.value)


# --- reading ----------------------------------------------------------------------------------


def test_a_utf8_roster_with_bom_keeps_accents_and_apostrophes() -> None:
    data = "\ufeffbadge_number,name,agency\r\n42,Zoë O'Neil,Hinds County Sheriff's Office\r\n"
    roster = read_roster(data.encode("utf-8"))
    assert list(roster.columns) == ["badge_number", "name", "agency"]
    assert rows(roster) == [("42", "Zoë O'Neil", HINDS)]


def test_a_windows_1252_roster_from_excel_is_decoded() -> None:
    data = "Badge,Name\r\n7,José Núñez\r\n8,Renée D’Arcy\r\n".encode("cp1252")
    assert rows(read_roster(data)) == [("7", "José Núñez", ""), ("8", "Renée D’Arcy", "")]


@pytest.mark.parametrize(
    "header",
    [
        "badge,name",
        "Badge Number,Full Name",
        "BADGE_NUMBER,OFFICER_NAME",
        "Badge or officer ID,Officer Name",
        "Officer ID,name",
        "ID,Name",
        " badge # , name ",
        "name,badge",  # any order
    ],
)
def test_header_spellings_are_recognised(header: str) -> None:
    first = header.split(",")[0]
    badge_first = "name" not in first.casefold()
    line = "ab-12,Ann Lee" if badge_first else "Ann Lee,ab-12"
    roster = read_roster(f"{header}\n{line}\n".encode())
    assert rows(roster) == [("AB-12", "Ann Lee", "")]


def test_agency_or_department_column_and_extra_columns() -> None:
    data = (
        b"Rank,Department,Officer Name,Badge Number,Shift\n"
        b"Sgt,Mississippi Highway Patrol,Ann Lee,9,Day\n"
    )
    assert rows(read_roster(data)) == [("9", "Ann Lee", MHP)]


def test_badges_stay_text_with_leading_zeros_and_are_stored_like_the_app_stores_them() -> None:
    data = b"badge,name\n007,James Bond\n  ab-0012  ,Ann Lee\n00123,=1+1\n"
    assert rows(read_roster(data)) == [
        ("007", "James Bond", ""),
        ("AB-0012", "Ann Lee", ""),
        ("00123", "=1+1", ""),  # a formula is text, never evaluated
    ]


def test_blank_lines_are_skipped_and_file_order_kept() -> None:
    data = b"\n\nbadge,name,agency\n\n3,C,\n,,\n1,A,\n2,B,\n\n"
    assert [badge for badge, _, _ in rows(read_roster(data))] == ["3", "1", "2"]


def test_semicolon_separated_rosters_from_european_excel_are_read() -> None:
    data = b"Badge;Name;Agency\n5;Ann Lee;Mississippi Highway Patrol\n"
    assert rows(read_roster(data)) == [("5", "Ann Lee", MHP)]


def test_quoted_cells_with_commas_stay_whole() -> None:
    data = b'badge,name,agency\n1,"Lee, Ann","Hinds County Sheriff\'s Office"\n'
    assert rows(read_roster(data)) == [("1", "Lee, Ann", HINDS)]


# --- refusing ---------------------------------------------------------------------------------


def test_missing_columns_message_says_what_is_needed_and_what_was_found() -> None:
    message = refused(b"Employee,Dept\nAnn Lee,MHP\n")
    assert message == (
        "The roster needs a badge column and a name column "
        "(for example: badge_number,name,agency). Found: Employee, Dept."
    )


def test_a_roster_without_a_name_column_is_refused() -> None:
    assert "Found: badge, agency." in refused(b"badge,agency\n1,MHP\n")


def test_a_roster_over_five_megabytes_is_refused_with_its_size() -> None:
    data = b"badge,name\n" + b"1,Ann Lee\n" * (6 * 1024 * 1024 // 10)
    assert len(data) > MAX_ROSTER_BYTES
    assert refused(data) == "The roster is 6.0 MB; upload at most 5 MB."


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml",  # .xlsx
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00",  # old .xls
    ],
)
def test_an_excel_workbook_is_refused_with_how_to_save_it_as_csv(data: bytes) -> None:
    message = refused(data, "roster.xlsx")
    assert "roster.xlsx is an Excel workbook, not a CSV file" in message
    assert "CSV UTF-8" in message


def test_binary_data_is_refused() -> None:
    message = refused(b"badge,name\n1,Ann\x00\x00\x01\x02Lee\n", "photo.csv")
    assert "photo.csv is not a CSV text file" in message


def test_utf16_text_is_refused_as_the_wrong_encoding() -> None:
    message = refused("badge\tname\r\n1\tAnn Lee\r\n".encode("utf-16"))
    assert "UTF-16" in message and "CSV UTF-8" in message


def test_bytes_that_are_neither_utf8_nor_windows_1252_are_refused() -> None:
    # 0x81 is undefined in Windows-1252 and not valid UTF-8 here.
    message = refused(b"badge,name\n1,Ann \x81 Lee\n")
    assert "neither UTF-8 nor Windows-1252" in message


@pytest.mark.parametrize("data", [b"", b"   \r\n\r\n", b",,,\n,,\n"])
def test_an_empty_roster_is_refused(data: bytes) -> None:
    assert refused(data).startswith("roster.csv is empty. The roster needs a badge column")


def test_a_header_without_officers_is_refused() -> None:
    assert "no officers" in refused(b"badge,name\n\n")


def test_a_row_without_a_badge_is_refused_naming_the_row() -> None:
    message = refused(b"badge,name\n1,Ann Lee\n  ,Ben Ode\n3,Cy Young\n")
    assert message.startswith("Row 3 of roster.csv has no badge number")
    several = refused(b"Badge,Name\n,A\n,B\n1,C\n")
    assert several.startswith("Rows 2, 3 of roster.csv have no badge number in the “Badge” column")


def test_an_unclosed_quote_is_refused_rather_than_swallowing_the_rest_of_the_file() -> None:
    assert "cannot be read as CSV" in refused(b'badge,name\n1,"Ann Lee\n2,Ben\n')


# --- who has not completed --------------------------------------------------------------------


def completion(badge: str, agency: str) -> CompletionRecord:
    return CompletionRecord(
        record_id=f"rec-{badge}-{agency}",
        completed_at="2026-11-10T15:00:00Z",
        officer_name="Someone",
        badge_number=badge,
        agency=agency,
        course_id="ms-ht-le",
        course_version="v2",
        score_percent=90,
        attempts=1,
        seat_time_minutes=60,
        certificate_code="CODE",
    )


@pytest.fixture
def completions(tmp_path: Path) -> pd.DataFrame:
    book = Ledger(tmp_path / "ledger")
    book.append_completion(completion("AB-12", HINDS))
    book.append_completion(completion("007", MHP))
    return book.read_completions()


def test_missing_from_without_an_agency_column_matches_badges_in_any_case(
    completions: pd.DataFrame,
) -> None:
    roster = read_roster(b"badge,name\n7,Seven\nab-12,Ann Lee\n007,Bond\n99,Nobody\n")
    missing = missing_from(roster, completions)
    assert list(missing.columns) == ["badge_number", "name", "agency"]
    assert rows(missing) == [("7", "Seven", ""), ("99", "Nobody", "")]


def test_missing_from_with_an_agency_needs_the_completion_from_that_agency(
    completions: pd.DataFrame,
) -> None:
    roster = read_roster(
        "badge,name,agency\n"
        "AB-12, Ann Lee , hinds county sheriff's office \n"  # case and spaces aside: done
        f"AB-12,Other Ann,{MHP}\n"  # same badge, other agency: not done
        "007,Bond,\n"  # no agency on this row: the badge is enough
        f"55,Nobody,{MHP}\n".encode()
    )
    missing = missing_from(roster, completions)
    assert rows(missing) == [("AB-12", "Other Ann", MHP), ("55", "Nobody", MHP)]


def test_missing_from_an_empty_ledger_is_the_whole_roster(tmp_path: Path) -> None:
    roster = read_roster(b"badge,name\n2,B\n1,A\n")
    missing = missing_from(roster, Ledger(tmp_path / "none").read_completions())
    pd.testing.assert_frame_equal(missing, roster)
