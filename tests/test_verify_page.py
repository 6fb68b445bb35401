"""The Verify certificate page: anyone, no sign-in, also from the QR code's address."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.apptest_helpers import click, titles
from tests.factories import completion
from training import certificates
from training.config import PROJECT_ROOT
from training.content import Course
from training.storage.csv_files import Ledger

KEY = b"test-secret-key"
PAGE = "training/ui/pages/verify.py"


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    st.cache_resource.clear()


@pytest.fixture
def code(results_dir: Path, course: Course) -> str:
    issued = certificates.new_code(KEY)
    Ledger(results_dir).append_completion(
        completion(1, officer_name="Zoë O'Neil", certificate_code=issued, course_id=course.info.id)
    )
    return issued


def verify_page(query_code: str | None = None) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=30)
    at.run()
    if query_code is not None:
        at.query_params["code"] = query_code
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert titles(at) == ["Verify certificate"]
    return at


def check(at: AppTest, typed: str) -> AppTest:
    at.text_input(key="verify_code").input(typed)
    return click(at, "Check")


def test_the_qr_address_answers_valid_with_name_course_date_and_hours(
    code: str, course: Course
) -> None:
    at = verify_page(code)
    answer = " ".join(s.value for s in at.success)
    assert "**Valid certificate**" in answer
    assert "Zoë O'Neil" in answer.replace("\\", "")
    assert course.info.title in answer.replace("\\", "")
    assert "hours" in answer
    assert "B00001" not in str(at), "the badge number is never shown"


def test_a_typed_code_with_spaces_and_lower_case_is_found(code: str) -> None:
    at = check(verify_page(), code.lower().replace("-", " "))
    assert any("**Valid certificate**" in s.value for s in at.success)


def test_a_made_up_code_is_not_valid(code: str) -> None:
    at = check(verify_page(), "ABCD-EFGH-JKLM-NPQR")
    assert any("**Not a valid certificate**" in e.value for e in at.error)
    assert not at.success


def test_repeated_wrong_codes_are_slowed_down(code: str) -> None:
    at = verify_page()
    for n in range(10):
        check(at, f"WRONG-CODE-{n:04d}")
    check(at, code)
    assert any("Too many codes" in e.value for e in at.error)
    assert not at.success, "even a genuine code waits out the lockout"
