"""Streamlit alone drawing a page the app drew: the least that page can take, whatever the app.

`snapshot` takes what AppTest saw of a page of the app, and `replay_module` turns it (for a click,
the page with its form and the page "Submit answers" led to) into a Streamlit module that draws
the same elements, in the same places, with the same texts, keys and options, with Streamlit's
own commands and nothing else: no settings, no store, no scoring, no file written. Its run is
the floor for the app's on this Streamlit and this machine: what is left between the two is all
the app's own work.

It copies each element's kind, text, key, options, default, type and disabled state, and each
box's border, direction and alignment. It leaves out what AppTest's tree does not show or what
costs Streamlit next to nothing: help texts, widths, the navigation's icons, and a fragment's
timed reruns (a lesson's heartbeat), whose registration is counted as the app's. It is
generated from the app's page on every run, so it follows the page as the page changes. An
element it cannot draw, or a replay that fails, raises `Unreplayable`: the benchmark then says
so instead of timing a page that is not the app's.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from streamlit.navigation.page import StreamlitPage
from streamlit.proto.Block_pb2 import Block as BlockProto
from streamlit.runtime.state.common import user_key_from_element_id
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Node

_SUBMITTED = "same_page_submitted"
_ALERTS = {"success", "error", "warning", "info"}
_JUSTIFY = BlockProto.FlexContainer.Justify
_START = _JUSTIFY.JUSTIFY_START
#: A box's `justify`, as the alignment along its row or column that st.container takes.
_ALONG_ROW = {
    _START: "left",
    _JUSTIFY.JUSTIFY_CENTER: "center",
    _JUSTIFY.JUSTIFY_END: "right",
    _JUSTIFY.SPACE_BETWEEN: "distribute",
}
_ALONG_COLUMN = {
    _START: "top",
    _JUSTIFY.JUSTIFY_CENTER: "center",
    _JUSTIFY.JUSTIFY_END: "bottom",
    _JUSTIFY.SPACE_BETWEEN: "distribute",
}


class Unreplayable(ValueError):
    """The page holds an element this module does not know how to draw."""


def _key(element_id: str) -> str | None:
    return user_key_from_element_id(element_id) if element_id else None


def _element(node: Node, indent: str) -> list[str]:
    kind = node.type
    proto = node.proto
    if kind == "markdown" and proto.element_type == proto.Type.NATIVE:
        return [f"{indent}st.markdown({proto.body!r})"]
    if kind == "title":
        return [f"{indent}st.title({proto.body!r})"]
    if kind == "progress":
        return [f"{indent}st.progress({proto.value!r}, text={proto.text!r})"]
    if kind in _ALERTS:
        return [f"{indent}st.{kind}({proto.body!r}, icon={proto.icon or None!r})"]
    if kind == "html":
        return [f"{indent}st.html({proto.body!r}, unsafe_allow_javascript=True)"]
    if kind == "page_link":
        return [
            f"{indent}st.page_link(PAGES[{proto.page!r}], label={proto.label!r}, "
            f"icon={proto.icon or None!r})"
        ]
    if kind == "checkbox":
        return [
            f"{indent}st.checkbox({proto.label!r}, value={proto.default!r}, "
            f"key={_key(proto.id)!r}, disabled={proto.disabled!r})"
        ]
    if kind == "radio":
        return [
            f"{indent}st.radio({proto.label!r}, options={list(proto.options)!r}, index=None, "
            f"key={_key(proto.id)!r}, disabled={proto.disabled!r})"
        ]
    if kind == "button" and proto.is_form_submitter:
        return [
            f"{indent}st.form_submit_button({proto.label!r}, type={proto.type!r}, "
            f"disabled={proto.disabled!r}, on_click=_submitted)"
        ]
    if kind == "button":
        return [
            f"{indent}st.button({proto.label!r}, key={_key(proto.id)!r}, type={proto.type!r}, "
            f"disabled={proto.disabled!r})"
        ]
    raise Unreplayable(f"no replay for a {kind!r} element")


def _block(block: Block, indent: str) -> list[str]:
    proto = block.proto
    if proto is None:
        raise Unreplayable("a block with no description")
    kind = proto.WhichOneof("type")
    if kind == "form":
        form = proto.form
        opening = (
            f"with st.form({form.form_id!r}, border={form.border!r}, "
            f"enter_to_submit={form.enter_to_submit!r}):"
        )
    elif kind == "flex_container":
        flex = proto.flex_container
        horizontal = flex.direction == BlockProto.FlexContainer.Direction.HORIZONTAL
        along = _ALONG_ROW if horizontal else _ALONG_COLUMN
        alignment = "horizontal_alignment" if horizontal else "vertical_alignment"
        opening = (
            f"with st.container(border={flex.border!r}, horizontal={horizontal!r}, "
            f"{alignment}={along.get(flex.justify, along[_START])!r}, key={_key(proto.id)!r}):"
        )
    else:
        raise Unreplayable(f"no replay for a {kind!r} block")
    return [f"{indent}{opening}", *_children(block.children.values(), indent + "    ")]


def _children(nodes: Iterable[Node], indent: str) -> list[str]:
    lines: list[str] = []
    for node in nodes:
        lines += _block(node, indent) if isinstance(node, Block) else _element(node, indent)
    return lines or [f"{indent}pass"]


def snapshot(at: AppTest) -> list[str]:
    """The Streamlit calls that draw the page `at` shows, as lines of a function's body. Taken
    before a click, since the click replaces the page."""
    headings = [t.value for t in at.title]
    title = headings[0] if headings else "Page"
    indent = "    "
    return [
        f"{indent}st.set_page_config(page_title={title!r}, page_icon=':material/shield:')",
        f"{indent}with st.sidebar:",
        *_children(at.sidebar.children.values(), indent + "    "),
        *_children(at.main.children.values(), indent),
    ]


def replay_module(
    pages: Sequence[StreamlitPage], before: list[str], after: list[str] | None = None
) -> str:
    """A module whose `run()` draws `before` (a `snapshot` of the app's page) until a form on
    it is submitted, then `after` (the page the submission drew; the same page if None),
    inside a navigation of as many pages, with the same titles and addresses, as the app's
    (`pages`, the first being the one drawn). Like the app's, its code is imported once, not
    compiled again on every run, and its pages are made once and copied for each run."""
    listed = [
        f"    st.Page({'_draw' if i == 0 else 'lambda: None'}, title={p.title!r}, "
        + (f"url_path={p.url_path!r}, " if p.url_path else "")
        + f"default={i == 0!r}),"
        for i, p in enumerate(pages)
    ]
    return "\n".join(
        [
            "import copy",
            "import streamlit as st",
            "",
            "def _submitted():",
            f"    st.session_state[{_SUBMITTED!r}] = True",
            "",
            "def _draw():",
            f"    if st.session_state.get({_SUBMITTED!r}):",
            *("    " + line for line in (before if after is None else after)),
            "    else:",
            *("    " + line for line in before),
            "",
            "_PAGES = {}",
            "",
            "def run():",
            "    if not _PAGES:",
            "        _PAGES.update((page.url_path, page) for page in [",
            *("        " + line for line in listed),
            "        ])",
            "    PAGES.clear()",
            "    PAGES.update((path, copy.copy(page)) for path, page in _PAGES.items())",
            "    st.navigation(list(PAGES.values())).run()",
            "",
            "PAGES = {}",
            "",
        ]
    )


def install(folder: Path, name: str, source: str) -> None:
    """Save `source` as module `name` in `folder`, and put `folder` on the import path. A
    module of that name imported before is dropped, so the next import reads this one."""
    (folder / f"{name}.py").write_text(source, encoding="utf-8")
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    sys.modules.pop(name, None)
    importlib.invalidate_caches()


def opened(name: str) -> AppTest:
    """The replayed page of module `name` (see `install`), run twice: as warm as the app's
    page, which was walked to."""
    at = AppTest.from_string(f"import {name}\n{name}.run()\n", default_timeout=30).run()
    at.run()
    if at.exception:
        raise Unreplayable(f"the replay failed: {at.exception[0].message}")
    return at


def answered(name: str) -> AppTest:
    """The replayed page with every question answered: ready for "Submit answers"."""
    at = opened(name)
    for radio in at.radio:
        radio.set_value(radio.options[0])
    for checkbox in at.checkbox:
        checkbox.set_value(True)
    return at
