"""The Coordinator's console with accounts, in AppTest: a username above the password, one
message for any wrong sign-in, a lockout per username and computer, and each account seeing
only its agencies in every tab."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.apptest_helpers import click, labels, open_app, titles
from tests.factories import attempt, completion
from training import auth
from training.content import Course
from training.storage.csv_files import Ledger

PAGE = "training/ui/pages/coordinator.py"
HINDS = "Hinds County Sheriff's Office"
JACKSON = "Jackson Police Department"
STATE_PASSWORD = "the statewide coordinator's password"
HINDS_PASSWORD = "the hinds coordinator's password"
WRONG = "That username or password is not right."


@pytest.fixture(scope="module")
def hashes() -> dict[str, str]:
    return {
        "state": auth.hash_password(STATE_PASSWORD),
        "hinds": auth.hash_password(HINDS_PASSWORD),
    }


@pytest.fixture(autouse=True)
def _fresh_server() -> None:
    st.cache_resource.clear()  # the throttle and the console's tables are one per server


def write_accounts(folder: Path, hashes: dict[str, str], hinds_agencies: str = f'["{HINDS}"]'):  # type: ignore[no-untyped-def]
    (folder / ".streamlit").mkdir(exist_ok=True)
    (folder / ".streamlit" / "secrets.toml").write_text(
        "[[coordinator.accounts]]\n"
        f'username = "state"\npassword_hash = "{hashes["state"]}"\n'
        "[[coordinator.accounts]]\n"
        f'username = "hinds"\npassword_hash = "{hashes["hinds"]}"\n'
        f"agencies = {hinds_agencies}\n",
        encoding="utf-8",
    )


@pytest.fixture
def site(
    tmp_path: Path,
    results_dir: Path,
    hashes: dict[str, str],
    course: Course,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """Accounts in the working folder's secrets.toml; completions and attempts of two agencies."""
    monkeypatch.chdir(tmp_path)
    write_accounts(tmp_path, hashes)
    book = Ledger(results_dir)
    answers = json.dumps({course.final.questions[0].id: [0]})
    people = [
        ("Hana Hinds", "H-1", HINDS),
        ("Hugo Hinds", "H-2", HINDS),
        ("Jack Outside", "J-1", JACKSON),
    ]
    for n, (name, badge, agency) in enumerate(people):
        book.append_completion(completion(n, officer_name=name, badge_number=badge, agency=agency))
        book.append_attempt(
            attempt(n, badge_number=badge, agency=agency, passed=True, answers=answers)
        )
    for n in range(7, 9):
        book.append_attempt(attempt(n, badge_number="J-1", agency=JACKSON, answers=answers))
    return tmp_path


def console() -> AppTest:
    at = open_app()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert titles(at) == ["Coordinator"]
    return at


def sign_in(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="coordinator_username").input(username)
    at.text_input(key="coordinator_password").input(password)
    return click(at, "Sign in")


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def shown_text(at: AppTest) -> str:
    """Everything the page put on screen, tables and charts' data included."""
    parts = [str(at)]
    parts += [df.value.to_csv() for df in at.dataframe]
    for chart in at.get("vega_lite_chart"):
        parts.append(pa.ipc.open_stream(chart.proto.data.data).read_all().to_pandas().to_csv())
    parts += [json.dumps(list(m.options)) for m in at.multiselect]
    return "\n".join(parts)


def test_with_accounts_the_form_asks_for_a_username_above_the_password(site: Path) -> None:
    at = console()
    keys = [t.key for t in at.text_input]
    assert keys == ["coordinator_username", "coordinator_password"]
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert "Sign in" in labels(at) and not at.dataframe


def test_a_statewide_account_sees_every_agency(site: Path) -> None:
    at = sign_in(console(), "state", STATE_PASSWORD)
    assert "**Agencies:** All agencies" in [m.value for m in at.markdown]
    assert metrics(at)["Completions"] == "3" and metrics(at)["Agencies"] == "2"
    assert set(at.dataframe[0].value["Name"]) == {"Hana Hinds", "Hugo Hinds", "Jack Outside"}
    assert list(at.multiselect(key="filter_agencies").options) == [HINDS, JACKSON]


