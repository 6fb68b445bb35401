"""The State Human Trafficking Coordinator's console (script: pages/coordinator.py).

Nothing from the ledger is read, let alone sent to the browser, until the Coordinator has
signed in: every record-showing call sits below the sign-in gate in render().
"""

from __future__ import annotations

import time
from datetime import date

import pandas as pd
import streamlit as st

from training import auth, page_titles, roster
from training.config import Settings
from training.content import Course
from training.exports import attempts_csv, completions_csv, safe_csv
from training.storage import CompletionQuery, Store
from training.ui import console_data
from training.ui.accessibility import page_title, start_at_top
from training.ui.common import (
    client_id,
    course_or_stop,
    escape_markdown,
    open_store_or_stop,
    settings_or_stop,
)

SIGNED_IN = "coordinator_signed_in_at"
MAX_ROWS_SHOWN = 2_000
LAST_SEEN = "coordinator_last_seen"
#: The console's tabs, also named in the page's title.
TABS = ("Completions", "Who has not completed", "Question analysis")
#: Shown instead of an error page while the store cannot be read (the database is away).
RECORDS_AWAY = "The records cannot be reached right now. Wait a minute and reload the page."


def _sso_signed_in() -> bool:
    return bool(getattr(st.user, "is_logged_in", False))


def _sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets.toml at all
        return False


def _sign_out(reason: str | None = None) -> None:
    for key in (SIGNED_IN, LAST_SEEN, "coordinator_password"):
        st.session_state.pop(key, None)
    if reason:
        st.session_state["coordinator_notice"] = reason
    if _sso_signed_in():
        st.logout()


def _try_password(stored_hash: str, store: Store) -> None:
    # The count of wrong passwords is the store's: every server on it refuses alike.
    client = client_id()
    typed = st.session_state.get("coordinator_password", "")
    st.session_state["coordinator_password"] = ""
    try:
        if store.sign_in_locked_seconds(client):
            return
        if typed and auth.verify_password(typed, stored_hash):
            store.sign_in_succeeded(client)
            st.session_state[SIGNED_IN] = st.session_state[LAST_SEEN] = time.time()
            st.session_state.pop("coordinator_notice", None)
        else:
            store.sign_in_failed(client)
            st.session_state["coordinator_notice"] = "That password is not right."
    except OSError:  # the store is away: no sign-in without the shared count of failures
        st.session_state["coordinator_notice"] = RECORDS_AWAY


def _is_signed_in(settings: Settings) -> bool:
    if SIGNED_IN in st.session_state:
        return True
    if _sso_signed_in() and auth.is_allowed_email(
        str(st.user.get("email") or ""), settings.coordinator_emails
    ):
        st.session_state[SIGNED_IN] = st.session_state[LAST_SEEN] = time.time()
        return True
    return False


def _sign_in_form(settings: Settings) -> None:
    stored = settings.coordinator_password_hash
    sso = _sso_configured()
    if not stored and not sso:
        st.info(
            "No Coordinator password is set, so no records are shown. To set one, run "
            "`python -m training hash-password`, type the password, and put the printed hash "
            "in the environment as `TRAINING_COORDINATOR_PASSWORD_HASH` or in "
            "`.streamlit/secrets.toml` under `[coordinator]` as `password_hash`. Then restart "
            "the app.",
            icon=":material/key:",
        )
        return
    notice = st.session_state.get("coordinator_notice")
    if notice:
        st.warning(notice, icon=":material/info:")
    if sso:
        if _sso_signed_in():
            st.error(
                "Your single sign-on account is not on the Coordinator list. Ask the "
                "administrator to add it, or sign out and use the password.",
                icon=":material/block:",
            )
            st.button("Sign out of single sign-on", on_click=st.logout)
        else:
            st.button("Sign in with single sign-on", type="primary", on_click=st.login)
    if not stored:
        return
    try:
        auth.check_hash(stored)
    except auth.PasswordHashError as exc:
        st.error(
            f"The configured Coordinator password hash cannot be used: {exc}. Make a new one "
            "with `python -m training hash-password`.",
            icon=":material/error:",
        )
        return
    store = open_store_or_stop(settings)
    try:
        locked = store.sign_in_locked_seconds(client_id())
    except OSError:
        st.warning(RECORDS_AWAY, icon=":material/cloud_off:")
        return
    if locked:
        minutes = max(1, round(locked / 60))
        st.error(
            f"Too many wrong passwords. Sign-in is refused from this computer for about "
            f"{minutes} more minute{'s' if minutes != 1 else ''}.",
            icon=":material/lock_clock:",
        )
        return
    with st.form("coordinator_sign_in", enter_to_submit=True):
        st.text_input("Password", type="password", key="coordinator_password")
        st.form_submit_button(
            "Sign in", type="primary", on_click=_try_password, args=(stored, store)
        )


