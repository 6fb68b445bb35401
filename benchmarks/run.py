"""Benchmarks: print one markdown table of medians, each beside a baseline measured in this run.

Run with `make bench`. Nothing here asserts anything: these are figures to read, not tests, and
pytest never collects this folder (its testpaths is tests/ only).
"""

from __future__ import annotations

import multiprocessing
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from multiprocessing.synchronize import Barrier
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402
from streamlit.logger import set_log_level  # noqa: E402
from streamlit.navigation.page import StreamlitPage  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from benchmarks.same_page import (  # noqa: E402
    Unreplayable,
    answered,
    install,
    opened,
    replay_module,
    snapshot,
)
from tests import factories  # noqa: E402
from tests.apptest_helpers import (  # noqa: E402
    answer,
    click,
    labels,
    open_app,
    sign_in,
    titles,
    walk_to_final,
)
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, _free_port, streamlit_run  # noqa: E402
from training.auth import hash_password, verify_password  # noqa: E402
from training.content import Course, load_course  # noqa: E402
from training.demo import write_demo_ledger  # noqa: E402
from training.files import exclusive  # noqa: E402
from training.storage import close_stores  # noqa: E402
from training.storage import csv_files as ledger_module  # noqa: E402
from training.storage.csv_files import COMPLETION_COLUMNS, CompletionRecord, Ledger  # noqa: E402
from training.ui import navigation, training_page  # noqa: E402

MINIMAL = "import streamlit as st\nst.write('hello')"
PASSWORD = "the benchmark coordinator's long password"
WORKERS = 8
EACH = 1_250

Row = tuple[str, str, str, str, str, str]
ROWS: list[Row] = []
NOTES: list[str] = []
FINAL_ALONE: list[float] = []
OFFICERS = 8


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def timed(action: Callable[[], object]) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def fresh_results(base: Path, name: str) -> Path:
    path = base / name
    os.environ["TRAINING_RESULTS_DIR"] = str(path)
    return path


def add(measure: str, app: str, baseline: str, ratio: float | None, target: str, met: str) -> None:
    ROWS.append((measure, app, baseline, "" if ratio is None else f"{ratio:.2f}x", target, met))
    print(f"  done: {measure}: {app} vs {baseline}", file=sys.stderr, flush=True)


def yes(flag: bool) -> str:
    return "met" if flag else "MISSED"


# --- 1 and 2: clicks in the course ------------------------------------------------------------


def minimal_rerun(reps: int = 30) -> float:
    at = AppTest.from_string(MINIMAL, default_timeout=30)
    at.run()
    at.run()
    return median_ms([timed(at.run) for _ in range(reps)])


#: Streamlit alone drawing what a submission draws: a form of N questions, then N marked
#: results in one bordered Markdown element (as the app draws them) and a button. No app code
#: and no writes: the least any app showing such a page can take.
FORM_ALONE = """
import streamlit as st
if st.session_state.get("submitted"):
    with st.container(border=True):
        st.markdown("\\n\\n---\\n\\n".join(
            f"Question {{i}}: " + "an explanation of the answer " * 8 for i in range({n})
        ))
    st.button("Continue", key="continue")
else:
    with st.form("questions", border=False):
        for i in range({n}):
            st.radio(f"Question {{i}}", options=[0, 1, 2, 3], index=None, key=f"q{{i}}")
        st.form_submit_button(
            "Submit answers", on_click=lambda: st.session_state.update(submitted=True)
        )
"""


def form_alone(questions: int) -> AppTest:
    """The reference page, its questions answered, ready for "Submit answers"."""
    at = AppTest.from_string(FORM_ALONE.format(n=questions), default_timeout=30).run()
    at.run()  # as warm as the app's page, which was walked to
    for radio in at.radio:
        radio.set_value(1)
    return at


def submissions(
    ready: Callable[[int], AppTest], reference: Callable[[], AppTest], reps: int, minimal: AppTest
) -> tuple[float, float, float]:
    """Medians of the app's "Submit answers", of the same click on the reference page and of
    one-line reruns, taken in turn in every repetition so that the machine's slow moments fall
    on all three alike (only the clicks and reruns are timed, not the walk to the page). The
    app and the reference swap places every other repetition."""
    app, alone, one_line = [], [], []
    for rep in range(reps):
        at = ready(rep)
        other = reference()
        one_line += [timed(minimal.run) for _ in range(5)]
        clicks = [(app, at), (alone, other)]
        for samples, page in clicks if rep % 2 else reversed(clicks):
            samples.append(timed(lambda page=page: click(page, "Submit answers")))
    return median_ms(app), median_ms(alone), median_ms(one_line)


