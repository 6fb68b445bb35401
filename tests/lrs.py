"""A real learning record store for the tests: Ralph (ralph-malph 5.1.0), like tests/pg.py.

- Installed into a virtual environment of its own (its pins clash with the app's), in the
  git-ignored `.cache/ralph-venv` of the repository: made on first use (`make test` makes it
  first, `make ralph`), kept while its stamp names the pinned version, made anew when the pin
  changes. When pip cannot reach the package index the tests stop saying so.
- Started on 127.0.0.1 and a free port with a data folder of its own in a temporary folder,
  credentials from `ralph auth` (its auth file there, RALPH_AUTH_FILE), and always stopped (by
  its process id) and removed at the end, also when a test failed. Stopping and starting it
  again on the same folder is how a test shows "the LRS is down".
- Storage: Ralph's file-system backend, the only one that needs no other server (the others
  need Elasticsearch, MongoDB or ClickHouse). In 5.x it keeps only the first write (it opens
  its file in "create" mode: every later POST answers HTTP 500), so it runs with its writer in
  Ralph's own append mode; see tests/ralph_server.py. Every statement is then kept, in one
  JSON-lines file, across restarts too.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from base64 import b64encode
from pathlib import Path
from typing import Any

from filelock import FileLock

from tests.one_per_process import OnePerProcess
from training.config import PROJECT_ROOT

#: The Ralph the tests run; the venv is made anew when this changes.
RALPH = "ralph-malph[cli,lrs]==5.1.0"
#: What Ralph's API imports but its `lrs` extra does not bring (its OpenID Connect module
#: imports requests even when only Basic auth is used).
PACKAGES = (RALPH, "requests==2.34.2")
VENV = PROJECT_ROOT / ".cache" / "ralph-venv"
STAMP = VENV / ".installed"
SERVER_SCRIPT = Path(__file__).with_name("ralph_server.py")
START_TIMEOUT_S = 60
USERNAME = "training-tests"
PASSWORD = "a-long-test-password"
XAPI_HEADERS = {"X-Experience-API-Version": "1.0.3"}


class LrsUnavailable(RuntimeError):
    """Ralph cannot be installed or started here; the message says why."""


def _bin(name: str) -> Path:
    return VENV / "bin" / name


def installed() -> bool:
    try:
        stamp = STAMP.read_text(encoding="utf-8").split()
        return stamp == list(PACKAGES) and _bin("ralph").exists()
    except FileNotFoundError:
        return False


def ensure_installed() -> None:
    """Ralph's virtual environment, made once (under a lock: two processes may ask at once)."""
    if installed():
        return
    VENV.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(VENV.parent / "ralph-venv.lock")):
        if installed():
            return
        print(f"Installing {RALPH} into {VENV} (once) ...", file=sys.stderr, flush=True)
        steps = [
            [sys.executable, "-m", "venv", "--clear", str(VENV)],
            [
                str(_bin("python")),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                *PACKAGES,
            ],
        ]
        for step in steps:
            done = subprocess.run(step, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                tail = (done.stderr or done.stdout).strip()[-1500:]
                raise LrsUnavailable(
                    f"could not install {RALPH} into {VENV} (pip needs to reach the package "
                    f"index; run `make ralph` once it can):\n{tail}"
                )
        STAMP.write_text("\n".join(PACKAGES) + "\n", encoding="utf-8")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Ralph:
    """One Ralph LRS on 127.0.0.1 with its own folder (statements, auth file, log)."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="training-lrs-"))
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self._log = self.dir / "server.log"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("RALPH_")},
            "HOME": str(self.dir),
            "RALPH_APP_DIR": str(self.dir / "app"),
            "RALPH_AUTH_FILE": str(self.dir / "auth.json"),
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(self.dir / "statements"),
            "RALPH_SENTRY_DSN": "",
        }

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/xAPI/"

    def add_user(self, username: str = USERNAME, password: str = PASSWORD) -> None:
        """Credentials as an operator makes them: `ralph auth ... -w` writes the auth file."""
        done = subprocess.run(
            [
                str(_bin("ralph")),
                "auth",
                "-u",
                username,
                "-p",
                password,
                "-s",
                "all",
                "-M",
                "mailto:training-tests@example.org",
                "-w",
            ],
            env=self.env,
            cwd=self.dir,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise LrsUnavailable(f"`ralph auth` failed: {done.stderr.strip()[-1500:]}")

    def start(self) -> None:
        with self._log.open("ab") as log:
            self.process = subprocess.Popen(
                [str(_bin("python")), str(SERVER_SCRIPT), "127.0.0.1", str(self.port)],
                env=self.env,
                cwd=self.dir,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{self.port}/__heartbeat__", timeout=2
                ) as answer:
                    if answer.status == 200:
                        return
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.1)
        self.stop()
        log_tail = self._log.read_text(errors="replace")[-2000:]
        raise LrsUnavailable(f"Ralph did not start on port {self.port}:\n{log_tail}")

    def stop(self) -> None:
        """Stops the server by its process id (and waits for it)."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    # --- what the LRS holds ---------------------------------------------------------------
    def statements(self) -> list[dict[str, Any]]:
        """Every statement the LRS holds, read through its xAPI GET (the fs backend's own
        filters are not all reliable, so the tests filter the list themselves)."""
        token = b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
        found: list[dict[str, Any]] = []
        url: str | None = f"http://127.0.0.1:{self.port}/xAPI/statements?limit=100"
        while url:
            request = urllib.request.Request(
                url, headers={**XAPI_HEADERS, "Authorization": f"Basic {token}"}
            )
            with urllib.request.urlopen(request, timeout=10) as answer:
                page = json.load(answer)
            found += page["statements"]
            more = page.get("more")
            url = f"http://127.0.0.1:{self.port}{more}" if more else None
        return found

    def stored_lines(self) -> int:
        """Lines in the backend's statements file: one per statement it stored."""
        path = self.dir / "statements" / "fs_lrs.jsonl"
        try:
            return sum(1 for line in path.read_bytes().splitlines() if line.strip())
        except FileNotFoundError:
            return 0


def _installed() -> Ralph:
    ensure_installed()
    return Ralph()


def _add_user_and_start(made: Ralph) -> None:
    made.add_user()
    made.start()


_one = OnePerProcess(_installed, _add_user_and_start)


def server() -> Ralph:
    """The session's Ralph, installed and started on first use, removed at exit (the session
    fixture's finalizer and atexit both remove it)."""
    return _one.get()


def shutdown() -> None:
    _one.shutdown()
