"""Reliability tests reuse the browser tests' app server (`streamlit run` on a free port, its own
results directory, the seat-time gate off)."""

from tests.browser.conftest import app_server  # noqa: F401
