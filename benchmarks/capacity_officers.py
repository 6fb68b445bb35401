"""Simulated officers for benchmarks/capacity.py: each one a browser tab on a real app server.

An officer here does what a browser does for a real officer (benchmarks/app_client.py speaks
Streamlit's websocket protocol): the page load (the page and Streamlit's health and host-config
checks, the assets coming from the browser's cache; then the websocket and the first run), the
three sign-in fields committed one by one, "Start training",
and then the course from where their saved place is: on a lesson, the countdown fragment's
timed reruns on the interval the server asks for (at most about 30 s apart, the last when the
lesson's time is up, which redraws the page with "Next" enabled), then "Next"; on a knowledge
check, the answers and "Submit answers", then "Continue"; on the final, the answers and
"Submit answers". At "Training complete" the officer leaves and a new officer takes the seat.

Time is compressed the way the servers are told to compress it: they run with
`TRAINING_SEAT_TIME_SCALE` = `Pace.scale`, and the officers think for `scale` times what a real
officer takes on a quiz. The countdown's reruns are not compressed: the server asks for one
every 30 s or so of reading, as of a real browser, whatever the lesson's length. So a
simulated officer reruns the countdown about as often a second of reading as a real one (a
third more at a scale of 0.2: a short lesson rounds its reruns up more), but the last rerun
of each lesson, which redraws the page, comes 1/scale times as often, as the clicks do.

Officers begin at a place drawn at random along the course, weighted by time (a lesson by its
minimum reading time, a quiz by its questions), as at any moment the officers in a real
course are spread over it: their place is saved through the Store before they sign in, and
sign-in resumes it, as for an officer coming back.

A load generator (`generator_main`, one process per app server) keeps a number of officers
going, as the orchestrator asks over a pipe, and hands back what it measured.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import re
import sys
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402

from benchmarks.app_client import AppError, Browser, Widget  # noqa: E402
from training.content import Course, Question, load_course, minimum_seconds  # noqa: E402
from training.officers import Officer, agencies  # noqa: E402
from training.progress import Progress, step_lesson, step_module, steps  # noqa: E402
from training.storage import Store  # noqa: E402

#: What a real officer spends on a quiz question (seconds; 62 check and 20 final questions fill
#: the two hours the lessons' 92.5 minutes of minimum reading leave).
SECONDS_PER_QUESTION = 20.0
#: Kinds of action that a person waits for (the threshold applies to these), and the timer.
CLICKS = ("page load", "field", "sign-in", "next", "check submit", "continue", "final submit")
TICK = "countdown tick"
#: The countdown's rerun that redrew the page: the lesson's time was up ("Next" enabled), or a
#: rerun came late and the page asked for a new interval. A full run of the page, as a click's.
REDRAW = "countdown redraw"
#: Texts by which the app says a record or a place was not saved.
NOT_SAVED = ("not saved yet", "could not be saved", "cannot save results")


@dataclass(frozen=True)
class Pace:
    """How fast simulated time runs: `scale` as the servers' TRAINING_SEAT_TIME_SCALE."""

    scale: float
    #: Seconds an officer reads on after "Next" is enabled (drawn up to this), compressed.
    linger: float = 1.0
    #: 1 for officers who think; 0 for the lone officer of the baseline, who only clicks.
    think: float = 1.0

    def quiz_seconds(self, questions: int) -> float:
        return questions * SECONDS_PER_QUESTION * self.scale * self.think


def step_seconds(course: Course, pace: Pace) -> list[float]:
    """How long an officer stays on each step, in simulated (compressed) seconds."""
    out = []
    for step in steps(course):
        lesson = step_lesson(course, step)
        if lesson is not None:
            out.append(minimum_seconds(lesson, pace.scale) + pace.linger / 2)
        else:
            module = step_module(course, step)
            quiz = course.final if module is None else course.check_for(module)
            out.append(pace.quiz_seconds(quiz.draw_count) + 1.0)
    return out


