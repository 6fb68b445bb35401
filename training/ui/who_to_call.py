"""Who to call (script: pages/who_to_call.py): every number an officer may need, from
course.yaml, with no sign-in."""

from __future__ import annotations

import streamlit as st

from training import page_titles
from training.contact_card import contact_card_pdf
from training.ui.accessibility import page_title, start_at_top
from training.ui.common import contact_lines, course_or_stop, settings_or_stop


def render() -> None:
    course = course_or_stop(settings_or_stop())
    page_title(page_titles.who_to_call())
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
    st.download_button(
        "Download the Who to call card (PDF)",
        data=lambda: contact_card_pdf(course.info),
        file_name="who-to-call-human-trafficking.pdf",
        mime="application/pdf",
        on_click="ignore",
        icon=":material/download:",
        key="download_contact_card",
    )
    start_at_top("who-to-call", "Who to call")
