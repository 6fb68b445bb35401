"""Streamlit pages: layout and wiring only; the rules live in the training package."""