def seeded_place(
    officer: Officer, course: Course, store: Store, at_step: int, credit: float = 0.0
) -> Progress:
    """An officer's saved place at step `at_step`: every step before it done, as if they had
    come this far earlier and are signing in again; `credit` seconds already read of it."""
    place = Progress.start(officer, course, store.completions_mark(), store.attempts_mark())
    place.started_at = time.time() - 3600
    for step in steps(course)[:at_step]:
        lesson = step_lesson(course, step)
        module = step_module(course, step)
        if lesson is not None:
            place.lessons_done.append(lesson.id)
            place.lesson_seconds[lesson.id] = float(minimum_seconds(lesson, 1.0))
        elif module is not None:
            place.checks[course.check_for(module).id] = 100
    place.position = at_step
    lesson = step_lesson(course, steps(course)[at_step])
    if lesson is not None and credit:
        place.lesson_seconds[lesson.id] = credit
    return place


@dataclass
class Tally:
    """What officers measured since it was last handed over."""

    seconds: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)
    completed: int = 0
    loop_lag: list[float] = field(default_factory=list)

    def add(self, kind: str, seconds: float) -> None:
        self.seconds.setdefault(kind, []).append(seconds)

    def handed_over(self) -> dict[str, Any]:
        out = {
            "seconds": self.seconds,
            "errors": dict(self.errors),
            "completed": self.completed,
            "loop_lag": self.loop_lag,
        }
        self.seconds, self.errors, self.completed, self.loop_lag = {}, Counter(), 0, []
        return out


class Answers:
    """The right answers to every question, as the widgets want them."""

    def __init__(self, course: Course) -> None:
        self.final_ids = {q.id for q in course.final.questions}
        self._questions: dict[str, Question] = {
            q.id: q for quiz in course.quizzes.values() for q in quiz.questions
        }

    def widget_states(self, widgets: list[Widget]) -> tuple[list[WidgetState], bool]:
        """Values for the quiz widgets on the page; True when the quiz is the final."""
        states: list[WidgetState] = []
        final = False
        for widget in widgets:
            match = re.fullmatch(r"q_(.+?)(?:_(\d+))?", widget.key)
            if match is None:
                continue
            question = self._questions.get(match.group(1))
            if question is None:
                continue
            final = final or question.id in self.final_ids
            if widget.kind == "checkbox" and match.group(2) is not None:
                right = question.options[int(match.group(2))].correct
                states.append(WidgetState(id=widget.id, bool_value=right))
            elif widget.kind == "radio":
                text = next(o.text for o in question.options if o.correct)
                states.append(WidgetState(id=widget.id, string_value=text))
        return states, final


_ASSETS = re.compile(r'(?:href|src)="\./(static/[^"]+)"')


def page_load(base_url: str, first_visit: bool = False) -> int:
    """What a browser fetches before it opens the websocket: the page, the health and
    host-config checks, and on a first visit the assets the page names (62 files, 2.5 MB with
    Streamlit 1.67; the chunks loaded later are not fetched). Afterwards they come from the
    browser's cache (Streamlit marks them immutable). Returns the number of requests."""
    with urllib.request.urlopen(base_url + "/", timeout=60) as response:
        page = response.read().decode("utf-8", errors="replace")
    paths = [*(_ASSETS.findall(page) if first_visit else []), "_stcore/health"]
    paths.append("_stcore/host-config")
    for path in paths:
        with urllib.request.urlopen(f"{base_url}/{path}", timeout=60) as response:
            response.read()
    return 1 + len(paths)


