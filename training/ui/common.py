"""Wiring every page shares: settings, the course (or the error page), the Report it panel."""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path

import streamlit as st

from training.auth import LoginThrottle, client_address
from training.certificates.verification import MAX_WRONG_CODES, WRONG_CODE_LOCKOUT_SECONDS
from training.config import ConfigError, Settings, load_settings
from training.content import ContentError, Course, load_course
from training.page_titles import problem
from training.storage import Store, open_store
from training.ui.accessibility import page_title, start_at_top
from training.ui.navigation import WHO_TO_CALL, link_to

logger = logging.getLogger(__name__)

#: Back / Next / Continue, in pixels: two fit side by side on a 360-pixel phone and are easy
#: to hit with a thumb.
STEP_BUTTON_WIDTH = 150

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~$:&=])")


def escape_markdown(text: str) -> str:
    """Show typed text as itself in st.markdown: no markup, links, HTML or entities from it,
    and on one line (a line break could start a heading or a list)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _problem_page(title: str, intro: str, lines: list[str]) -> None:
    page_title(problem(title))
    st.title(title)
    st.error(intro)
    st.code("\n".join(lines), language=None, wrap_lines=True)
    start_at_top(f"problem:{title}", title)
    st.stop()


def settings_or_stop() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        # In the server's log too: whoever starts it reads that, not the page.
        logger.error("The training is not set up correctly: %s", exc)
        _problem_page(
            "The training is not set up correctly",
            "A setting has a value the app cannot use. An administrator must correct it.",
            [str(exc)],
        )
        raise AssertionError("unreachable") from exc


#: How often a click looks at the course files again: they change by deployment, and looking
#: (a directory scan and a stat of every file) is among the larger costs of a click.
CONTENT_CHECK_SECONDS = 1.0

_course_seen: dict[Path, tuple[float, Course]] = {}


def course_or_stop(settings: Settings) -> Course:
    """The validated course, parsed once per process and looked at again at most once a
    second; a plain error page when it is broken."""
    root = settings.content_root
    now = time.monotonic()
    seen = _course_seen.get(root)
    if seen is not None and now - seen[0] < CONTENT_CHECK_SECONDS:
        return seen[1]
    try:
        course = load_course(root)
    except ContentError as exc:
        _course_seen.pop(root, None)
        _problem_page(
            "The course cannot be shown",
            "The course files have problems. An administrator must fix them and check the "
            "course with `python -m training validate`. The problems found:",
            [str(p) for p in exc.problems],
        )
        raise AssertionError("unreachable") from exc
    _course_seen[root] = (now, course)
    return course


@st.cache_resource
def verify_throttle() -> LoginThrottle:
    """Slows down anyone trying code after code on the Verify certificate page."""
    return LoginThrottle(max_failures=MAX_WRONG_CODES, lockout_seconds=WRONG_CODE_LOCKOUT_SECONDS)


def client_id() -> str:
    """Who is trying, for the throttles: the client's address (auth.client_address)."""
    address = st.context.ip_address
    peer = address if isinstance(address, str) and address else None
    return client_address(peer, dict(st.context.headers), load_settings().trusted_proxies)


#: How long a successful check that results can be written is trusted within a session.
WRITE_CHECK_SECONDS = 60


def results_writable_or_stop(settings: Settings) -> None:
    """Say plainly, before anyone starts, that results cannot be saved.

    The sign-in page reruns whenever a field is left; the probe (create, fsync, delete) runs at
    most once a minute per session, and every time after a failure."""
    checked_at = st.session_state.get("results_writable_at", 0.0)
    if time.time() - checked_at < WRITE_CHECK_SECONDS:
        return
    problem = open_store_or_stop(settings).write_problem()
    if problem is None:
        st.session_state["results_writable_at"] = time.time()
    elif settings.database_url:
        _problem_page(
            "The training cannot save results right now",
            "The database for training records cannot be used, so no progress or result could "
            "be kept. Nothing has been lost. Please tell your agency's administrator.",
            [f"database: {problem}"],
        )
    else:
        _problem_page(
            "The training cannot save results right now",
            "The folder for training records cannot be written to, so no progress or result "
            "could be kept. Nothing has been lost. Please tell your agency's administrator.",
            [f"{settings.results_dir}: {problem}"],
        )


def open_store_or_stop(settings: Settings) -> Store:
    """The configured Store (made once per process); a plain page when it cannot be opened."""
    try:
        return open_store(settings)
    except OSError as exc:
        _problem_page(
            "The training cannot save results right now",
            "The folder for training records cannot be written to, so no progress or result "
            "could be kept. Nothing has been lost. Please tell your agency's administrator.",
            [f"{settings.results_dir}: {exc.strerror or exc}"],
        )
        raise AssertionError("unreachable") from exc


def _tel(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 10:
        digits = "1" + digits
    return f"tel:+{digits}"


def contact_lines(course: Course) -> list[tuple[str, str, str]]:
    """Each contact as (name, how to reach it, when to use it), escaped for st.markdown."""
    lines = []
    for contact in course.info.contacts.values():
        ways = []
        if contact.phone:
            ways.append(f"call [{contact.phone}]({_tel(contact.phone)})")
        if contact.text:
            ways.append(f"text {escape_markdown(contact.text)}")
        if contact.web:
            ways.append(f"report online at [{contact.web}](https://{contact.web})")
        lines.append(
            (escape_markdown(contact.name), " or ".join(ways), escape_markdown(contact.when))
        )
    return lines


_report_it_texts: dict[str, str] = {}


def _report_it_text(course: Course) -> str:
    """The panel's text, one Markdown element, made once for each version of the course: the
    panel is drawn on every click."""
    text = _report_it_texts.get(course.version)
    if text is None:
        contacts = [f"**{name}**: {ways}  \n{when}" for name, ways, when in contact_lines(course)]
        text = "\n\n".join(["## Report it", *contacts, "In an emergency, call 911."])
        _report_it_texts[course.version] = text
    return text


def report_it_panel(course: Course) -> None:
    """The hotlines, on every course page: tap to call on a phone. The printable card is on
    the Who to call page it links to, not here: the panel is drawn on every click."""
    with st.container(border=True, key="report_it"):
        st.markdown(_report_it_text(course))
        st.page_link(
            link_to(WHO_TO_CALL),
            label="Who to call: all numbers and a printable card",
            icon=":material/call:",
        )
