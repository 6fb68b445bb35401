"""The end of the course: "Training complete" and the certificate code."""

from __future__ import annotations

import streamlit as st

from training.certificates.pdf import certificate_pdf
from training.config import Settings
from training.content import Course
from training.dates import local_date as dates_local_date
from training.dates import long_date
from training.record_types import CompletionRecord
from training.storage import Store
from training.ui import session
from training.ui.common import escape_markdown
from training.ui.quiz import last_result, result_view


def local_date(timestamp: str, settings: Settings) -> str:
    return long_date(dates_local_date(timestamp, settings.zone))


def certificate_button(
    course: Course, record: CompletionRecord, settings: Settings, key: str, label: str
) -> None:
    st.download_button(
        label,
        data=lambda: certificate_pdf(record, course.info, settings.zone, settings.public_url),
        file_name=f"certificate-{record.certificate_code}.pdf",
        mime="application/pdf",
        on_click="ignore",
        type="primary",
        icon=":material/download:",
        key=key,
    )


def _retake(store: Store) -> None:
    session.signed_in().retake(store.completions_mark())
    st.session_state.pop("quiz_result", None)
    session.save(store)


HEADING = "Training complete"


def render(
    course: Course,
    record: CompletionRecord,
    settings: Settings,
    store: Store,
) -> None:
    st.title(HEADING)
    st.success(
        f"{escape_markdown(record.officer_name)}, you completed "
        f"“{escape_markdown(course.info.title)}” on {local_date(record.completed_at, settings)} "
        f"with a final score of {record.score_percent}%.",
        icon=":material/verified:",
    )
    st.markdown("**Certificate code**")
    st.code(record.certificate_code, language=None)
    st.markdown(
        f"Keep this code: it identifies your completion record of {course.info.credit_hours:g} "
        f"hours of training toward {escape_markdown(course.info.statute)}. Your completion is "
        f"recorded for {escape_markdown(record.agency)}, ID {escape_markdown(record.badge_number)}."
        "\n\nYou can sign in again at any time with the same badge or officer ID and agency to "
        "download your certificate again."
    )
    certificate_button(course, record, settings, "download_certificate", "Download certificate")
    result = last_result(course.final)
    if result is not None:
        # Drawn only when opened (opening it reruns): the page is drawn again on every click,
        # and 20 marked answers, its longest element, cost about 0.3 ms of each.
        with st.expander(
            "Review your final assessment answers", key="final_review", on_change="rerun"
        ) as review:
            if review.open:
                result_view(course.final, *result, boxed=False)
    with st.expander("Take the course again"):
        st.markdown(
            "You may retake the whole course, for example as a refresher. Your completion and "
            "certificate stay on record."
        )
        st.button("Retake the course", key="retake_course", on_click=_retake, args=(store,))