class SimulatedOfficer:
    """One simulated officer on one app server."""

    def __init__(
        self,
        base_url: str,
        course: Course,
        answers: Answers,
        store: Store,
        pace: Pace,
        tally: Tally,
        badge: str,
        at_step: int,
        rng: random.Random,
        done: float | None = None,
    ) -> None:
        self.base_url = base_url
        self.course = course
        self.answers = answers
        self.store = store
        self.pace = pace
        self.tally = tally
        self.rng = rng
        self.at_step = at_step
        #: How much of the first step is behind the officer (drawn when not given): officers
        #: are found part way through, as in a course under way.
        self.done = rng.random() if done is None else done
        self.person = Officer("Capacity Officer", badge, rng.choice(agencies()))
        self.browser = Browser(base_url)
        self.signed_in = False

    async def take_course(self) -> None:
        try:
            await self._take_course()
        except Exception as exc:  # the app's error, a timeout, a closed websocket, a lost page
            self.tally.errors[f"{type(exc).__name__}: {str(exc)[:80]}"] += 1
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.browser.close(), 10)

    async def _take_course(self) -> None:
        token = self.store.progress_token(self.person)
        lesson = step_lesson(self.course, steps(self.course)[self.at_step])
        credit = self.done * minimum_seconds(lesson, self.pace.scale) if lesson else 0.0
        place = seeded_place(self.person, self.course, self.store, self.at_step, credit)
        await asyncio.to_thread(self.store.save_progress, token, place)
        began = time.perf_counter()
        await asyncio.to_thread(page_load, self.base_url)
        await self.browser.open()
        self.tally.add("page load", time.perf_counter() - began)
        values: list[WidgetState] = []
        for key, value in (
            ("officer_name", self.person.name),
            ("badge_number", self.person.badge_number),
            ("agency", self.person.agency),
        ):
            widget = self.browser.find(key=key)
            assert widget is not None, f"no {key} on the sign-in page"
            # The browser sends a text field's value when the officer leaves it: a rerun each.
            values.append(WidgetState(id=widget.id, string_value=value))
            self.tally.add("field", (await self.browser.rerun(values)).seconds)
        start = self.browser.find(label="Start training")
        assert start is not None, "no Start training button"
        self.tally.add("sign-in", (await self.browser.click(start, values)).seconds)
        assert self.browser.find(label="Start training") is None, "sign-in did not go through"
        self.signed_in = True
        while not self._done():
            await self._step()
        self.tally.completed += 1

    def _done(self) -> bool:
        return "Training complete" in self.browser.texts

    def _check_saved(self) -> None:
        for text in self.browser.texts:
            if any(words in text for words in NOT_SAVED):
                raise AppError(f"the app said: {text[:60]}")

    async def _step(self) -> None:
        browser = self.browser
        next_button = browser.find(key="lesson_next")
        if next_button is not None:
            await self._read_lesson()
            return
        continue_button = browser.find(key="quiz_continue")
        if continue_button is not None:
            await asyncio.sleep(self.rng.uniform(0, self.pace.linger))
            self.tally.add("continue", (await browser.click(continue_button)).seconds)
            return
        submit = browser.find(label="Submit answers")
        assert submit is not None, f"a page with nothing to do: {browser.texts[:2]}"
        states, final = self.answers.widget_states(list(browser.widgets.values()))
        thinking = self.pace.quiz_seconds(len(states)) * self.rng.uniform(0.5, 1.5)
        await asyncio.sleep(thinking * (1 - self.done))
        self.done = 0.0
        run = await browser.click(submit, states)
        self.tally.add("final submit" if final else "check submit", run.seconds)
        self._check_saved()

    async def _read_lesson(self) -> None:
        """Rerun the timed fragments on their intervals until "Next" is enabled, read on a
        little, press "Next"."""
        browser = self.browser
        due: dict[str, float] = {}
        linger_until: float | None = None
        while True:
            now = time.monotonic()
            next_button = browser.find(key="lesson_next")
            assert next_button is not None, "the lesson page lost its Next button"
            if not next_button.disabled:
                if linger_until is None:
                    linger_until = now + self.rng.uniform(0, self.pace.linger)
                if now >= linger_until:
                    break
            for fid, interval in browser.timed_fragments.items():
                due.setdefault(fid, now + interval)
            for fid in [f for f in due if f not in browser.timed_fragments]:
                del due[fid]
            if not due and linger_until is None:
                raise AppError("a lesson with Next disabled and no countdown")
            wake = min([*due.values(), *([linger_until] if linger_until else [])])
            if wake > now:
                await asyncio.sleep(wake - now)
                continue
            fid = min(due, key=lambda f: due[f])
            interval = browser.timed_fragments[fid]
            runs = browser.page_runs
            run = await browser.tick(fid)
            if browser.page_runs != runs:
                # The rerun redrew the page: the browser's timers start again from the
                # intervals that run sent.
                self.tally.add(REDRAW, run.seconds)
                due.clear()
                continue
            self.tally.add(TICK, run.seconds)
            # As the browser's setInterval: due an interval after the last was due, not after
            # it finished; a late one goes at once, with no burst to catch up.
            due[fid] = max(due[fid] + interval, time.monotonic())
        self.done = 0.0
        run = await browser.click(next_button)
        self.tally.add("next", run.seconds)
        self._check_saved()