def walk_to_check(at: AppTest, course: Course) -> AppTest:
    for _ in range(100):
        if "Submit answers" in labels(at) and course.final.title not in titles(at):
            return at
        if "Next" in labels(at):
            click(at, "Next")
        elif "Continue" in labels(at):
            click(at, "Continue")
        else:
            raise RuntimeError(f"stuck on {titles(at)} with buttons {labels(at)}")
    raise RuntimeError("never reached a knowledge check")


def quiz_on_screen(at: AppTest, course: Course):  # type: ignore[no-untyped-def]
    return next(q for q in course.quizzes.values() if q.title in titles(at))


def same_page_check(course: Course, folder: Path) -> str | None:
    """Install the replay of the first knowledge check and its marked results (same_page.py),
    drawn for one more officer; its module's name, or None (with a note) if it cannot be."""
    at = walk_to_check(sign_in(open_app(), badge="BENCH-R"), course)
    try:
        before = snapshot(at)
        answer(at, quiz_on_screen(at, course), right=True)
        click(at, "Submit answers")
        install(folder, "same_page_check", replay_module(app_pages(), before, snapshot(at)))
    except Unreplayable as exc:
        NOTES.append(f"1b has no same-page reference this run: {exc}.")
        return None
    return "same_page_check"


def app_pages() -> list[StreamlitPage]:
    """The app's navigation (titles and addresses), for a replay to list as many pages."""
    return navigation.all_pages(training_page.render)


def bench_course(course: Course, base: Path) -> None:
    os.environ["TRAINING_SEAT_TIME_SCALE"] = "0"
    fresh_results(base, "course")
    st.cache_resource.clear()
    minimal = AppTest.from_string(MINIMAL, default_timeout=30)
    minimal.run()
    minimal.run()
    at = sign_in(open_app(), badge="BENCH-0")
    at.run()
    replay: AppTest | None = None
    try:
        install(base, "same_page_lesson", replay_module(app_pages(), snapshot(at)))
        replay = opened("same_page_lesson")
    except Unreplayable as exc:
        NOTES.append(f"1a has no same-page reference this run: {exc}.")
    # Interleaved, so that a slow moment of a shared machine falls on all alike.
    lessons, minimals, replays = [], [], []
    for _ in range(40):
        lessons.append(timed(at.run))
        minimals.append(timed(minimal.run))
        if replay is not None:
            replays.append(timed(replay.run))
    lesson, baseline = median_ms(lessons), median_ms(minimals)
    add(
        "1a. Lesson page rerun (AppTest)",
        f"{lesson:.1f} ms",
        f"{baseline:.1f} ms",
        lesson / baseline,
        "<= 2x",
        yes(lesson / baseline <= 2),
    )
    if replays:
        alone = median_ms(replays)
        add(
            "1a, for reference: Streamlit alone drawing the same lesson page (no app code)",
            f"{alone:.1f} ms",
            f"{baseline:.1f} ms",
            alone / baseline,
            "",
            "",
        )

    def at_check(rep: int) -> AppTest:
        at = walk_to_check(sign_in(open_app(), badge=f"BENCH-C{rep}"), course)
        answer(at, quiz_on_screen(at, course), right=True)
        return at

    questions = len(course.check_for(course.modules[0]).questions)
    module = same_page_check(course, base)
    if module is not None:
        check, alone, baseline = submissions(at_check, lambda: answered(module), 12, minimal)
        reference = (
            "1b, for reference: Streamlit alone drawing the same check and the same marked "
            "results, submitted (no app code, no writes)"
        )
    else:
        check, alone, baseline = submissions(at_check, lambda: form_alone(questions), 12, minimal)
        reference = (
            f"1b, for reference: Streamlit alone, a form of {questions} questions submitted "
            "and its results drawn (no app code, no writes)"
        )
    add(
        "1b. Knowledge-check submission (AppTest)",
        f"{check:.1f} ms",
        f"{baseline:.1f} ms",
        check / baseline,
        "<= 2x",
        yes(check / baseline <= 2),
    )
    add(reference, f"{alone:.1f} ms", f"{baseline:.1f} ms", alone / baseline, "", "")

    def at_final(rep: int) -> AppTest:
        at = walk_to_final(sign_in(open_app(), badge=f"BENCH-F{rep}"), course)
        answer(at, course.final, right=True)
        return at

    final, alone, baseline = submissions(
        at_final, lambda: form_alone(course.final.draw), 8, minimal
    )
    FINAL_ALONE.append(final)
    written = len(Ledger(Path(os.environ["TRAINING_RESULTS_DIR"])).read_completions())
    add(
        f"2. Final-assessment submission, scored + 2 fsynced appends ({written} passed)",
        f"{final:.1f} ms",
        f"{baseline:.1f} ms",
        final / baseline,
        "<= 3x",
        yes(final / baseline <= 3),
    )
    add(
        f"2, for reference: Streamlit alone, a form of {course.final.draw} questions submitted "
        "and its results drawn (no app code, no writes)",
        f"{alone:.1f} ms",
        f"{baseline:.1f} ms",
        alone / baseline,
        "",
        "",
    )


