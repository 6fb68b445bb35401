"""Who to call (script: pages/who_to_call.py): every number an officer may need, from
course.yaml, with no sign-in."""

from __future__ import annotations

import streamlit as st

from training.ui.common import contact_lines, course_or_stop, settings_or_stop


def render() -> None:
    course = course_or_stop(settings_or_stop())
    st.title("Who to call")
    st.markdown(
        "The numbers this course teaches, in one place. Keep this page open on your phone or "
        "print it (Ctrl+P) for your vehicle."
    )
    for contact, ways, when in contact_lines(course):
        with st.container(border=True):
            st.markdown(f"## {contact}")
            st.markdown(f"**{ways}**")
            st.markdown(when)
    st.markdown("In an emergency, call 911.")
