"""Who an officer is: the sign-in fields, their rules and the list of Mississippi agencies."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from training.certificates.fonts import Role
from training.names import NAME_MAX as NAME_MAX  # the sign-in box's limit, with its rule
from training.names import name_problem, normalize

OTHER_AGENCY = "Other (not listed)"
BADGE_MAX = 20
_BADGE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*)$")


class FieldError(ValueError):
    """A typed value breaks its field's rule; the message is written for the officer."""


@dataclass(frozen=True)
class Officer:
    name: str
    badge_number: str
    agency: str

    @property
    def key(self) -> str:
        """What identifies an officer's progress: badge and agency, not the name's spelling."""
        return f"{self.badge_number.upper()}|{self.agency.casefold()}"


@lru_cache(maxsize=1)
def agencies() -> tuple[str, ...]:
    """Mississippi law-enforcement agencies offered at sign-in (a data file, one a line)."""
    text = resources.files("training").joinpath("data/agencies.txt").read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def _personal_text(raw: str, what: str, role: Role) -> str:
    """The rule shared by names and typed agency names (training/names.py)."""
    value = normalize(raw)
    problem = name_problem(value, what, role)
    if problem is not None:
        raise FieldError(problem)
    return value


def clean_name(raw: str) -> str:
    return _personal_text(raw, "your full name", "serif")


def clean_badge(raw: str) -> str:
    value = (raw or "").strip()
    if not value:
        raise FieldError("Enter your badge or officer ID.")
    if len(value) > BADGE_MAX:
        raise FieldError(f"An ID has at most {BADGE_MAX} characters (this has {len(value)}).")
    if not _BADGE.match(value) or not value.isascii():
        raise FieldError("Use letters, digits and hyphens only, starting with a letter or digit.")
    return value.upper()


def clean_agency(choice: str | None, other: str = "") -> str:
    if not choice:
        raise FieldError("Choose your agency (type to search the list).")
    if choice == OTHER_AGENCY:
        return _personal_text(other, "your agency's name", "sans")
    if choice not in agencies():
        raise FieldError("Choose your agency from the list, or choose “Other (not listed)”.")
    return choice


def sign_in(
    name: str, badge: str, agency_choice: str | None, agency_other: str = ""
) -> tuple[Officer | None, dict[str, str]]:
    """The officer, or the message for each field that needs fixing (keyed by field)."""
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    checks = (
        ("officer_name", lambda: clean_name(name)),
        ("badge_number", lambda: clean_badge(badge)),
        ("agency", lambda: clean_agency(agency_choice, agency_other)),
    )
    for key, check in checks:
        try:
            values[key] = check()
        except FieldError as exc:
            errors[key] = str(exc)
    if errors:
        return None, errors
    return Officer(values["officer_name"], values["badge_number"], values["agency"]), {}