def open_store(spec: dict[str, str]) -> Store:
    """The load generator's own connection to the store, to save officers' starting places."""
    key = spec["key"].encode("utf-8")
    if spec["kind"] == "postgres":
        from training.storage.postgres import PostgresStore

        return PostgresStore(spec["url"], key, max_connections=4)
    from training.storage.csv import CsvStore

    return CsvStore(Path(spec["results"]), key)


async def _generate(conn: Connection, number: int, base_url: str, spec: dict[str, str]) -> None:
    # Page loads and starting places go through threads: enough for a rush of arrivals.
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(64))
    course = load_course(ROOT)
    pace = Pace(float(spec["scale"]))
    answers = Answers(course)
    store = open_store(spec)
    weights = step_seconds(course, pace)
    reading = spec.get("mode") == "reading"
    if reading:
        # Officers reading a lesson, none on a quiz: the countdown's load alone.
        kinds = [step.kind for step in steps(course)]
        weights = [w if k == "lesson" else 0.0 for w, k in zip(weights, kinds, strict=True)]
    rng = random.Random(number)
    tally = Tally()
    officers: dict[asyncio.Task[None], SimulatedOfficer] = {}
    target, ramp = 0, 10.0
    ids = itertools.count(1)

    def seat_one() -> None:
        badge = f"C{number}-{next(ids):06d}"
        step = rng.choices(range(len(weights)), weights=weights)[0]
        # Readers start their lesson afresh: none of them reaches "Next" while measured.
        done = 0.0 if reading else None
        officer = SimulatedOfficer(
            base_url, course, answers, store, pace, tally, badge, step, rng, done
        )
        task = asyncio.create_task(officer.take_course())
        officers[task] = officer
        task.add_done_callback(lambda t: officers.pop(t, None))

    async def keep_seats() -> None:
        while True:
            staying = [task for task in officers if not task.cancelling()]
            if len(staying) < target:
                seat_one()
                await asyncio.sleep(1 / ramp)
                continue
            for task in staying[target:]:
                task.cancel()  # the officer leaves; the seat is not filled again
            await asyncio.sleep(0.05)

    async def watch_lag() -> None:
        while True:
            began = time.monotonic()
            await asyncio.sleep(0.1)
            tally.loop_lag.append(time.monotonic() - began - 0.1)

    seats = asyncio.create_task(keep_seats())
    lag = asyncio.create_task(watch_lag())
    try:
        while True:
            if not conn.poll():
                await asyncio.sleep(0.05)
                continue
            command, *args = conn.recv()
            if command == "target":
                target, ramp = int(args[0]), float(args[1])
            elif command == "collect":
                report = tally.handed_over()
                report["officers"] = len(officers)
                report["signed_in"] = sum(1 for o in officers.values() if o.signed_in)
                conn.send(report)
            elif command == "stop":
                break
    finally:
        seats.cancel()
        lag.cancel()
        for task in list(officers):
            task.cancel()
        if officers:
            await asyncio.wait(list(officers), timeout=15)
        close = getattr(store, "close", None)
        if close is not None:
            close()
        conn.send("stopped")


def generator_main(conn: Connection, number: int, base_url: str, spec: dict[str, str]) -> None:
    """A load generator process: officers on the app server at `base_url`, as many as asked."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 8192)), hard))
    asyncio.run(_generate(conn, number, base_url, spec))