# --- 3: ledger throughput -----------------------------------------------------------------------


def record(n: int) -> CompletionRecord:
    return factories.completion(n, officer_name='Zoë "Z" O\'Neil-Brown, Jr.', badge_number=f"B{n}")


def _ledger_worker(directory: str, worker: int, start: Barrier) -> None:
    book = Ledger(Path(directory))
    records = [record(worker * 100_000 + i) for i in range(EACH)]
    start.wait()
    for item in records:
        book.append_completion(item)


def _bare_worker(directory: str, worker: int, start: Barrier) -> None:
    path = Path(directory) / CompletionRecord.FILE
    header = ledger_module._csv_line(COMPLETION_COLUMNS)
    lines = [
        ledger_module._record_line(record(worker * 100_000 + i), COMPLETION_COLUMNS)
        for i in range(EACH)
    ]
    start.wait()
    for line in lines:
        with exclusive(f"{path}.lock", 60):
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
            try:
                if os.fstat(fd).st_size == 0:
                    os.write(fd, header)
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)


def run_writers(target: Callable[[str, int, Barrier], None], directory: Path) -> tuple[float, int]:
    directory.mkdir(parents=True)
    context = multiprocessing.get_context("fork")
    start = context.Barrier(WORKERS + 1)
    processes = [
        context.Process(target=target, args=(str(directory), w, start)) for w in range(WORKERS)
    ]
    for process in processes:
        process.start()
    start.wait()
    began = time.perf_counter()
    for process in processes:
        process.join(timeout=300)
    elapsed = time.perf_counter() - began
    raw = (directory / CompletionRecord.FILE).read_bytes()
    rows = raw.count(b"\r\n") - 1  # no field of these records holds a line break
    return elapsed, WORKERS * EACH - rows


def bench_ledger(base: Path) -> None:
    ledger_times, bare_times, lost = [], [], []
    for rep in range(5):
        elapsed, missing = run_writers(_ledger_worker, base / f"ledger-{rep}")
        ledger_times.append(elapsed)
        lost.append(missing)
        elapsed, missing = run_writers(_bare_worker, base / f"bare-{rep}")
        bare_times.append(elapsed)
        lost.append(missing)
    total = WORKERS * EACH
    ledger_rate = total / statistics.median(ledger_times)
    bare_rate = total / statistics.median(bare_times)
    ratio = ledger_rate / bare_rate
    add(
        "3. Ledger: 8 processes append 10,000 completions",
        f"{ledger_rate:,.0f} rows/s",
        f"{bare_rate:,.0f} rows/s",
        ratio,
        ">= 0.8x",
        yes(ratio >= 0.8),
    )
    add(
        "3. Rows lost (ledger and bare, all runs)",
        f"{sum(lost[0::2])}",
        f"{sum(lost[1::2])}",
        None,
        "0",
        yes(sum(lost[0::2]) == 0),
    )


# --- 4: the console at scale --------------------------------------------------------------------