@st.fragment(run_every=60)
def _idle_watch() -> None:
    # Runs on its own every minute; it does not count as activity, so an unattended console
    # signs itself out and stops showing records.
    if time.time() - st.session_state.get(LAST_SEEN, 0) > auth.IDLE_TIMEOUT_SECONDS:
        st.rerun()


def _filters(agencies: tuple[str, ...], versions: tuple[str, ...], zone: str) -> CompletionQuery:
    with st.container(border=True):
        search = st.text_input("Search name or badge", key="filter_search")
        left, right = st.columns(2)
        chosen_agencies = left.multiselect("Agency", agencies, key="filter_agencies")
        chosen_versions = right.multiselect("Course version", versions, key="filter_versions")
        no_range: tuple[date, ...] = ()  # an empty range: no date filter until one is picked
        dates = st.date_input(
            "Completed between",
            value=no_range,  # type: ignore[arg-type]
            key="filter_dates",
            format="MM/DD/YYYY",
        )
    start: date | None = dates[0] if len(dates) > 0 else None
    end: date | None = dates[1] if len(dates) > 1 else start
    return CompletionQuery(
        search=search,
        agencies=tuple(chosen_agencies),
        versions=tuple(chosen_versions),
        start=start,
        end=end,
        zone=zone,
    )


def _records_tab(course: Course, settings: Settings) -> None:
    # Filtering, counting and charting happen in the store (SQL with a database): the page
    # gets the figures and the first rows, never every record.
    book = open_store_or_stop(settings)
    query = _filters(*console_data.choices(book), settings.timezone)
    shown = console_data.view(book, query, course.final.id, MAX_ROWS_SHOWN)
    totals = shown.summary
    cols = st.columns(5)
    cols[0].metric("Completions", totals.completions)
    cols[1].metric("Officers", totals.officers)
    cols[2].metric("Agencies", totals.agencies)
    cols[3].metric(
        "Finals passed",
        "—" if totals.pass_rate is None else f"{totals.pass_rate:.0%}",
        help="Share of the final-assessment attempts by the officers shown that passed, "
        "counting the tries they failed before passing.",
    )
    cols[4].metric(
        "Attempts per completion",
        "—" if totals.attempts_per_completion is None else f"{totals.attempts_per_completion:.1f}",
    )
    # Thousands of rows on screen help nobody and cost every click: a page at a time, read
    # from the store; the download has them all.
    on_screen = shown.rows
    pages = -(-totals.completions // MAX_ROWS_SHOWN)
    if pages > 1:
        page = int(
            st.number_input("Page", min_value=1, max_value=pages, value=1, key="records_page")
        )
        st.markdown(
            f"Page {page} of {pages}: {MAX_ROWS_SHOWN:,} of {totals.completions:,} completions "
            "a page. Narrow the filters, or download the CSV for all of them."
        )
        if page > 1:
            on_screen = console_data.page(book, query, page, MAX_ROWS_SHOWN)
    view = pd.DataFrame(
        {
            "Name": on_screen["officer_name"],
            "Badge": on_screen["badge_number"],
            "Agency": on_screen["agency"],
            "Completed": on_screen["completed_display"],
            "Score %": on_screen["score_percent"],
            "Attempts": on_screen["attempts"],
            "Seat time (min)": on_screen["seat_time_minutes"],
            "Hours": course.info.credit_hours,
            "Certificate code": on_screen["certificate_code"],
        }
    )
    st.dataframe(view, hide_index=True, width="stretch")
    st.download_button(
        "Download CSV",
        data=lambda: completions_csv(book.query_completions(query).rows, settings.zone),
        file_name=f"completions-{date.today():%Y%m%d}.csv",
        mime="text/csv",
        on_click="ignore",
        key="download_completions",
    )
    st.download_button(
        "Download attempts CSV",
        data=lambda: attempts_csv(book.read_attempts(), settings.zone),
        file_name=f"attempts-{date.today():%Y%m%d}.csv",
        mime="text/csv",
        on_click="ignore",
        key="download_attempts",
    )
    if totals.completions:
        # Vega-Lite specs written out: st.bar_chart builds an Altair chart and validates it
        # against the whole Vega-Lite schema on every click, about 10 ms of each filter change.
        st.markdown("## Completions per week")
        st.vega_lite_chart(shown.weekly, _bars("week_start", "temporal", "Week starting"))
        st.markdown("## Completions by agency")
        st.vega_lite_chart(shown.by_agency, _bars("agency", "nominal", "Agency", "-y"))


def _bars(x: str, kind: str, title: str, sort: str | None = None) -> dict[str, object]:
    """A Vega-Lite bar chart of `completions` by `x` (sort "-y": the tallest bar first)."""
    axis: dict[str, object] = {"field": x, "type": kind, "title": title}
    if sort:
        axis["sort"] = sort
    return {
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": axis,
            "y": {"field": "completions", "type": "quantitative", "title": "Completions"},
        },
    }


