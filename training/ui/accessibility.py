"""What every page does for keyboard and screen-reader users, beyond Streamlit's own: a title
naming the page and the step, focus on the heading of each new step, a visible focus ring on
every control, targets of at least 24 × 24 pixels, and no invisible Tab stops
(docs/accessibility.md says why each is here).

Streamlit has no setting for these: a style sheet (accessibility.css) goes with every run, and
a small script (accessibility.js) with the first run of each new step or page.
"""

from __future__ import annotations

import json
from pathlib import Path

import streamlit as st

_HERE = Path(__file__).parent
_STYLE = f"<style>\n{(_HERE / 'accessibility.css').read_text(encoding='utf-8')}</style>"
_NEW_STEP = (_HERE / "accessibility.js").read_text(encoding="utf-8")


def page_style() -> None:
    """The style sheet, on every run: Streamlit drops what a run does not send again."""
    st.html(_STYLE)


def page_title(title: str) -> None:
    """The browser tab's title (training.page_titles), which a screen reader reads first."""
    st.set_page_config(page_title=title)


def start_at_top(step: str, heading: str) -> None:
    """When the user reaches another step or page (`step` names it), show it from its top
    with focus on its heading (the h1 whose text is `heading`), not mid-page with focus on a
    control that is gone."""
    if st.session_state.get("shown_step") == step:
        return
    st.session_state["shown_step"] = step
    script = _NEW_STEP.replace("__STEP__", json.dumps(step)).replace(
        "__HEADING__", json.dumps(" ".join(heading.split()))
    )
    st.html(f"<script>\n{script}</script>", unsafe_allow_javascript=True)
