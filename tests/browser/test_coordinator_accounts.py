"""Coordinator accounts in Chromium, on a server whose secrets.toml has a statewide account and
a one-agency account: each sees its scope on the page and in every download, and nothing of
another agency reaches the one-agency account's browser, not even in the websocket traffic,
also after the browser sends a crafted filter."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pypdf
import pytest
from playwright.sync_api import Page, WebSocket, WebSocketRoute, expect
from streamlit.proto.BackMsg_pb2 import BackMsg

from tests.browser.conftest import AppServer, start_app, stop_app, wait_idle
from tests.browser.test_officer_journey import axe_check
from tests.factories import attempt, completion
from training.auth import hash_password
from training.storage.csv_files import Ledger

pytestmark = pytest.mark.browser

HINDS = "Hinds County Sheriff's Office"
JACKSON = "Jackson Police Department"
STATE = ("state", "statewide coordinator password")
ONE_AGENCY = ("hinds", "hinds county coordinator password")
#: (badge, name, agency): two officers in scope for the one-agency account, one outside.
INSIDE = [("HIN-41", "Hattie Inscope", HINDS), ("HIN-42", "Harold Inscope", HINDS)]
OUTSIDE = [("JPD-77", "Quentin Outscope", JACKSON)]
OUTSIDE_TEXT = [text for badge, name, _ in OUTSIDE for text in (badge, name)]


@pytest.fixture(scope="module")
def accounts_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """`streamlit run app.py` with the two accounts in its working folder's secrets.toml, and
    completions and attempts of both agencies in its results folder."""
    results_dir = tmp_path_factory.mktemp("accounts-results")
    book = Ledger(results_dir)
    for n, (badge, name, agency) in enumerate(INSIDE + OUTSIDE):
        book.append_completion(
            completion(
                700 + n,
                officer_name=name,
                badge_number=badge,
                agency=agency,
                certificate_code=f"ACCT-{n:04d}-CODE-0000",
            )
        )
        book.append_attempt(attempt(700 + n, badge_number=badge, agency=agency, passed=True))
    logs = tmp_path_factory.mktemp("accounts-logs")
    secrets = logs / "run" / ".streamlit" / "secrets.toml"
    secrets.parent.mkdir(parents=True)
    secrets.write_text(
        "[[coordinator.accounts]]\n"
        f'username = "{STATE[0]}"\npassword_hash = "{hash_password(STATE[1])}"\n\n'
        "[[coordinator.accounts]]\n"
        f'username = "{ONE_AGENCY[0]}"\npassword_hash = "{hash_password(ONE_AGENCY[1])}"\n'
        f'agencies = ["{HINDS}"]\n',
        encoding="utf-8",
    )
    env = {
        "TRAINING_RESULTS_DIR": str(results_dir),
        "TRAINING_SEAT_TIME_SCALE": "0",
        "TRAINING_SECRET_KEY": "test-key",
    }
    process = start_app(env, logs)
    try:
        yield AppServer(process.url, results_dir)  # type: ignore[attr-defined]
    finally:
        stop_app(process)


def cell(page: Page, text: str):  # type: ignore[no-untyped-def]
    return page.get_by_role("gridcell", name=text, exact=True, include_hidden=True)


def sign_in(page: Page, server: AppServer, account: tuple[str, str]) -> None:
    page.goto(f"{server.url}/coordinator")
    username = page.get_by_label("Username", exact=True)
    expect(username).to_be_visible()
    expect(page.get_by_label("Password", exact=True)).to_be_visible()
    wait_idle(page)
    username.fill(account[0])
    page.get_by_label("Password", exact=True).fill(account[1])
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    wait_idle(page)


def download_file(page: Page, button: str) -> tuple[str, bytes]:
    with page.expect_download() as done:
        page.get_by_role("button", name=button, exact=True).click()
    return done.value.suggested_filename, Path(done.value.path()).read_bytes()


def download(page: Page, button: str) -> list[dict[str, str]]:
    _, raw = download_file(page, button)
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def readable(name: str, data: bytes) -> str:
    """Everything a person would read in a downloaded file: a CSV's text, a workbook's cells,
    a ZIP's file names and the text of each certificate in it."""
    if name.endswith(".xlsx"):
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        return " ".join(
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    if name.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            texts = [
                page.extract_text()
                for member in archive.namelist()
                for page in pypdf.PdfReader(io.BytesIO(archive.read(member))).pages
            ]
            return " ".join([*archive.namelist(), *texts])
    return data.decode("utf-8-sig")


def every_download(page: Page) -> dict[str, str]:
    """The readable text of each download button on the tab shown, by its label."""
    buttons = page.locator('[data-testid="stDownloadButton"] button')
    labels = [buttons.nth(i).inner_text().strip() for i in range(buttons.count())]
    assert len(labels) >= 7, f"the console's downloads: {labels}"
    return {label: readable(*download_file(page, label)) for label in labels}


def listen(page: Page) -> list[str | bytes]:
    """Every websocket frame the browser receives from now on."""
    frames: list[str | bytes] = []

    def on_socket(ws: WebSocket) -> None:
        # A function of its own: Playwright keeps a mark on each handler.
        ws.on("framereceived", lambda frame: frames.append(frame))

    page.on("websocket", on_socket)
    return frames


def as_text(frames: list[str | bytes]) -> str:
    return "".join(f.decode("utf-8", "replace") if isinstance(f, bytes) else f for f in frames)


def crafting(page: Page, key: str, value: list[str]) -> list[int]:
    """Routes the app's websocket through the test. While the returned list's first item is 1,
    every rerun the browser asks for carries `value` as the widget `key`'s value instead of
    what was picked (a crafted filter, as a hostile browser could send), and its second item
    counts the messages so changed."""
    on = [0, 0]

    def handle(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def to_server(message: str | bytes) -> None:
            if on[0] and isinstance(message, bytes):
                sent = BackMsg.FromString(message)
                if sent.WhichOneof("type") == "rerun_script":
                    for widget in sent.rerun_script.widget_states.widgets:
                        if widget.id.endswith(f"-{key}"):
                            widget.string_array_value.data[:] = value
                            on[1] += 1
                    message = sent.SerializeToString()
            server.send(message)

        ws.on_message(to_server)
        server.on_message(lambda message: ws.send(message))

    page.route_web_socket(re.compile(r"/_stcore/stream"), handle)
    return on


def test_a_statewide_account_sees_every_agency_on_the_page_and_in_downloads(
    page: Page, accounts_server: AppServer
) -> None:
    sign_in(page, accounts_server, STATE)
    expect(page.get_by_text("Agencies: All agencies", exact=True)).to_be_visible()
    for badge, _, _ in INSIDE + OUTSIDE:
        expect(cell(page, badge)).to_have_count(1)
    completions = download(page, "Download CSV")
    assert {r["badge_number"] for r in completions} == {b for b, _, _ in INSIDE + OUTSIDE}
    assert {r["agency"] for r in completions} == {HINDS, JACKSON}
    attempts = download(page, "Download attempts CSV")
    assert {r["agency"] for r in attempts} == {HINDS, JACKSON}
    for label, text in every_download(page).items():
        for badge, _, _ in INSIDE + OUTSIDE:
            assert badge in text, f"{label}: {badge} missing"


def test_a_one_agency_account_sees_and_receives_only_its_agency(
    page: Page, accounts_server: AppServer, tmp_path: Path
) -> None:
    frames = listen(page)
    craft = crafting(page, "filter_agencies", [JACKSON])
    page.goto(f"{accounts_server.url}/coordinator")
    expect(page.get_by_label("Username", exact=True)).to_be_visible()
    axe_check(page, "the Coordinator sign-in with accounts")
    sign_in(page, accounts_server, ONE_AGENCY)
    expect(page.get_by_text(f"Agencies: {HINDS}", exact=True)).to_be_visible()
    for badge, _, _ in INSIDE:
        expect(cell(page, badge)).to_have_count(1)
    expect(cell(page, OUTSIDE[0][0])).to_have_count(0)

    # The agency filter offers this account's agency only.
    page.get_by_label("Agency", exact=True).click()
    expect(page.get_by_role("option")).to_have_count(1)
    expect(page.get_by_role("option", name=HINDS)).to_be_visible()
    # Picking it sends a crafted rerun that asks for the other agency instead.
    craft[0] = 1
    page.get_by_role("option", name=HINDS).click()
    page.keyboard.press("Escape")
    wait_idle(page)
    craft[0] = 0
    assert craft[1] >= 1, "the crafted filter was sent"
    expect(cell(page, INSIDE[0][0])).to_have_count(1)
    expect(cell(page, OUTSIDE[0][0])).to_have_count(0)
    # So does a search for the other agency's officer, typed in the box.
    search = page.get_by_label("Search name or badge", exact=True)
    search.fill(OUTSIDE[0][1])
    search.press("Enter")
    expect(cell(page, INSIDE[0][0])).to_have_count(0)
    wait_idle(page)
    completions = download(page, "Download CSV")
    assert completions == [], "the search finds no one of this account's agency"
    search.fill("")
    search.press("Enter")
    expect(cell(page, INSIDE[0][0])).to_have_count(1)
    wait_idle(page)

    completions = download(page, "Download CSV")
    assert {r["badge_number"] for r in completions} == {b for b, _, _ in INSIDE}
    assert {r["agency"] for r in completions} == {HINDS}
    attempts = download(page, "Download attempts CSV")
    assert {r["badge_number"] for r in attempts} == {b for b, _, _ in INSIDE}
    for label, text in every_download(page).items():
        assert INSIDE[0][0] in text, f"{label}: the account's own officer is in it"
        for other in [*OUTSIDE_TEXT, JACKSON]:
            assert other not in text, f"{label}: {other!r} is outside the account's scope"
    page.get_by_role("tab", name="Question analysis").click()
    expect(page.get_by_text("How often each question was drawn")).to_be_visible()
    wait_idle(page)

    received = as_text(frames)
    assert HINDS in received and INSIDE[0][1] in received, "the test saw the traffic"
    for text in [*OUTSIDE_TEXT, JACKSON]:
        assert text not in received, f"{text!r} reached the browser"

    # A roster naming the other agency's officer: listed as not completed, as anyone unknown
    # would be (the roster's own row is all that is shown), with nothing from their records.
    page.get_by_role("tab", name="Who has not completed").click()
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "Badge Number,Full Name,Agency\n"
        f"{INSIDE[0][0]},{INSIDE[0][1]},{HINDS}\n"
        f"{OUTSIDE[0][0]},{OUTSIDE[0][1]},{JACKSON}\n"
        f"NEW-1,Pat Unknown,{JACKSON}\n",
        encoding="utf-8",
    )
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(roster))
    expect(page.get_by_text("2 of 3")).to_be_visible()
    wait_idle(page)
    missing = download(page, "Download not-completed CSV")
    assert [r["badge_number"] for r in missing] == [OUTSIDE[0][0], "NEW-1"]
    assert {"badge_number", "name", "agency"} <= set(missing[0])
    outside = next(r for r in missing if r["badge_number"] == OUTSIDE[0][0])
    assert set(outside.values()) <= {OUTSIDE[0][0], OUTSIDE[0][1], JACKSON, "Not completed"}, (
        "the roster's own row and nothing from the other agency's records"
    )
    name, workbook = download_file(page, "Download not-completed Excel (.xlsx)")
    assert readable(name, workbook).count(OUTSIDE[0][0]) == 1
    assert "ACCT-0002-CODE-0000" not in as_text(frames), "no certificate of the other agency"
