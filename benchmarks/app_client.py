"""A browser's side of Streamlit's websocket protocol: enough of it to take the course.

One `Browser` is one officer's tab: it opens the app's websocket (`/_stcore/stream`), asks for
script runs as the browser does (a `BackMsg` with the widget values, a button's trigger, or a
fragment's id for a timed fragment rerun), reads the `ForwardMsg`s back, and keeps what a
browser keeps: the widgets on the page (their ids, labels, options) and the timed fragments the
server asked for (`auto_rerun`), which the browser reruns on their interval. It draws nothing.

What a click costs is measured from sending its `BackMsg` to the run's `script_finished`
(after any `st.rerun()` the run asked for), as a browser would see the page settle.

Written against Streamlit 1.67's protocol (streamlit.proto); used only by the benchmarks.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

#: A run's last word: done, done as a fragment, or a compile error (the app is broken).
_FINISHED = {
    ForwardMsg.FINISHED_SUCCESSFULLY,
    ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
    ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
}
_WIDGETS = ("button", "text_input", "selectbox", "radio", "checkbox")
#: Longer than any run should take: past it the click counts as failed, not slow.
RUN_TIMEOUT_S = 60.0


class AppError(RuntimeError):
    """The app showed an exception, or never finished a run."""


@dataclass
class Widget:
    kind: str
    id: str
    label: str
    disabled: bool = False
    options: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        # Streamlit names a keyed widget "$$ID-<hash>-<key>"; unkeyed ones have no key part.
        parts = self.id.split("-", 2)
        return parts[2] if len(parts) == 3 and self.id.startswith("$$ID") else ""


@dataclass
class Run:
    """What one click (or timed rerun) produced."""

    seconds: float
    fragment: bool
    texts: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)


class Browser:
    """One tab on the app. Not thread-safe: one officer's coroutine drives it."""

    def __init__(self, base_url: str) -> None:
        self.ws_url = base_url.replace("http://", "ws://") + "/_stcore/stream"
        self._ws: ClientConnection | None = None
        self.widgets: dict[str, Widget] = {}
        #: The text of the page as the last full run drew it (headings, Markdown, alerts).
        self.texts: list[str] = []
        #: fragment id -> interval in seconds, as the server last asked.
        self.timed_fragments: dict[str, float] = {}
        #: Full runs of the page so far: each one restarts the browser's timers.
        self.page_runs = 0
        self.query_string = ""
        self.page_script_hash = ""

    async def open(self) -> Run:
        self._ws = await connect(
            self.ws_url, subprotocols=[Subprotocol("streamlit")], max_size=None, compression=None
        )
        return await self.rerun()

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
            self._ws = None

    # --- what the officer does ---------------------------------------------------------------
    def find(self, *, key: str = "", label: str = "", kind: str = "") -> Widget | None:
        for widget in self.widgets.values():
            if key and widget.key != key:
                continue
            if label and widget.label != label:
                continue
            if kind and widget.kind != kind:
                continue
            return widget
        return None

    async def click(self, widget: Widget, values: list[WidgetState] | None = None) -> Run:
        trigger = WidgetState(id=widget.id, trigger_value=True)
        return await self.rerun([*(values or []), trigger])

    async def tick(self, fragment_id: str) -> Run:
        """The browser's timer for a `run_every` fragment went off."""
        return await self.rerun(fragment_id=fragment_id)

    async def rerun(self, widgets: list[WidgetState] | None = None, fragment_id: str = "") -> Run:
        assert self._ws is not None, "open() first"
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query_string
        state.page_script_hash = self.page_script_hash
        if fragment_id:
            state.fragment_id = fragment_id
            state.is_auto_rerun = True
        state.widget_states.widgets.extend(widgets or [])
        began = time.perf_counter()
        await self._ws.send(msg.SerializeToString())
        run = Run(0.0, bool(fragment_id))
        async with asyncio.timeout(RUN_TIMEOUT_S):
            while True:
                data = await self._ws.recv()
                assert isinstance(data, bytes)
                if self._take(ForwardMsg.FromString(data), run):
                    break
        run.seconds = time.perf_counter() - began
        if run.exceptions:
            raise AppError("; ".join(run.exceptions))
        return run

    # --- reading the server's messages --------------------------------------------------------
    def _take(self, msg: ForwardMsg, run: Run) -> bool:
        """Keep what a browser keeps from one message; True when the run is over."""
        kind = msg.WhichOneof("type")
        if kind == "delta":
            self._delta(msg, run)
        elif kind == "new_session":
            if not msg.metadata.run.fragment_ids:
                # A full run: the browser forgets the page's widgets and timers; the run sends
                # the ones still on the page again.
                self.page_runs += 1
                self.widgets.clear()
                self.texts.clear()
                self.timed_fragments.clear()
                self.page_script_hash = msg.new_session.page_script_hash
        elif kind == "auto_rerun":
            self.timed_fragments[msg.auto_rerun.fragment_id] = msg.auto_rerun.interval
        elif kind == "stop_auto_rerun":
            for fid in msg.stop_auto_rerun.fragment_ids:
                self.timed_fragments.pop(fid, None)
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "script_finished":
            return msg.script_finished in _FINISHED
        return False

    def _delta(self, msg: ForwardMsg, run: Run) -> None:
        delta = msg.delta
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind in _WIDGETS:
            proto: Any = getattr(element, kind)
            self.widgets[proto.id] = Widget(
                kind,
                proto.id,
                proto.label,
                bool(getattr(proto, "disabled", False)),
                tuple(getattr(proto, "options", ())),
            )
        elif kind in ("markdown", "heading", "alert"):
            text = getattr(element, kind).body
            run.texts.append(text)
            self.texts.append(text)
        elif kind == "exception":
            run.exceptions.append(f"{element.exception.type}: {element.exception.message}")
