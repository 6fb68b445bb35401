"""Browser-test fixtures: the app served by `streamlit run`, Debian's Chromium through Playwright.

One app server and one browser per test session; a fresh browser context and page per test, so
no test sees another's Streamlit session or cookies. Every helper waits on something it can see
(Playwright's auto-retrying `expect`), never on a fixed sleep.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests import isolation
from training.auth import hash_password

ROOT = Path(__file__).resolve().parents[2]
COORDINATOR_PASSWORD = "browser-test coordinator password"
CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_TIMEOUT_S = 30
#: How long a single expectation may wait (a rerun is well under a second on these machines).
EXPECT_TIMEOUT_MS = 10_000
expect.set_options(timeout=EXPECT_TIMEOUT_MS)
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


@dataclass(frozen=True)
class AppServer:
    url: str
    results_dir: Path


def streamlit_run(port: int, script: str | Path = "app.py") -> list[str]:
    """The command that serves `script` headless on `port`, as the tests and benchmarks do."""
    return [
        str(ROOT / ".venv" / "bin" / "streamlit"),
        "run",
        str(script),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
    ]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
            return response.read().decode().strip() == "ok"
    except (urllib.error.URLError, OSError):
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


def start_app(env: dict[str, str], logs: Path, port: int | None = None) -> subprocess.Popen[bytes]:
    """`streamlit run app.py` with the settings `env` and no other (no TRAINING_ variable of
    the caller, no secrets.toml of the project or the user: it runs in a folder of its own
    under `logs`, which is also its HOME), on `port` (a free one by default), healthy; its
    output in `logs`. Stop it with `stop_app` (or kill its process group)."""
    port = port or _free_port()
    url = f"http://127.0.0.1:{port}"
    logs.mkdir(parents=True, exist_ok=True)
    folder = isolation.server_folder(logs / "run")
    with (logs / "stdout.log").open("ab") as out, (logs / "stderr.log").open("ab") as err:
        process = subprocess.Popen(
            streamlit_run(port, ROOT / "app.py"),
            cwd=folder,
            env=isolation.server_environ(folder, env),
            stdout=out,
            stderr=err,
            start_new_session=True,  # its own process group, so the whole group can be stopped
        )
    process.url = url  # type: ignore[attr-defined]
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not _healthy(url):
        if process.poll() is not None or time.monotonic() > deadline:
            state = (
                f"exited with code {process.returncode}"
                if process.poll() is not None
                else f"not healthy after {STARTUP_TIMEOUT_S} s"
            )
            stop_app(process)
            stderr = (logs / "stderr.log").read_text(errors="replace")
            stdout = (logs / "stdout.log").read_text(errors="replace")
            pytest.fail(
                f"streamlit run app.py {state}.\n--- stderr ---\n{stderr}\n"
                f"--- stdout ---\n{stdout}",
                pytrace=False,
            )
        time.sleep(0.1)
    return process


stop_app = _stop


def _serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    results_dir = tmp_path_factory.mktemp("results")
    logs = tmp_path_factory.mktemp("streamlit-logs")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        "TRAINING_RESULTS_DIR": str(results_dir),
        "TRAINING_SEAT_TIME_SCALE": "0",
        "TRAINING_SECRET_KEY": "test-key",
        "TRAINING_COORDINATOR_PASSWORD_HASH": hash_password(COORDINATOR_PASSWORD),
        "TRAINING_PUBLIC_URL": url,  # the address certificates print and QR-code
        # No TRAINING_DATABASE_URL: the CSV store, whatever the caller's environment says.
    }
    process = start_app(env, logs, port)
    try:
        yield AppServer(url, results_dir)
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """`streamlit run app.py` on a free port, with its own empty results directory."""
    yield from _serve(tmp_path_factory)


@pytest.fixture(scope="module")
def own_app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """Like app_server, for one test module alone: the records its tests add (completions
    the console lists) are not seen by other modules' tests."""
    yield from _serve(tmp_path_factory)


@pytest.fixture(scope="session")
def devtools_port() -> int:
    """The browser's remote-debugging port, on 127.0.0.1: Lighthouse audits the pages the tests
    open in it (tests/browser/lighthouse.mjs)."""
    return _free_port()


@pytest.fixture(scope="session")
def browser(devtools_port: int) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        where = "on CI (CI is set)" if os.environ.get("CI") else "on this machine"
        pytest.fail(
            f"{CHROMIUM} is missing {where}: the browser tests need Debian's Chromium. "
            "Install it with `make chromium` (apt-get install chromium); "
            "never `playwright install`.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[*CHROMIUM_ARGS, f"--remote-debugging-port={devtools_port}"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh context and page: no Streamlit session, cookie or storage from another test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.set_default_timeout(EXPECT_TIMEOUT_MS)
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        # A screenshot is a courtesy for whoever reads the failure; it never hides it.
        with contextlib.suppress(Exception):
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[[], Page]]:
    """Opens further pages, each in its own new context (a second device, no shared session)."""
    contexts = []

    def open_page() -> Page:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
        context.set_default_timeout(EXPECT_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def wait_idle(page: Page, timeout: float = EXPECT_TIMEOUT_MS) -> None:
    """Connected and no script run in progress. Pair it with an `expect` on what should show:
    right after a click the state may not have flipped to "running" yet."""
    expect(
        page.locator('[data-testid="stApp"][data-test-connection-state="CONNECTED"]')
    ).to_be_attached(timeout=timeout)
    expect(page.locator(IDLE)).to_be_attached(timeout=timeout)


#: The rules axe-core runs: WCAG 2.0, 2.1 and 2.2 at levels A and AA, and its best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def axe_violations(page: Page) -> list[tuple[str, str, list[str]]]:
    """axe-core's violations of any impact (rules tagged AXE_TAGS) on the page, as (rule id,
    help, targets)."""
    if not AXE_JS.is_file():
        pytest.fail(
            f"{AXE_JS} is missing: run `npm ci --prefix tests/browser` (done by `make test`).",
            pytrace=False,
        )
    wait_idle(page)
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    results = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    return [
        (
            f"{violation['id']} ({violation['impact']})",
            violation["help"],
            [" ".join(str(part) for part in node["target"]) for node in violation["nodes"]],
        )
        for violation in results["violations"]
    ]