def clear_caches() -> None:
    st.cache_resource.clear()
    st.cache_data.clear()
    ledger_module.forget_parsed_files()
    close_stores()  # the Store keeps the console's tables too: a first load starts cold


def console_before_sign_in() -> AppTest:
    at = open_app()
    at.switch_page("training/ui/pages/coordinator.py").run()
    at.text_input(key="coordinator_password").input(PASSWORD)
    return at


def bench_console(course: Course, base: Path) -> None:
    results = fresh_results(base, "console")
    began = time.perf_counter()
    write_demo_ledger(results, course, b"benchmark-secret-key", 100_000, 500_000)
    print(f"  demo ledger written in {time.perf_counter() - began:.1f} s", file=sys.stderr)
    book = Ledger(results)

    def plain_read() -> None:
        pd.read_csv(book.completions_path, dtype=str, keep_default_na=False)
        pd.read_csv(book.attempts_path, dtype=str, keep_default_na=False)

    plain_read()
    plain = median_ms([timed(plain_read) for _ in range(3)])

    stored = hash_password(PASSWORD)
    os.environ["TRAINING_COORDINATOR_PASSWORD_HASH"] = stored
    NOTES.append(
        "4a includes checking the password (scrypt): "
        f"{median_ms([timed(lambda: verify_password(PASSWORD, stored)) for _ in range(3)]):.0f} ms."
    )
    loads = []
    at = console_before_sign_in()
    for _ in range(3):
        clear_caches()
        at = console_before_sign_in()
        clear_caches()  # opening the app reads nothing big, but start each load cold all the same
        loads.append(timed(lambda at=at: click(at, "Sign in")))
    first = median_ms(loads)
    shown = "table shown" if at.dataframe else "no table shown"
    add(
        f"4a. Console first load after sign-in, 100k + 500k rows ({shown})",
        f"{first:.0f} ms",
        f"{plain:.0f} ms",
        first / plain,
        "<= 5x",
        yes(first / plain <= 5),
    )

    filtered = []
    for term in ["smith", "lee", "mhp", "nguyen", "o'neil", "brown", "washington", "b0001"] * 2:
        box = at.text_input(key="filter_search")
        box.input(term)
        filtered.append(timed(at.run))
    rerun = median_ms(filtered)
    baseline = minimal_rerun()
    add(
        "4b. Console filtered rerun, files unchanged",
        f"{rerun:.1f} ms",
        f"{baseline:.1f} ms",
        rerun / baseline,
        "< 50 ms",
        yes(rerun < 50),
    )
    del os.environ["TRAINING_COORDINATOR_PASSWORD_HASH"]

    finals = []
    for rep in range(3):
        at = walk_to_final(sign_in(open_app(), badge=f"BENCH-SCALE{rep}"), course)
        answer(at, course.final, right=True)
        finals.append(timed(lambda at=at: click(at, "Submit answers")))
    final = median_ms(finals)
    add(
        "2b. Final-assessment submission with these 100,000 completions already recorded",
        f"{final:.1f} ms",
        f"{FINAL_ALONE[0]:.1f} ms",
        final / FINAL_ALONE[0],
        "report only",
        "",
    )


# --- 5: many officers at once -----------------------------------------------------------------


def _officer(badge: str, results: str, start: Barrier, out) -> None:  # type: ignore[no-untyped-def]
    os.environ["TRAINING_RESULTS_DIR"] = results
    os.environ["TRAINING_SEAT_TIME_SCALE"] = "0"
    os.environ["TRAINING_SECRET_KEY"] = "benchmark-secret-key"
    set_log_level("error")
    course = load_course(ROOT)
    at = walk_to_final(sign_in(open_app(), badge=badge), course)
    answer(at, course.final, right=True)
    start.wait()
    out.put(timed(lambda: click(at, "Submit answers")))


