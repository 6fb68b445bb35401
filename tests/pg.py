"""A private PostgreSQL for the tests: Debian's server, initdb into a temporary folder, reached
only through a Unix socket there, started once per test session and always removed.

As root the server runs as the `postgres` user (initdb refuses root) through runuser. When the
server is missing it is installed with apt-get as root; otherwise the tests stop with a message
saying what to install.
"""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

PORT = 5432
START_TIMEOUT_S = 60


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server can be run here; the message says what to do."""


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _install() -> Path:
    binaries = _bin_dir()
    if binaries is not None:
        return binaries
    if os.geteuid() != 0:
        raise PostgresUnavailable(
            "PostgreSQL is not installed: run 'sudo apt-get install postgresql' (the tests use "
            "its binaries in /usr/lib/postgresql/*/bin and touch no system cluster)"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "postgresql"], check=True, env=env)
    binaries = _bin_dir()
    if binaries is None:
        raise PostgresUnavailable("apt-get installed postgresql but no initdb was found")
    return binaries


class PrivatePostgres:
    """One throwaway cluster; `url(db)` for a database on it."""

    def __init__(self, fsync: bool = False) -> None:
        #: Tests run without fsync (faster, and nothing they check needs it); benchmarks with.
        self.fsync = fsync
        self.bin = _install()
        self.dir = Path(tempfile.mkdtemp(prefix="training-pg-"))
        self.data = self.dir / "data"
        self._as_root = os.geteuid() == 0
        if self._as_root:
            shutil.chown(self.dir, "postgres", "postgres")
        self.dir.chmod(0o700 if not self._as_root else 0o755)
        self.running = False

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin / args[0]), *args[1:]]
        if self._as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True)

    def init(self) -> None:
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C",
            "-N",
        )

    def start(self) -> None:
        fsync = "on" if self.fsync else "off"
        options = (
            f"-c listen_addresses='' -k {self.dir} -p {PORT} -c fsync={fsync} "
            "-c max_connections=200"
        )
        result = self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.dir / "server.log"),
            "-w",
            "-t",
            str(START_TIMEOUT_S),
            "-o",
            options,
            "start",
            check=False,
        )
        if result.returncode != 0:
            log = (self.dir / "server.log").read_text(errors="replace")[-2000:]
            raise PostgresUnavailable(f"PostgreSQL did not start: {result.stderr}\n{log}")
        self.running = True

    def stop(self) -> None:
        if self.running:
            self._run("pg_ctl", "-D", str(self.data), "stop", "-m", "immediate", check=False)
            self.running = False

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, database: str = "postgres", user: str = "postgres") -> str:
        return f"postgresql:///{database}?host={self.dir}&port={PORT}&user={user}"


_server: PrivatePostgres | None = None
_lock = threading.Lock()


def server() -> PrivatePostgres:
    """The session's server, started on first use and removed at exit (also after a failure:
    the session fixture's finalizer and atexit both remove it)."""
    global _server
    with _lock:
        if _server is None:
            made = PrivatePostgres()
            atexit.register(made.remove)
            made.init()
            made.start()
            _server = made
        return _server


def shutdown() -> None:
    global _server
    with _lock:
        if _server is not None:
            _server.remove()
            _server = None
