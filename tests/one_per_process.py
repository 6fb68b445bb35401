"""One helper server per test process (PostgreSQL, the LRS): made and started on first use,
removed by `shutdown` (a session fixture's finalizer) and at exit, also after a failure."""

from __future__ import annotations

import atexit
import threading
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar


class Removable(Protocol):
    def remove(self) -> None: ...


S = TypeVar("S", bound=Removable)


class OnePerProcess(Generic[S]):
    def __init__(self, make: Callable[[], S], start: Callable[[S], None]) -> None:
        self._make = make
        self._start = start
        self._server: S | None = None
        self._lock = threading.Lock()

    def get(self) -> S:
        with self._lock:
            if self._server is None:
                made = self._make()
                atexit.register(made.remove)
                try:
                    self._start(made)
                except BaseException:
                    made.remove()
                    raise
                self._server = made
            return self._server

    def shutdown(self) -> None:
        with self._lock:
            if self._server is not None:
                self._server.remove()
                self._server = None