def bench_many(base: Path) -> tuple[list[float], int]:
    """Run first, before this process has used AppTest (so forking is safe); reported later."""
    results = fresh_results(base, "many")
    context = multiprocessing.get_context("fork")
    start = context.Barrier(OFFICERS)
    out = context.Queue()
    processes = [
        context.Process(target=_officer, args=(f"MANY-{n}", str(results), start, out))
        for n in range(OFFICERS)
    ]
    for process in processes:
        process.start()
    submits = [out.get(timeout=300) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    return submits, len(Ledger(results).read_completions())


def report_many(submits: list[float], written: int) -> None:
    together = median_ms(submits)
    alone = FINAL_ALONE[0]
    add(
        f"5. {OFFICERS} officers submit the final at once, each in its own process "
        f"({written} of {OFFICERS} completions saved; slowest {max(submits) * 1000:.0f} ms)",
        f"{together:.1f} ms",
        f"{alone:.1f} ms (one alone, as in 2.)",
        together / alone,
        "report only",
        "",
    )


# --- 6: start to first full render in Chromium --------------------------------------------------


def time_start(browser, script: Path, cwd: Path, results: Path, ready) -> float:  # type: ignore[no-untyped-def]
    port = _free_port()
    env = dict(os.environ, TRAINING_RESULTS_DIR=str(results))
    command = streamlit_run(port, script)
    context = browser.new_context()
    page = context.new_page()
    began = time.perf_counter()
    server = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health") as reply:
                    if reply.read() == b"ok":
                        break
            except OSError:
                time.sleep(0.02)
        page.goto(f"http://127.0.0.1:{port}/")
        ready(page).wait_for(state="visible", timeout=60_000)
        return time.perf_counter() - began
    finally:
        server.terminate()
        server.wait(timeout=20)
        context.close()


def bench_start(base: Path) -> None:
    if not Path(CHROMIUM).exists():
        add("6. Start to sign-in page drawn (Chromium)", "not measured", "", None, "report", "")
        return
    from playwright.sync_api import sync_playwright

    minimal_dir = base / "minimal"
    minimal_dir.mkdir()
    (minimal_dir / "hello.py").write_text(MINIMAL + "\n")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        app_times, minimal_times = [], []
        for rep in range(3):
            app_times.append(
                time_start(
                    browser,
                    ROOT / "app.py",
                    ROOT,
                    base / f"start-{rep}",
                    lambda page: page.get_by_role("button", name="Start training"),
                )
            )
            minimal_times.append(
                time_start(
                    browser,
                    minimal_dir / "hello.py",
                    minimal_dir,
                    base / f"start-min-{rep}",
                    lambda page: page.get_by_text("hello", exact=True),
                )
            )
        browser.close()
    app, minimal = median_ms(app_times), median_ms(minimal_times)
    add(
        "6. `streamlit run` to sign-in page drawn (Chromium)",
        f"{app:.0f} ms",
        f"{minimal:.0f} ms",
        app / minimal,
        "report only",
        "",
    )


# --- the machine and the table -----------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> None:
    began = time.perf_counter()
    set_log_level("error")  # AppTest's "missing ScriptRunContext" chatter
    base = Path(tempfile.mkdtemp(prefix="training-bench-"))
    os.environ["TRAINING_SECRET_KEY"] = "benchmark-secret-key"
    try:
        course = load_course(ROOT)
        print("Running benchmarks (about 2 minutes)...", file=sys.stderr, flush=True)
        many = bench_many(base)
        bench_course(course, base)
        bench_ledger(base)
        bench_console(course, base)
        report_many(*many)
        bench_start(base)
    finally:
        shutil.rmtree(base, ignore_errors=True)

    print(f"Machine: {os.cpu_count()} CPUs (nproc), {cpu_model()}, {platform.system()}")
    print(f"Python {platform.python_version()}, streamlit {st.__version__}")
    print(f"Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print()
    header = ("Measure", "App (median)", "Baseline (median)", "Ratio", "Target", "Met")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in ROWS:
        print("| " + " | ".join(row) + " |")
    print()
    print(
        "Baselines: 1-2 and 4b the AppTest rerun of a one-line page (st.write('hello')); "
        "3 the same lines appended by the same 8 processes under the same file lock with "
        "os.write + fsync; 4a pandas.read_csv of both files; 2b and 5 one officer submitting "
        "alone (figure 2); 6 the same start for a one-line page. The 'for reference' rows time "
        "Streamlit alone, with no app code: under 1a and 1b drawing the very page the app drew "
        "(benchmarks/same_page.py), under 2 a form of as many questions and its results. What "
        "lies between a figure and its reference is the app's own work."
    )
    for note in NOTES:
        print(note)
    print(f"Total time: {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
