"""Several worker processes started together and always reaped, for the concurrency tests."""

from __future__ import annotations

import time
from collections.abc import Sequence
from multiprocessing.process import BaseProcess

#: How long all the workers together may take before the test fails instead of hanging.
DEADLINE_SECONDS = 240


def run_all(processes: Sequence[BaseProcess]) -> list[int | None]:
    """Start the workers, wait for them all (one shared deadline) and return their exit codes;
    any still running then, or when the caller fails, is killed and reaped."""
    try:
        for process in processes:
            process.start()
        deadline = time.monotonic() + DEADLINE_SECONDS
        for process in processes:
            process.join(timeout=max(0.0, deadline - time.monotonic()))
        return [process.exitcode for process in processes]
    finally:
        stop_all(processes)


def stop_all(processes: Sequence[BaseProcess]) -> None:
    """Kills every worker still running (the test failed or timed out) and reaps them all."""
    for process in processes:
        if process.is_alive():
            process.kill()
    for process in processes:
        if process.pid is not None:
            process.join(timeout=10)
