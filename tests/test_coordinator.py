"""The Coordinator's console in AppTest: nothing before sign-in, lockout, records, filters."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.apptest_helpers import button, click, labels, open_app, titles
from tests.course_files import edit_yaml
from tests.factories import attempt, completion
from training.auth import hash_password
from training.content import Course
from training.demo import write_demo_ledger
from training.storage.csv_files import Ledger

PASSWORD = "the coordinator's long password"
PAGE = "training/ui/pages/coordinator.py"


@pytest.fixture(scope="module")
def password_hash() -> str:
    return hash_password(PASSWORD)


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    st.cache_resource.clear()  # the login throttle is one per server; each test is a new server


@pytest.fixture
def ledger_with_records(results_dir: Path) -> Ledger:
    book = Ledger(results_dir)
    book.append_completion(
        completion(1, officer_name="Zoë O'Neil", agency="Hinds County Sheriff's Office")
    )
    book.append_completion(
        completion(
            2, officer_name="Sam Lee", agency="Mississippi Highway Patrol", badge_number="MHP-2"
        )
    )
    book.append_completion(
        completion(
            3, officer_name="=HYPERLINK(1)", agency="Mississippi Highway Patrol", badge_number="X-3"
        )
    )
    book.append_attempt(attempt(1))
    return book


def console(monkeypatch: pytest.MonkeyPatch, password_hash: str | None) -> AppTest:
    if password_hash is None:
        monkeypatch.delenv("TRAINING_COORDINATOR_PASSWORD_HASH", raising=False)
    else:
        monkeypatch.setenv("TRAINING_COORDINATOR_PASSWORD_HASH", password_hash)
    at = open_app()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert titles(at) == ["Coordinator"]
    return at


def sign_in(at: AppTest, password: str = PASSWORD) -> AppTest:
    at.text_input(key="coordinator_password").input(password)
    return click(at, "Sign in")


def downloads(at: AppTest) -> list[str]:
    return [d.proto.label for d in at.get("download_button")]


def shows_records(at: AppTest) -> bool:
    return bool(at.dataframe) or bool(downloads(at))


def test_with_no_password_configured_it_says_how_and_shows_nothing(
    monkeypatch: pytest.MonkeyPatch, ledger_with_records: Ledger
) -> None:
    at = console(monkeypatch, None)
    assert any("hash-password" in i.value for i in at.info)
    assert not at.text_input and not shows_records(at)


def test_a_wrong_password_is_refused_and_shows_no_records(
    monkeypatch: pytest.MonkeyPatch, password_hash: str, ledger_with_records: Ledger
) -> None:
    at = sign_in(console(monkeypatch, password_hash), "not the password")
    assert any("That password is not right" in w.value for w in at.warning)
    assert not shows_records(at)
    assert "Zoë O'Neil" not in str(at)


def test_five_wrong_passwords_lock_sign_in_even_for_the_right_one(
    monkeypatch: pytest.MonkeyPatch, password_hash: str, ledger_with_records: Ledger
) -> None:
    at = console(monkeypatch, password_hash)
    for _ in range(5):
        sign_in(at, "guess")
    assert any("Too many wrong passwords" in e.value for e in at.error)
    assert not at.text_input, "no password box while locked"
    fresh = console(monkeypatch, password_hash)  # a new tab from the same client
    assert any("Too many wrong passwords" in e.value for e in fresh.error)
    assert not shows_records(fresh)


def test_the_right_password_shows_counts_records_and_downloads(
    monkeypatch: pytest.MonkeyPatch, password_hash: str, ledger_with_records: Ledger
) -> None:
    at = sign_in(console(monkeypatch, password_hash))
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Completions"] == "3" and metrics["Agencies"] == "2"
    table = at.dataframe[0].value
    assert set(table["Name"]) == {"Zoë O'Neil", "Sam Lee", "=HYPERLINK(1)"}
    assert {"Download CSV", "Download attempts CSV"} <= set(downloads(at))
    assert "Sign out" in labels(at)


def _charts(at: AppTest) -> dict[str, tuple[dict, pd.DataFrame]]:
    """Each chart's x field -> (its Vega-Lite spec, the data drawn)."""
    out = {}
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        data = pa.ipc.open_stream(chart.proto.data.data).read_all().to_pandas()
        out[spec["encoding"]["x"]["field"]] = (spec, data)
    return out


def test_the_charts_count_completions_per_week_and_per_agency_most_first(
    monkeypatch: pytest.MonkeyPatch, password_hash: str, ledger_with_records: Ledger
) -> None:
    at = sign_in(console(monkeypatch, password_hash))
    charts = _charts(at)
    assert set(charts) == {"week_start", "agency"}
    spec, data = charts["agency"]
    assert spec["encoding"]["x"]["sort"] == "-y", "the agency with most completions first"
    assert list(zip(data["agency"], data["completions"], strict=True)) == [
        ("Mississippi Highway Patrol", 2),
        ("Hinds County Sheriff's Office", 1),
    ]
    assert charts["week_start"][1]["completions"].sum() == 3
    at.text_input(key="filter_search").input("mhp-2").run()
    assert charts_total(at) == 1, "the charts follow the filters"


def charts_total(at: AppTest) -> int:
    return int(_charts(at)["agency"][1]["completions"].sum())


