"""The Coordinator's console in Chromium: nothing before sign-in, filter, downloads (CSV,
.xlsx, the certificates ZIP, the records file), roster and its not-completed list."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.browser.conftest import COORDINATOR_PASSWORD, AppServer, wait_idle
from tests.browser.test_officer_journey import axe_check
from tests.factories import completion
from training.storage.csv_files import Ledger

pytestmark = pytest.mark.browser

HOSTILE = '=HYPERLINK("http://attacker.example","open me")'
SEEDED = [
    ("CON-1", "Zoë O'Neil-Núñez", "Mississippi Highway Patrol"),
    ("CON-2", HOSTILE, "Mississippi Highway Patrol"),
    ("CON-3", "Sam Lee", "Hinds County Sheriff's Office"),
]


@pytest.fixture(scope="module")
def seeded(app_server: AppServer) -> list[tuple[str, str, str]]:
    book = Ledger(app_server.results_dir)
    for n, (badge, name, agency) in enumerate(SEEDED):
        book.append_completion(
            completion(900 + n, officer_name=name, badge_number=badge, agency=agency)
        )
    return SEEDED


def _frames_text(frames: list[str | bytes]) -> str:
    return "".join(f.decode("utf-8", "replace") if isinstance(f, bytes) else f for f in frames)


def cell(page: Page, text: str):  # type: ignore[no-untyped-def]
    return page.get_by_role("gridcell", name=text, exact=True, include_hidden=True)


def open_console(page: Page, app_server: AppServer) -> None:
    page.goto(f"{app_server.url}/coordinator")
    expect(page.get_by_role("heading", name="Coordinator", exact=True)).to_be_visible()
    expect(page.get_by_label("Password", exact=True)).to_be_visible()
    wait_idle(page)


def sign_in(page: Page) -> None:
    page.get_by_label("Password", exact=True).fill(COORDINATOR_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    wait_idle(page)


def test_no_record_reaches_the_browser_before_sign_in(
    page: Page, app_server: AppServer, seeded: list[tuple[str, str, str]]
) -> None:
    frames: list[str | bytes] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda frame: frames.append(frame)))
    open_console(page, app_server)
    page.get_by_label("Password", exact=True).fill("a wrong password, twelve+")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_text("That password is not right.")).to_be_visible()
    wait_idle(page)
    received = _frames_text(frames)
    assert received, "the test saw the websocket traffic"
    for badge, name, _ in seeded:
        assert badge not in received and name not in received
    axe_check(page, "the Coordinator sign-in")


def test_filter_download_and_roster(
    page: Page, app_server: AppServer, seeded: list[tuple[str, str, str]], tmp_path: Path
) -> None:
    open_console(page, app_server)
    sign_in(page)
    # st.dataframe draws on a canvas; its cells exist as grid cells for screen readers.
    expect(cell(page, "CON-3")).to_have_count(1)
    axe_check(page, "the Coordinator console")

    page.get_by_label("Agency", exact=True).click()
    page.keyboard.type("Mississippi Highway")
    page.get_by_role("option", name="Mississippi Highway Patrol").click()
    page.keyboard.press("Escape")
    wait_idle(page)
    expect(cell(page, "CON-3")).to_have_count(0)
    expect(cell(page, "CON-1")).to_have_count(1)

    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV", exact=True).click()
    raw = Path(download.value.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "a BOM, so Excel shows the accents"
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows and {r["agency"] for r in rows} == {"Mississippi Highway Patrol"}
    names = {r["badge_number"]: r["officer_name"] for r in rows}
    assert names["CON-1"] == "Zoë O'Neil-Núñez"
    assert names["CON-2"] == "'" + HOSTILE, "the formula arrives as inert text"
    assert all(not v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values())

    page.get_by_role("tab", name="Who has not completed").click()
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "Badge Number,Full Name,Agency\n"
        "CON-1,Zoë O'Neil-Núñez,Mississippi Highway Patrol\n"
        "NEW-9,Pat Doe,Mississippi Highway Patrol\n",
        encoding="utf-8-sig",
    )
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(roster))
    expect(page.get_by_text("1 of 2")).to_be_visible()
    expect(cell(page, "Pat Doe")).to_have_count(1)
    expect(cell(page, "CON-1")).to_have_count(0)
    wait_idle(page)
    bad = tmp_path / "people.csv"
    bad.write_text("Employee,Dept\nX,Y\n", encoding="utf-8")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(bad))
    expect(page.get_by_text("needs a badge column")).to_be_visible()


LAMAR = "Lamar County Sheriff's Office"
LAMAR_RECORDS = [
    ("007214", "=1+1", "LMR1-AAAA-BBBB-CCCC"),
    ("007215", "Zoë Díaz", "LMR2-AAAA-BBBB-CCCC"),
]


def _download(page: Page, label: str, timeout: float = 30_000) -> bytes:
    with page.expect_download(timeout=timeout) as download:
        page.get_by_role("button", name=label, exact=True).click()
    return Path(download.value.path()).read_bytes()


def _sheet(data: bytes) -> list[dict[str, Any]]:
    rows = list(openpyxl.load_workbook(io.BytesIO(data)).worksheets[0].iter_rows())
    headings = [str(c.value) for c in rows[0]]
    return [{h: c for h, c in zip(headings, row, strict=True)} for row in rows[1:]]


def test_the_xlsx_the_certificates_zip_the_records_file_and_the_not_completed_list(
    page: Page, app_server: AppServer, seeded: list[tuple[str, str, str]], tmp_path: Path
) -> None:
    book = Ledger(app_server.results_dir)
    for n, (badge, name, code) in enumerate(LAMAR_RECORDS):
        book.append_completion(
            completion(
                950 + n, officer_name=name, badge_number=badge, agency=LAMAR, certificate_code=code
            )
        )
    open_console(page, app_server)
    sign_in(page)
    page.get_by_label("Agency", exact=True).click()
    page.keyboard.type("Lamar County")
    page.get_by_role("option", name=LAMAR).click()
    page.keyboard.press("Escape")
    wait_idle(page)
    expect(cell(page, "CON-1")).to_have_count(0)
    expect(cell(page, "007214")).to_have_count(1)

    rows = _sheet(_download(page, "Download Excel (.xlsx)"))
    assert [r["badge_number"].value for r in rows] == ["007214", "007215"], "zeros kept"
    first = rows[0]
    assert first["officer_name"].value == "=1+1" and first["officer_name"].data_type == "s"
    assert first["completed_at (America/Chicago)"].value == datetime(2026, 11, 27, 23, 59)

    archive = zipfile.ZipFile(io.BytesIO(_download(page, "Download certificates (ZIP)", 120_000)))
    assert archive.namelist() == [
        f"{badge}-2026-11-27-{code}.pdf" for badge, _, code in LAMAR_RECORDS
    ]
    for name, (_, officer, _) in zip(archive.namelist(), LAMAR_RECORDS, strict=True):
        text = PdfReader(io.BytesIO(archive.read(name))).pages[0].extract_text()
        assert officer in text

    records = _sheet(_download(page, "Download records file Excel (.xlsx)"))
    assert [r["badge_number"].value for r in records] == ["007214", "007215"]
    assert records[1]["officer_name"].value == "Zoë Díaz"
    assert records[1]["hours"].value == 2.0
    assert records[1]["completion_date"].value == datetime(2026, 11, 27)
    csv_rows = list(
        csv.DictReader(
            io.StringIO(_download(page, "Download records file CSV").decode("utf-8-sig"))
        )
    )
    assert [r["officer_name"] for r in csv_rows] == ["'=1+1", "Zoë Díaz"]

    page.get_by_role("tab", name="Who has not completed").click()
    roster = tmp_path / "lamar.csv"
    roster.write_text(
        f"badge,name,agency\n007214,Ann Lee,{LAMAR}\n000042,=Pat Doe,{LAMAR}\n", encoding="utf-8"
    )
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(roster))
    expect(page.get_by_text("1 of 2")).to_be_visible()
    wait_idle(page)
    [missing] = _sheet(_download(page, "Download not-completed Excel (.xlsx)"))
    assert missing["badge_number"].value == "000042"
    assert missing["name"].value == "=Pat Doe" and missing["name"].data_type == "s"
    assert missing["status"].value == "Not completed"
    listed = _download(page, "Download not-completed CSV").decode("utf-8-sig")
    assert "000042,'=Pat Doe" in listed
