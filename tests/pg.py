"""A private PostgreSQL for the tests: Debian's server, initdb into a temporary folder, reached
only through a Unix socket there, started once per test session and always removed.

As root the server runs as the `postgres` user (initdb refuses root) through runuser; the folder
is 0700 either way (root reaches the socket all the same). The tests never install anything:
`make test` and `make bench` install PostgreSQL (the Makefile's `postgresql` target); when it is
missing the tests stop with a message saying what to install.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.one_per_process import OnePerProcess

PORT = 5432
START_TIMEOUT_S = 60


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server can be run here; the message says what to do."""


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _binaries() -> Path:
    binaries = _bin_dir()
    if binaries is None:
        raise PostgresUnavailable(
            "PostgreSQL is not installed: run `make postgresql` (as root) or "
            "'sudo apt-get install postgresql' (the tests use its binaries in "
            "/usr/lib/postgresql/*/bin and touch no system cluster)"
        )
    return binaries


class PrivatePostgres:
    """One throwaway cluster; `url(db)` for a database on it."""

    def __init__(self, fsync: bool = False) -> None:
        #: Tests run without fsync (faster, and nothing they check needs it); benchmarks with.
        self.fsync = fsync
        self.bin = _binaries()
        self.dir = Path(tempfile.mkdtemp(prefix="training-pg-"))
        self.data = self.dir / "data"
        self._as_root = os.geteuid() == 0
        if self._as_root:
            shutil.chown(self.dir, "postgres", "postgres")
        self.dir.chmod(0o700)  # a trust-auth superuser socket: nobody else may reach it
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
            # pg_ctl may have given up waiting on a postmaster that still runs: stop it too.
            self.stop()
            try:
                log = (self.dir / "server.log").read_text(errors="replace")[-2000:]
            except OSError:
                log = ""
            raise PostgresUnavailable(f"PostgreSQL did not start: {result.stderr}\n{log}")
        self.running = True

    def stop(self) -> None:
        """Stops the postmaster if one runs on the folder, also one `start` gave up waiting
        on (pg_ctl -w timed out), so the folder is never removed under a live server."""
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "stop", "-m", "immediate", check=False)
        self.running = False

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def database(self, name: str, *, migrated: bool = True) -> str:
        """A new, empty database `name` on this server (an old one of that name is dropped),
        with the schema unless `migrated` is False; its URL."""
        import psycopg

        from training.storage.migrate import migrate

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        url = self.url(name)
        if migrated:
            migrate(url)
        return url

    def url(self, database: str = "postgres", user: str = "postgres") -> str:
        return f"postgresql:///{database}?host={self.dir}&port={PORT}&user={user}"


def _init_and_start(made: PrivatePostgres) -> None:
    made.init()
    made.start()


_one = OnePerProcess(PrivatePostgres, _init_and_start)


def server() -> PrivatePostgres:
    """The session's server, started on first use and removed at exit (also after a failure:
    the session fixture's finalizer and atexit both remove it)."""
    return _one.get()


def shutdown() -> None:
    _one.shutdown()