def _roster_tab(settings: Settings) -> None:
    st.markdown(
        "Upload a roster (CSV with a badge column and a name column, and optionally an agency "
        "column) to list who on it has not completed the course."
    )
    upload = st.file_uploader("Roster (CSV)", type=["csv"], key="roster_upload")
    if upload is None:
        return
    try:
        people = roster.read_roster(upload.getvalue(), upload.name)
    except roster.RosterError as exc:
        # The message quotes the file's name and headings: shown as text, never as markup.
        st.error(escape_markdown(str(exc)), icon=":material/error:")
        return
    missing = roster.missing_from(people, open_store_or_stop(settings).read_completions())
    st.metric("Not completed", f"{len(missing)} of {len(people)}")
    st.dataframe(missing, hide_index=True, width="stretch")
    st.download_button(
        "Download the not-completed list",
        data=lambda: safe_csv(missing),
        file_name="not-completed.csv",
        mime="text/csv",
        on_click="ignore",
        key="download_missing",
    )


def _questions_tab(course: Course, settings: Settings) -> None:
    table = console_data.questions(open_store_or_stop(settings), course)
    flagged = int(table["flagged"].sum())
    st.markdown(
        f"How often each question was drawn and answered correctly. {flagged} question"
        f"{'s are' if flagged != 1 else ' is'} answered correctly less than half the time: "
        "read them again for unclear wording."
    )
    st.dataframe(table, hide_index=True, width="stretch")


def render() -> None:
    st.set_page_config(layout="wide")  # tables of records need the width
    settings = settings_or_stop()
    course = course_or_stop(settings)
    st.title("Coordinator")
    if SIGNED_IN in st.session_state:
        idle = time.time() - st.session_state.get(LAST_SEEN, 0)
        if idle > auth.IDLE_TIMEOUT_SECONDS:
            _sign_out("You were signed out after 30 minutes without activity.")
    if not _is_signed_in(settings):
        page_title(page_titles.coordinator())
        _sign_in_form(settings)
        start_at_top("coordinator:sign-in", "Coordinator")
        return
    st.session_state[LAST_SEEN] = time.time()
    _idle_watch()
    st.button("Sign out", key="coordinator_sign_out", on_click=_sign_out)
    # Only the open tab runs: question analysis over every attempt is not worth computing
    # for a Coordinator who came to see completions.
    tabs = st.tabs(list(TABS), key="coordinator_tab", on_change="rerun")
    records, missing, questions = tabs
    shown = [name for name, tab in zip(TABS, tabs, strict=True) if tab.open]
    page_title(page_titles.coordinator(shown[0] if shown else TABS[0]))
    # Not on a change of tab: focus stays on the tab, where the arrow keys choose the next.
    start_at_top("coordinator:console", "Coordinator")
    try:
        if records.open:
            with records:
                _records_tab(course, settings)
        if missing.open:
            with missing:
                _roster_tab(settings)
        if questions.open:
            with questions:
                _questions_tab(course, settings)
    except OSError:  # a StoreWriteError: the database is away
        st.warning(RECORDS_AWAY, icon=":material/cloud_off:")
