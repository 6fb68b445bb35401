"""Entry point: page configuration and navigation over the pages in training/ui."""

import streamlit as st

from training.ui import navigation, training_page

st.set_page_config(
    page_title="Human Trafficking Training — Mississippi Law Enforcement",
    page_icon=":material/shield:",
    layout="centered",
)
st.navigation(navigation.all_pages(training_page.render)).run()