def test_filters_narrow_the_table_and_the_counts(
    monkeypatch: pytest.MonkeyPatch, password_hash: str, ledger_with_records: Ledger
) -> None:
    at = sign_in(console(monkeypatch, password_hash))
    at.multiselect(key="filter_agencies").select("Mississippi Highway Patrol").run()
    assert set(at.dataframe[0].value["Agency"]) == {"Mississippi Highway Patrol"}
    assert {m.label: m.value for m in at.metric}["Completions"] == "2"
    at.text_input(key="filter_search").input("mhp-2").run()
    assert list(at.dataframe[0].value["Name"]) == ["Sam Lee"]


def test_an_empty_ledger_shows_zeros_not_an_error(
    monkeypatch: pytest.MonkeyPatch, password_hash: str
) -> None:
    at = sign_in(console(monkeypatch, password_hash))
    assert {m.label: m.value for m in at.metric}["Completions"] == "0"
    assert at.dataframe[0].value.empty


def test_sign_out_and_thirty_idle_minutes_end_the_session(
    monkeypatch: pytest.MonkeyPatch, password_hash: str, ledger_with_records: Ledger
) -> None:
    at = sign_in(console(monkeypatch, password_hash))
    click(at, "Sign out")
    assert not shows_records(at) and at.text_input(key="coordinator_password")
    sign_in(at)
    assert shows_records(at)
    at.session_state["coordinator_last_seen"] = time.time() - 31 * 60
    at.run()
    assert not shows_records(at)
    assert any("30 minutes without activity" in w.value for w in at.warning)


def test_the_console_is_linked_from_the_navigation(results_dir: Path) -> None:
    at = open_app()
    assert button  # the officer page still works
    at.switch_page(PAGE).run()
    assert titles(at) == ["Coordinator"]


def test_single_sign_on_is_offered_when_auth_is_configured(
    monkeypatch: pytest.MonkeyPatch, password_hash: str
) -> None:
    monkeypatch.setenv("TRAINING_COORDINATOR_PASSWORD_HASH", password_hash)
    at = AppTest.from_file(str(Path(__file__).parent.parent / "app.py"), default_timeout=30)
    at.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "test-cookie-secret",
        "client_id": "training",
        "client_secret": "secret",
        "server_metadata_url": "https://login.example.gov/.well-known/openid-configuration",
    }
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert "Sign in with single sign-on" in labels(at)
    assert at.text_input(key="coordinator_password"), "the password stays available"
    assert not shows_records(at)


def test_a_long_result_is_shown_a_page_at_a_time_and_says_how_many_matched(
    monkeypatch: pytest.MonkeyPatch, password_hash: str, results_dir: Path, course: Course
) -> None:
    write_demo_ledger(results_dir, course, b"test-secret-key", completions=2_050, attempts=10)
    at = sign_in(console(monkeypatch, password_hash))
    assert len(at.dataframe[0].value) == 2_000
    assert any("Page 1 of 2: 2,000 of 2,050 completions a page" in m.value for m in at.markdown)
    assert {m.label: m.value for m in at.metric}["Completions"] == "2050"
    first_page = list(at.dataframe[0].value["Certificate code"])
    at.number_input(key="records_page").set_value(2).run()
    second_page = list(at.dataframe[0].value["Certificate code"])
    assert len(second_page) == 50 and not set(second_page) & set(first_page)
    everything = Ledger(results_dir).read_completions()
    assert second_page == list(everything["certificate_code"].iloc[2_000:]), "in the ledger's order"


DOWNLOADS = [
    "Download CSV",
    "Download Excel (.xlsx)",
    "Download attempts CSV",
    "Download attempts Excel (.xlsx)",
    "Download records file CSV",
    "Download records file Excel (.xlsx)",
    "Download certificates (ZIP)",
]


def test_every_download_is_offered_as_csv_and_xlsx_beside_the_certificates_zip(
    monkeypatch: pytest.MonkeyPatch, password_hash: str, ledger_with_records: Ledger
) -> None:
    at = sign_in(console(monkeypatch, password_hash))
    assert downloads(at) == DOWNLOADS
    assert any("No course number is set yet" in m.value for m in at.markdown)
    assert "Due again" not in {m.label for m in at.metric}, "no refresher set: nothing expires"
    assert "Status" not in at.dataframe[0].value.columns


def test_with_refresher_months_the_console_counts_and_marks_who_is_due_again(
    monkeypatch: pytest.MonkeyPatch, password_hash: str, results_dir: Path, course_copy: Path
) -> None:
    edit_yaml(
        course_copy,
        "course.yaml",
        lambda d: d.update(refresher_months=12, course_number="MS-HT-101"),
    )
    monkeypatch.setenv("TRAINING_CONTENT_DIR", str(course_copy))
    book = Ledger(results_dir)
    book.append_completion(completion(1, badge_number="OLD-1", completed_at="2020-01-15T18:00:00Z"))
    book.append_completion(completion(2, badge_number="NEW-2", completed_at="2099-01-15T18:00:00Z"))
    at = sign_in(console(monkeypatch, password_hash))
    assert {m.label: m.value for m in at.metric}["Due again"] == "1"
    table = at.dataframe[0].value
    assert dict(zip(table["Badge"], table["Status"], strict=True)) == {
        "OLD-1": "Due again since 2021-01-15",
        "NEW-2": "Due again on 2100-01-15",
    }
    assert any("course number MS-HT-101" in m.value for m in at.markdown)
