"""The "Verify certificate" page (script: pages/verify.py), for anyone, also opened from a
certificate's QR code as /verify?code=CODE."""

from __future__ import annotations

import streamlit as st

from training import page_titles
from training.certificates.verification import check_certificate, describe
from training.config import secret_key
from training.ui.accessibility import page_title, start_at_top
from training.ui.common import (
    client_id,
    course_or_stop,
    escape_markdown,
    open_store_or_stop,
    settings_or_stop,
    verify_throttle,
)


def render() -> None:
    settings = settings_or_stop()
    course = course_or_stop(settings)
    page_title(page_titles.verify())
    st.title("Verify certificate")
    st.markdown(
        "Type the code printed on a certificate of this training, or scan its QR code, to check "
        "that it is genuine."
    )
    if "verify_code" not in st.session_state and st.query_params.get("code"):
        st.session_state["verify_code"] = st.query_params["code"][:40]
    with st.form("verify_form", enter_to_submit=True, border=False):
        st.text_input("Certificate code", key="verify_code", max_chars=40)
        checked = st.form_submit_button("Check", type="primary")
    # Focus stays in the form after a check: the answer below is announced (an alert).
    start_at_top("verify", "Verify certificate")
    code = st.session_state.get("verify_code", "").strip()
    if not code or not (checked or st.query_params.get("code")):
        return
    throttle = verify_throttle()
    client = client_id()
    if throttle.seconds_locked(client):
        st.error(
            "Too many codes that were not valid were checked from this computer. Please try "
            "again in a few minutes.",
            icon=":material/lock_clock:",
        )
        return
    found = check_certificate(
        code, open_store_or_stop(settings), secret_key(settings), course.info, settings.zone
    )
    if found is None:
        throttle.failure(client)
        page_title(page_titles.verify(valid=False))
        st.error(
            f"**Not a valid certificate**: no certificate of this training has the code "
            f"{escape_markdown(code)}. Check it was typed exactly as printed.",
            icon=":material/cancel:",
        )
        return
    page_title(page_titles.verify(valid=True))
    st.success(
        f"**Valid certificate**  \n{escape_markdown(describe(found))}", icon=":material/verified:"
    )
    st.markdown(f"Certificate code: `{found.certificate_code}`")
