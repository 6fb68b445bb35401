"""Entry point: page configuration and navigation over the pages in training/ui."""

import streamlit as st

from training.ui import accessibility, navigation, training_page

# Each page sets its own title (training.page_titles), naming the page and the step.
st.set_page_config(page_icon=":material/shield:", layout="centered")
accessibility.page_style()
st.navigation(navigation.all_pages(training_page.render)).run()
