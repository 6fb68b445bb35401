"""Writing results files that several processes share: exclusive locks and whole writes.

The locks take filelock's own primitive on a descriptor (flock on Unix), so they exclude, and are
excluded by, `filelock.FileLock` on the same lock file, which scripts and tests may use. They
are not FileLock itself: its bookkeeping took 0.3 ms an acquire inside the app, where the flock
under it takes 0.02 ms and finishing the course takes three locks.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import Timeout, lock_descriptor, unlock_descriptor

#: How long a waiting writer sleeps between tries: the lock is held for about a millisecond.
POLL_SECONDS = 0.002


@contextmanager
def exclusive(lock_file: Path | str, timeout: float) -> Iterator[None]:
    """Hold the lock on `lock_file` (created if missing); raise filelock.Timeout, an OSError,
    when another holder keeps it longer than `timeout` seconds."""
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o640)
    try:
        deadline = time.monotonic() + timeout
        while not lock_descriptor(fd, blocking=False):
            if time.monotonic() >= deadline:
                raise Timeout(str(lock_file))
            time.sleep(POLL_SECONDS)
        try:
            yield
        finally:
            unlock_descriptor(fd)
    finally:
        os.close(fd)


def write_all(fd: int, data: bytes) -> None:
    """os.write until every byte is written (it may write fewer than asked)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
