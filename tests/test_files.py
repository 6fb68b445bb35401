"""The results files' locks: they exclude each other and filelock.FileLock on the same file,
give up with a Timeout (an OSError the pages turn into "Retry saving"), and are let go on error."""

from __future__ import annotations

import threading
from pathlib import Path

import filelock
import pytest

from training.files import exclusive


def test_a_held_lock_makes_a_second_holder_time_out(tmp_path: Path) -> None:
    lock = tmp_path / "x.lock"
    with exclusive(lock, timeout=5), pytest.raises(filelock.Timeout), exclusive(lock, timeout=0.05):
        pass
    with exclusive(lock, timeout=0.05):
        pass  # free again once the first holder let go


def test_it_excludes_and_is_excluded_by_filelock(tmp_path: Path) -> None:
    lock = tmp_path / "x.lock"
    with exclusive(lock, timeout=5), pytest.raises(filelock.Timeout):
        filelock.FileLock(lock, timeout=0.05).acquire()
    with (
        filelock.FileLock(lock, timeout=5),
        pytest.raises(filelock.Timeout),
        exclusive(lock, timeout=0.05),
    ):
        pass
    with exclusive(lock, timeout=0.05):
        pass


def test_a_waiter_gets_the_lock_when_the_holder_lets_go(tmp_path: Path) -> None:
    lock = tmp_path / "x.lock"
    order: list[str] = []
    held = threading.Event()

    def holder() -> None:
        with exclusive(lock, timeout=5):
            held.set()
            threading.Event().wait(0.1)
            order.append("holder done")

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait()
    with exclusive(lock, timeout=5):
        order.append("waiter in")
    thread.join()
    assert order == ["holder done", "waiter in"]


def test_an_error_inside_lets_the_lock_go(tmp_path: Path) -> None:
    lock = tmp_path / "x.lock"
    with pytest.raises(ValueError), exclusive(lock, timeout=5):
        raise ValueError("boom")
    with exclusive(lock, timeout=0.05):
        pass
