"""The Coordinator's console in Chromium: nothing before sign-in, filter, download, roster."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

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