def test_a_one_agency_account_sees_only_its_agency_in_every_tab(site: Path, course: Course) -> None:
    at = sign_in(console(), "HINDS", HINDS_PASSWORD)  # a username in any case
    assert f"**Agencies:** {HINDS}" in [m.value for m in at.markdown]
    assert metrics(at)["Completions"] == "2" and metrics(at)["Agencies"] == "1"
    assert metrics(at)["Finals passed"] == "100%", "Jackson's failed final is not counted"
    assert set(at.dataframe[0].value["Name"]) == {"Hana Hinds", "Hugo Hinds"}
    assert list(at.multiselect(key="filter_agencies").options) == [HINDS]
    text = shown_text(at)
    assert "Jack Outside" not in text and "J-1" not in text and JACKSON not in text
    # Filters the browser sends cannot reach another agency: an agency outside the choices
    # (Streamlit drops it; the store would find nothing for it either), a name, a badge.
    at.multiselect(key="filter_agencies").set_value([JACKSON]).run()
    assert set(at.dataframe[0].value["Name"]) == {"Hana Hinds", "Hugo Hinds"}
    for term in ("Jack Outside", "J-1"):
        at.text_input(key="filter_search").input(term).run()
        assert metrics(at)["Completions"] == "0" and at.dataframe[0].value.empty
    assert "Jack Outside" not in shown_text(at)
    at.text_input(key="filter_search").input("").run()
    at.session_state["coordinator_tab"] = "Question analysis"
    at.run()
    drawn = at.dataframe[0].value
    assert int(drawn["drawn"].max()) == 2, "the two Hinds attempts, not Jackson's three"
    at.session_state["coordinator_tab"] = "Who has not completed"
    at.run()
    assert any("Only completions in your account's agencies count" in m.value for m in at.markdown)
    roster = f"badge,name,agency\nH-1,Hana Hinds,{HINDS}\nJ-1,Jack Outside,{JACKSON}\n"
    at.file_uploader(key="roster_upload").set_value(("roster.csv", roster.encode(), "text/csv"))
    at.run()
    # Jack completed at Jackson; to this account he is like anyone without a record.
    assert list(at.dataframe[0].value["name"]) == ["Jack Outside"]


def test_a_wrong_username_and_a_wrong_password_get_the_same_message(site: Path) -> None:
    wrong_user = sign_in(console(), "nobody", HINDS_PASSWORD)
    wrong_password = sign_in(console(), "hinds", "not the right password")
    for at in (wrong_user, wrong_password):
        assert [w.value for w in at.warning] == [WRONG]
        assert not at.dataframe and "Hana Hinds" not in str(at)


def test_five_wrong_passwords_lock_that_username_on_this_computer_only(site: Path) -> None:
    at = console()
    for _ in range(auth.MAX_FAILURES):
        sign_in(at, "hinds", "a guess at the password")
    sign_in(at, "hinds", HINDS_PASSWORD)
    assert any("Too many wrong sign-ins" in w.value for w in at.warning)
    assert not at.dataframe, "the right password is refused while locked"
    # The same words for a username that does not exist, locked alike.
    other = console()
    for _ in range(auth.MAX_FAILURES):
        sign_in(other, "no-such-user", "a guess at the password")
    sign_in(other, "no-such-user", "a guess at the password")
    assert [w.value for w in other.warning] == [w.value for w in at.warning]
    statewide = sign_in(console(), "state", STATE_PASSWORD)
    assert metrics(statewide)["Completions"] == "3", "another account still signs in"


def test_an_account_seen_after_a_statewide_one_gets_its_own_tables(site: Path) -> None:
    # The console's tables are cached per server: one account's must never serve another.
    statewide = sign_in(console(), "state", STATE_PASSWORD)
    assert metrics(statewide)["Completions"] == "3"
    hinds = sign_in(console(), "hinds", HINDS_PASSWORD)
    assert metrics(hinds)["Completions"] == "2"
    assert list(hinds.multiselect(key="filter_agencies").options) == [HINDS]
    assert "Jack Outside" not in shown_text(hinds)


def test_a_narrowed_or_removed_account_takes_effect_on_the_next_click(
    site: Path, hashes: dict[str, str]
) -> None:
    at = sign_in(console(), "hinds", HINDS_PASSWORD)
    assert metrics(at)["Completions"] == "2"
    write_accounts(site, hashes, hinds_agencies=f'["{JACKSON}"]')
    at.run()
    assert set(at.dataframe[0].value["Name"]) == {"Jack Outside"}
    (site / ".streamlit" / "secrets.toml").write_text(
        f'[[coordinator.accounts]]\nusername = "state"\npassword_hash = "{hashes["state"]}"\n',
        encoding="utf-8",
    )
    at.run()
    assert not at.dataframe and at.text_input(key="coordinator_username")
    assert any("Sign in again" in w.value for w in at.warning)


def test_sign_out_forgets_the_username(site: Path) -> None:
    at = sign_in(console(), "hinds", HINDS_PASSWORD)
    click(at, "Sign out")
    assert at.text_input(key="coordinator_username").value == ""
    assert not at.dataframe


def test_a_bad_accounts_table_stops_the_app_with_the_account_and_the_problem(
    site: Path, hashes: dict[str, str]
) -> None:
    write_accounts(site, hashes, hinds_agencies='"Hinds"')
    at = AppTest.from_file(str(Path(__file__).parent.parent / "app.py"), default_timeout=30)
    at.run()
    assert titles(at) == ["The training is not set up correctly"]
    shown = " ".join(c.value for c in at.code)
    assert "coordinator account 'hinds': agencies must be a list of agency names" in shown
    assert not at.dataframe and "Hana Hinds" not in str(at)
