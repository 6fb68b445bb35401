"""Answering "is this certificate genuine?" for anyone, without signing in.

A code whose check symbols do not match the secret key is refused before the ledger is read,
so made-up or mistyped codes cost nothing and reveal nothing. The answer names the officer,
the course, the date and the hours, never the badge number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from training.certificates.codes import is_genuine_form, normalize
from training.content import CourseInfo
from training.dates import local_date, long_date
from training.storage import Store

#: Wrong codes from one client before checks are refused for a while.
MAX_WRONG_CODES = 10
WRONG_CODE_LOCKOUT_SECONDS = 10 * 60


@dataclass(frozen=True)
class VerifiedCertificate:
    officer_name: str
    course_title: str
    completed_on: date
    credit_hours: float
    certificate_code: str


def describe(found: VerifiedCertificate) -> str:
    """One line for people: who completed what, when, for how many hours."""
    day = found.completed_on
    hours = f"{found.credit_hours:g} hour{'s' if found.credit_hours != 1 else ''}"
    return f"{found.officer_name} completed “{found.course_title}” on {long_date(day)} ({hours})."


def check_certificate(
    code: str, store: Store, key: bytes, course: CourseInfo, zone: ZoneInfo
) -> VerifiedCertificate | None:
    """The certificate's details when the code is genuine and recorded; None otherwise."""
    normalized = normalize(code)
    if not is_genuine_form(normalized, key):
        return None
    record = store.find_certificate(normalized)
    if record is None:
        return None
    same_course = record.course_id == course.id
    return VerifiedCertificate(
        officer_name=record.officer_name,
        course_title=course.title if same_course else record.course_id,
        completed_on=local_date(record.completed_at, zone),
        credit_hours=course.credit_hours if same_course else 0.0,
        certificate_code=record.certificate_code,
    )
