"""A lesson's countdown in Chromium: the browser counts the seconds down, the server reruns it
only every 30 s or so (and when the time is up, which enables "Next" with no click), and it
reads as the lesson's text does, for the eye and for a screen reader.

The server runs at the real seat time (TRAINING_SEAT_TIME_SCALE=1); each test opens lesson 1
through a saved place (the `resume` link) with as much of its reading time credited as leaves
the seconds it needs. What the page and the server say to each other is read off the page's
websocket: the `BackMsg`s the page sends (each one asks the server for a script run) and the
`ForwardMsg`s it receives (among them the fragment's interval, `auto_rerun`).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Locator, Page, WebSocket, expect
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.browser import a11y
from tests.browser.a11y import AGENCY
from tests.browser.conftest import AppServer, axe_violations, start_app, stop_app, wait_idle
from training.content import Course, minimum_seconds
from training.officers import Officer
from training.progress import COUNTDOWN_MAX_INTERVAL_SECONDS, Progress, countdown_interval
from training.storage.csv import CsvStore
from training.ui.lesson import COUNTDOWN_HIDDEN_TEXT

pytestmark = pytest.mark.browser

#: The countdown's sentence, as the server draws it and as the browser keeps it.
SENTENCE = re.compile(r"^Next is available in (\d+):(\d\d)\. Take your time with the lesson\.$")
#: Longer than the seconds a test waits for "Next", with room for a loaded machine.
NEXT_TIMEOUT_MS = 40_000


@pytest.fixture(scope="module")
def real_time_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """`streamlit run app.py` with lessons at their real minimum reading time."""
    results_dir = tmp_path_factory.mktemp("countdown-results")
    env = {
        "TRAINING_RESULTS_DIR": str(results_dir),
        "TRAINING_SEAT_TIME_SCALE": "1",
        "TRAINING_SECRET_KEY": "test-key",
    }
    process = start_app(env, tmp_path_factory.mktemp("countdown-logs"))
    try:
        yield AppServer(process.url, results_dir)  # type: ignore[attr-defined]
    finally:
        stop_app(process)


@dataclass
class Wire:
    """The page's websocket traffic, in the order it happened."""

    sent: list[BackMsg] = field(default_factory=list)
    #: Each ForwardMsg received, with how many BackMsgs had been sent by then.
    received: list[tuple[int, ForwardMsg]] = field(default_factory=list)

    def listen(self, page: Page) -> None:
        def on_socket(socket: WebSocket) -> None:
            socket.on("framesent", self._sent)
            socket.on("framereceived", self._received)

        page.on("websocket", on_socket)

    def _sent(self, payload: str | bytes) -> None:
        assert isinstance(payload, bytes), "Streamlit's messages are binary"
        self.sent.append(BackMsg.FromString(payload))

    def _received(self, payload: str | bytes) -> None:
        assert isinstance(payload, bytes), "Streamlit's messages are binary"
        self.received.append((len(self.sent), ForwardMsg.FromString(payload)))

    def intervals(self) -> list[float]:
        """The rerun intervals the server asked for, in order."""
        return [m.auto_rerun.interval for _, m in self.received if m.HasField("auto_rerun")]


