"""The State Human Trafficking Coordinator's console (script: pages/coordinator.py).

Nothing from the ledger is read, let alone sent to the browser, until the Coordinator has
signed in: every record-showing call sits below the sign-in gate in render(), and gets the
signed-in account's scope, which the Store applies to what it reads.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

import pandas as pd
import streamlit as st

from training import auth, exports, page_titles, roster
from training.auth import Scope
from training.config import Settings
from training.content import Course
from training.dates import local_today
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
#: Who signed in (auth.scope_of reads it): the scope is looked up again on every click.
SIGNED_IN_AS = "coordinator_signed_in_as"
MAX_ROWS_SHOWN = 2_000
LAST_SEEN = "coordinator_last_seen"
WRONG_PASSWORD = "That password is not right."
#: The same words whether the username or the password was wrong.
WRONG_ACCOUNT = "That username or password is not right."
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
    for key in (SIGNED_IN, SIGNED_IN_AS, LAST_SEEN, "coordinator_password", "coordinator_username"):
        st.session_state.pop(key, None)
    if reason:
        st.session_state["coordinator_notice"] = reason
    if _sso_signed_in():
        st.logout()


def _locked_notice(seconds: int, accounts: bool) -> str:
    minutes = max(1, round(seconds / 60))
    more = f"{minutes} more minute{'s' if minutes != 1 else ''}"
    if accounts:
        # The same words for a locked username, known or not, and a locked computer.
        return f"Too many wrong sign-ins from this computer. Try again in about {more}."
    return f"Too many wrong passwords. Sign-in is refused from this computer for about {more}."


def _try_sign_in(settings: Settings, store: Store) -> None:
    # The count of wrong tries is the store's: every server on it refuses alike.
    client = client_id()
    accounts = settings.coordinator_accounts
    typed_username = str(st.session_state.get("coordinator_username") or "")
    typed_password = str(st.session_state.get("coordinator_password") or "")
    st.session_state["coordinator_password"] = ""
    # None: the single password; else the typed username as counted, known or not.
    counted = auth.username_key(typed_username) if accounts else None
    try:
        locked = store.sign_in_locked_seconds(counted, client)
        if locked:
            st.session_state["coordinator_notice"] = _locked_notice(locked, bool(accounts))
            return
        if accounts:
            account = auth.authenticate(accounts, typed_username, typed_password)
            signed_in_as = None if account is None else auth.signed_in_as_account(account)
        else:
            stored = settings.coordinator_password_hash or ""
            right = bool(typed_password) and auth.verify_password(typed_password, stored)
            signed_in_as = auth.SIGNED_IN_WITH_PASSWORD if right else None
        if signed_in_as is None:
            store.sign_in_failed(counted, client)
            st.session_state["coordinator_notice"] = WRONG_ACCOUNT if accounts else WRONG_PASSWORD
            return
        store.sign_in_succeeded(counted, client)
    except OSError:  # the store is away: no sign-in without the shared count of failures
        st.session_state["coordinator_notice"] = RECORDS_AWAY
        return
    st.session_state[SIGNED_IN] = st.session_state[LAST_SEEN] = time.time()
    st.session_state[SIGNED_IN_AS] = signed_in_as
    st.session_state.pop("coordinator_notice", None)


def _signed_in_scope(settings: Settings) -> Scope | None:
    """What the signed-in session may see under the settings now, or None: not signed in, or
    no longer allowed (an account removed or narrowed to nothing), and then signed out."""
    if SIGNED_IN not in st.session_state and _sso_signed_in():
        email = str(st.user.get("email") or "")
        if auth.is_allowed_email(email, settings.coordinator_emails):
            st.session_state[SIGNED_IN] = st.session_state[LAST_SEEN] = time.time()
            st.session_state[SIGNED_IN_AS] = auth.signed_in_with_sso(email)
    if SIGNED_IN not in st.session_state:
        return None
    scope = auth.scope_of(
        st.session_state.get(SIGNED_IN_AS, ""),
        settings.coordinator_accounts,
        settings.coordinator_password_hash,
        settings.coordinator_emails,
    )
    if scope is None:
        _sign_out("The Coordinator sign-in settings have changed. Sign in again.")
    return scope


def _sign_in_form(settings: Settings) -> None:
    accounts = settings.coordinator_accounts
    stored = settings.coordinator_password_hash
    sso = _sso_configured()
    if not accounts and not stored and not sso:
        st.info(
            "No Coordinator account or password is set, so no records are shown. To set a "
            "password, run `python -m training hash-password`, type the password, and put the "
            "printed hash in the environment as `TRAINING_COORDINATOR_PASSWORD_HASH` or in "
            "`.streamlit/secrets.toml` under `[coordinator]` as `password_hash`; for accounts "
            "that each see some agencies, see `docs/coordinator.md`. Then restart the app.",
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
    if not accounts and not stored:
        return
    store = open_store_or_stop(settings)
    if not accounts and stored:
        try:
            auth.check_hash(stored)
        except auth.PasswordHashError as exc:
            st.error(
                f"The configured Coordinator password hash cannot be used: {exc}. Make a new "
                "one with `python -m training hash-password`.",
                icon=":material/error:",
            )
            return
        # The single password is counted per computer: a locked computer gets no password box.
        try:
            locked = store.sign_in_locked_seconds(None, client_id())
        except OSError:
            st.warning(RECORDS_AWAY, icon=":material/cloud_off:")
            return
        if locked:
            st.error(_locked_notice(locked, accounts=False), icon=":material/lock_clock:")
            return
    with st.form("coordinator_sign_in", enter_to_submit=True):
        if accounts:
            st.text_input("Username", key="coordinator_username", max_chars=auth.USERNAME_MAX)
        st.text_input("Password", type="password", key="coordinator_password")
        st.form_submit_button(
            "Sign in", type="primary", on_click=_try_sign_in, args=(settings, store)
        )


@st.fragment(run_every=60)
def _idle_watch() -> None:
    # Runs on its own every minute; it does not count as activity, so an unattended console
    # signs itself out and stops showing records.
    if time.time() - st.session_state.get(LAST_SEEN, 0) > auth.IDLE_TIMEOUT_SECONDS:
        st.rerun()


def _filters(
    scope: Scope, agencies: tuple[str, ...], versions: tuple[str, ...], zone: str
) -> CompletionQuery:
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
        scope=scope,
        search=search,
        agencies=tuple(chosen_agencies),
        versions=tuple(chosen_versions),
        start=start,
        end=end,
        zone=zone,
    )


def _records_tab(course: Course, settings: Settings, scope: Scope) -> None:
    # Filtering, counting and charting happen in the store (SQL with a database): the page
    # gets the figures and the first rows, never every record, and none outside the scope.
    book = open_store_or_stop(settings)
    query = _filters(scope, *console_data.choices(book, scope), settings.timezone)
    shown = console_data.view(book, query, course.final.id, MAX_ROWS_SHOWN)
    totals = shown.summary
    months = course.info.refresher_months
    today = local_today(settings.zone)
    cols = st.columns(5 if months is None else 6)
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
    if months is not None:
        cols[5].metric(
            "Due again",
            console_data.officers_due(book, query, months, today),
            help=f"Officers shown whose latest completion is {months} months old or more "
            "(refresher_months in course.yaml).",
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
    if months is not None:
        view["Status"] = console_data.statuses(book, query, on_screen, months, today)
    st.dataframe(view, hide_index=True, width="stretch")
    _downloads(book, query, scope, course, settings, totals.completions)
    if totals.completions:
        # Vega-Lite specs written out: st.bar_chart builds an Altair chart and validates it
        # against the whole Vega-Lite schema on every click, about 10 ms of each filter change.
        st.markdown("## Completions per week")
        st.vega_lite_chart(shown.weekly, _bars("week_start", "temporal", "Week starting"))
        st.markdown("## Completions by agency")
        st.vega_lite_chart(shown.by_agency, _bars("agency", "nominal", "Agency", "-y"))


def _download(
    label: str, build: Callable[[], bytes], name: str, kind: str, key: str, today: date
) -> None:
    # Built only when clicked (a callable), and no rerun after it.
    st.download_button(
        label,
        data=build,
        file_name=f"{name}-{today:%Y%m%d}.{kind}",
        mime=exports.MIME[kind],
        on_click="ignore",
        key=key,
    )


def _downloads(
    book: Store,
    query: CompletionQuery,
    scope: Scope,
    course: Course,
    settings: Settings,
    count: int,
) -> None:
    """Every download of the Completions tab, each built from the selection shown (`query`)."""
    zone, today = settings.zone, local_today(settings.zone)
    st.markdown("## Downloads")
    st.markdown(
        f"The {count:,} completion{'s' if count != 1 else ''} selected above (every page), "
        "as CSV or as an Excel workbook."
    )
    with st.container(horizontal=True):
        _download(
            "Download CSV",
            lambda: exports.completions_file(book, query, zone, "csv"),
            "completions",
            "csv",
            "download_completions",
            today,
        )
        _download(
            "Download Excel (.xlsx)",
            lambda: exports.completions_file(book, query, zone, "xlsx"),
            "completions",
            "xlsx",
            "download_completions_xlsx",
            today,
        )
    st.markdown(
        "Every submitted quiz, passed or not, of every officer"
        + ("." if scope.everything else " in your account's agencies.")
    )
    with st.container(horizontal=True):
        _download(
            "Download attempts CSV",
            lambda: exports.attempts_file(book, scope, zone, "csv"),
            "attempts",
            "csv",
            "download_attempts",
            today,
        )
        _download(
            "Download attempts Excel (.xlsx)",
            lambda: exports.attempts_file(book, scope, zone, "xlsx"),
            "attempts",
            "xlsx",
            "download_attempts_xlsx",
            today,
        )
    number = course.info.course_number
    st.markdown(
        "The training-records file for the state's records system: one row per completion "
        "selected, with the course title, "
        + (f"course number {number}" if number else "course number")
        + f" and {course.info.credit_hours:g} hours."
        + (
            ""
            if number
            else " No course number is set yet, so that column is empty: add "
            "`course_number` to course.yaml."
        )
    )
    with st.container(horizontal=True):
        _download(
            "Download records file CSV",
            lambda: exports.records_file(book, query, course.info, zone, "csv"),
            "training-records",
            "csv",
            "download_records",
            today,
        )
        _download(
            "Download records file Excel (.xlsx)",
            lambda: exports.records_file(book, query, course.info, zone, "xlsx"),
            "training-records",
            "xlsx",
            "download_records_xlsx",
            today,
        )
    st.markdown(
        "One PDF certificate per completion selected, in a ZIP file. Each certificate takes "
        "a moment to draw: narrow the filters to the officers you need."
    )
    _download(
        "Download certificates (ZIP)",
        lambda: exports.certificates_file(book, query, course.info, zone, settings.public_url),
        "certificates",
        "zip",
        "download_certificates",
        today,
    )


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


def _roster_tab(course: Course, settings: Settings, scope: Scope) -> None:
    months = course.info.refresher_months
    due = (
        ""
        if months is None
        else f", or whose latest completion is {months} months old or more (due again)"
    )
    st.markdown(
        "Upload a roster (CSV with a badge column and a name column, and optionally an agency "
        f"column) to list who on it has not completed the course{due}."
    )
    if not scope.everything:
        st.markdown(
            "Only completions in your account's agencies count: an officer of another agency "
            "is listed as not completed."
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
    book = open_store_or_stop(settings)
    zone, today = settings.zone, local_today(settings.zone)
    # The completions through the console's query path: what limits the console limits this.
    done = console_data.completions(book, CompletionQuery(scope=scope, zone=settings.timezone))
    missing = roster.outstanding(people, done, zone, months, today)
    label = "Not completed" if months is None else "Not completed or due again"
    st.metric(label, f"{len(missing)} of {len(people)}")
    st.dataframe(missing, hide_index=True, width="stretch")
    with st.container(horizontal=True):
        _download(
            "Download not-completed CSV",
            lambda: exports.not_completed_file(missing, zone, "csv"),
            "not-completed",
            "csv",
            "download_missing",
            today,
        )
        _download(
            "Download not-completed Excel (.xlsx)",
            lambda: exports.not_completed_file(missing, zone, "xlsx"),
            "not-completed",
            "xlsx",
            "download_missing_xlsx",
            today,
        )


def _questions_tab(course: Course, settings: Settings, scope: Scope) -> None:
    table = console_data.questions(open_store_or_stop(settings), course, scope)
    flagged = int(table["flagged"].sum())
    st.markdown(
        f"How often each question was drawn and answered correctly. {flagged} question"
        f"{'s are' if flagged != 1 else ' is'} answered correctly less than half the time: "
        "read them again for unclear wording."
    )
    st.dataframe(table, hide_index=True, width="stretch")


def render() -> None:
    settings = settings_or_stop()
    course = course_or_stop(settings)
    st.title("Coordinator")
    if SIGNED_IN in st.session_state:
        idle = time.time() - st.session_state.get(LAST_SEEN, 0)
        if idle > auth.IDLE_TIMEOUT_SECONDS:
            _sign_out("You were signed out after 30 minutes without activity.")
    scope = _signed_in_scope(settings)
    if scope is None:
        page_title(page_titles.coordinator(), wide=True)
        _sign_in_form(settings)
        start_at_top("coordinator:sign-in", "Coordinator")
        return
    st.session_state[LAST_SEEN] = time.time()
    _idle_watch()
    st.markdown(f"**Agencies:** {escape_markdown(scope.label)}")
    st.button("Sign out", key="coordinator_sign_out", on_click=_sign_out)
    # Only the open tab runs: question analysis over every attempt is not worth computing
    # for a Coordinator who came to see completions.
    tabs = st.tabs(list(TABS), key="coordinator_tab", on_change="rerun")
    records, missing, questions = tabs
    shown = [name for name, tab in zip(TABS, tabs, strict=True) if tab.open]
    page_title(page_titles.coordinator(shown[0] if shown else TABS[0]), wide=True)
    # Not on a change of tab: focus stays on the tab, where the arrow keys choose the next.
    start_at_top("coordinator:console", "Coordinator")
    try:
        if records.open:
            with records:
                _records_tab(course, settings, scope)
        if missing.open:
            with missing:
                _roster_tab(course, settings, scope)
        if questions.open:
            with questions:
                _questions_tab(course, settings, scope)
    except OSError:  # a StoreWriteError: the database is away
        st.warning(RECORDS_AWAY, icon=":material/cloud_off:")
