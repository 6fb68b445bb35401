"""Entry point: navigation over the pages in training/ui."""

import streamlit as st

from training.ui import navigation, training_page

# Each page sets its own title (training.page_titles) and icon: accessibility.page_title.
st.navigation(navigation.all_pages(training_page.render)).run()