def ends_with_the_time(interval: float, shown: int) -> bool:
    """Whether reruns `interval` apart, from when the page showed `shown` seconds (a whole
    number, rounded up from the time left), have one land when the time is up: within that
    last second (the interval comes from the time left to the fraction; it travels as a 32-bit
    float)."""
    reruns = -(-shown // COUNTDOWN_MAX_INTERVAL_SECONDS)
    return shown - 1 < reruns * interval < reruns * countdown_interval(shown) + 1e-4


def open_lesson(page: Page, app: AppServer, course: Course, left: int) -> None:
    """Lesson 1 for a new officer, `left` seconds of its minimum reading time still to go."""
    store = CsvStore(app.results_dir, b"test-key")  # the app server's TRAINING_SECRET_KEY
    officer = Officer("Pat Doe", f"CD-{uuid.uuid4().hex[:8].upper()}", AGENCY)
    place = Progress.start(officer, course, store.completions_mark(), store.attempts_mark())
    lesson = course.lessons[0]
    place.lesson_seconds[lesson.id] = float(minimum_seconds(lesson, 1.0) - left)
    token = store.progress_token(officer)
    store.save_progress(token, place)
    page.goto(f"{app.url}/?resume={token}")
    expect(page.get_by_role("heading", name=lesson.title, exact=True)).to_be_visible(
        timeout=a11y.LOAD_TIMEOUT_MS
    )
    wait_idle(page)


def timer(page: Page) -> Locator:
    return page.get_by_role("timer")


def shown(page: Page) -> int:
    """The seconds left that the countdown shows, read as the officer reads them."""
    sentence = page.locator("p", has=timer(page)).inner_text().strip()
    found = SENTENCE.match(sentence)
    assert found, f"not the countdown's sentence: {sentence!r}"
    return int(found[1]) * 60 + int(found[2])


def next_button(page: Page) -> Locator:
    return page.get_by_role("button", name="Next", exact=True)


def test_the_browser_counts_down_and_next_opens_when_the_time_is_up(
    page: Page, real_time_server: AppServer, course: Course
) -> None:
    wire = Wire()
    wire.listen(page)
    open_lesson(page, real_time_server, course, left=9)
    expect(next_button(page)).to_be_disabled()
    figure = int(timer(page).get_attribute("data-countdown-left") or "")
    assert 0 < figure <= 9
    # One rerun, when the time is up: the page asked for no other.
    assert len(wire.intervals()) == 1 and ends_with_the_time(wire.intervals()[0], figure)
    asked = len(wire.sent)

    first = shown(page)
    page.wait_for_function(
        "([el, text]) => el.textContent !== text",
        arg=[timer(page).element_handle(), f"{first // 60}:{first % 60:02d}"],
    )
    second = shown(page)
    assert 0 < first - second <= 2, "second by second (a loaded machine may skip one)"
    assert len(wire.sent) == asked, "the browser drew the new second without the server"

    lesson_heading = page.get_by_role("heading", name=course.lessons[0].title, exact=True)
    expect(lesson_heading).to_be_focused()  # where a new step puts focus
    expect(next_button(page)).to_be_enabled(timeout=NEXT_TIMEOUT_MS)
    expect(timer(page)).to_have_count(0)
    expect(lesson_heading).to_be_focused()  # the redraw left focus where it was
    # A second a rerun would be 9 here; one to credit the time and enable "Next" is what a
    # real browser asks for, and a retry or two is allowed.
    assert 1 <= len(wire.sent) - asked <= 3, [m.WhichOneof("type") for m in wire.sent[asked:]]
    assert wire.intervals()[-1] == pytest.approx(30), "then the reading-on heartbeat"
    next_button(page).click()
    expect(page.get_by_role("heading", name=course.lessons[1].title, exact=True)).to_be_visible()


def quiet(page: Page, wire: Wire) -> None:
    """Wait until the page has asked for no new interval for a second of real time."""
    for _ in range(10):
        wait_idle(page)
        asked_for = len(wire.intervals())
        page.wait_for_timeout(1_000)  # Playwright's own timer: real time, even when paused
        wait_idle(page)
        if len(wire.intervals()) == asked_for:
            return
    raise AssertionError("the page kept being drawn again")


def test_a_late_rerun_redraws_the_page_with_an_interval_that_ends_on_time(
    page: Page, real_time_server: AppServer, course: Course
) -> None:
    # The page's clock is Playwright's: it runs as the real one until paused, and then the
    # browser's timers (the fragment's rerun, the countdown script) wait to be moved on.
    page.clock.install()
    wire = Wire()
    wire.listen(page)
    open_lesson(page, real_time_server, course, left=20)
    figure = int(timer(page).get_attribute("data-countdown-left") or "")
    assert len(wire.intervals()) == 1 and ends_with_the_time(wire.intervals()[0], figure)
    expect(timer(page)).to_have_text(re.compile(r"^0:(1[0-8]|0\d)$"), timeout=NEXT_TIMEOUT_MS)
    # Pausing Playwright's clock runs the fragment's timer at once (seen in every run: the
    # rerun goes out within milliseconds of pause_at); that rerun comes early, and the page is
    # drawn again with the interval left. Let it land, then take the page as it is.
    page.clock.pause_at(page.evaluate("Date.now()"))
    quiet(page, wire)
    figure = int(timer(page).get_attribute("data-countdown-left") or "")
    interval = wire.intervals()[-1]
    assert ends_with_the_time(interval, figure)
    asked, drawn = len(wire.sent), len(wire.intervals())
    # Two seconds pass on the server's clock while the page's stands still; then the test
    # moves the page's timers on by the whole interval: the rerun comes two seconds early by
    # the server's clock, so the one after it would come seconds after the time is up (a
    # browser whose timer lost step with the server's clock, as a throttled background tab's).
    page.wait_for_timeout(2_000)
    page.clock.run_for(round(interval * 1000) + 1)
    expect(next_button(page)).to_be_disabled()
    # The fragment's rerun (the one message the page sent) redraws the whole page, which
    # asks for a new interval, one that ends when the time is up.
    expect(timer(page)).not_to_have_attribute("data-countdown-left", str(figure))
    wait_idle(page)
    assert [m.rerun_script.fragment_id != "" for m in wire.sent[asked:]] == [True]
    redrawn = int(timer(page).get_attribute("data-countdown-left") or "")
    assert 0 < redrawn < figure - 1
    assert len(wire.intervals()) == drawn + 1
    assert ends_with_the_time(wire.intervals()[-1], redrawn)
    page.clock.resume()
    expect(next_button(page)).to_be_enabled(timeout=NEXT_TIMEOUT_MS)


def test_the_countdown_reads_as_the_lesson_text_and_is_not_announced(
    page: Page, real_time_server: AppServer, course: Course
) -> None:
    open_lesson(page, real_time_server, course, left=200)
    assert COUNTDOWN_MAX_INTERVAL_SECONDS < 200, "several reruns to go: nothing changes here"
    assert 190 <= shown(page) <= 200
    looks = page.evaluate(
        """() => {
          const look = (el) => {
            const s = getComputedStyle(el);
            return [s.fontFamily, s.fontSize, s.fontWeight, s.lineHeight, s.color];
          };
          const timer = document.querySelector('[role="timer"]');
          const body = [...document.querySelectorAll(
            '[data-testid="stMain"] [data-testid="stMarkdownContainer"] p')]
            .find((p) => p.innerText.length > 200);
          return {
            sentence: look(timer.closest("p")),
            time: look(timer),
            lesson: look(body),
            live: timer.closest(
              '[aria-live]:not([aria-live="off"]), [role="status"], [role="alert"], [role="log"]'
            ) !== null,
          };
        }"""
    )
    assert looks["sentence"] == looks["lesson"] == looks["time"]
    # A timer is a live region that is not read out as it changes (aria-live "off"): no
    # announcement every second, while a screen reader finds it where it is.
    assert not looks["live"]
    assert axe_violations(page) == []


def test_the_countdown_can_be_hidden_from_the_keyboard_and_stays_hidden(
    page: Page, real_time_server: AppServer, course: Course
) -> None:
    """WCAG 2.2.2 (Pause, Stop, Hide): the seconds changing beside the lesson can be stopped.
    (The accessibility and keyboard suites run with the reading time off: no countdown.)"""
    open_lesson(page, real_time_server, course, left=200)
    checkbox = page.get_by_label("Show the countdown", exact=True)
    expect(checkbox).to_be_checked()
    for _ in range(40):  # from the lesson's heading, where the step puts focus
        if checkbox.evaluate("el => el === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(checkbox).to_be_focused()
    page.keyboard.press("Space")
    expect(timer(page)).to_have_count(0)
    hidden = page.get_by_text(COUNTDOWN_HIDDEN_TEXT, exact=True)
    expect(hidden).to_be_visible()
    expect(checkbox).not_to_be_checked()
    expect(checkbox).to_be_focused()  # the redraw left focus on the checkbox
    expect(next_button(page)).to_be_disabled()
    wait_idle(page)
    before = hidden.inner_text()
    page.wait_for_timeout(1_500)  # more than a second: nothing on the page counts
    assert hidden.inner_text() == before
    # axe, every Tab stop's focus ring, target sizes and reflow, as on every other page.
    assert a11y.audit(page, "lesson, countdown hidden").problems == []
    checkbox.focus()
    page.keyboard.press("Space")
    expect(timer(page)).to_have_count(1)
    assert 150 <= shown(page) <= 200
