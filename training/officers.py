"""Who an officer is: the sign-in fields, their rules and the list of Mississippi agencies."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from training.certificates.pdf import first_unprintable

OTHER_AGENCY = "Other (not listed)"
NAME_MIN, NAME_MAX = 2, 80
BADGE_MAX = 20
_APOSTROPHES = "'\u2019\u02bc"  # straight, typographic and modifier-letter
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


# Letters by Unicode's account that show as nothing at all.
_INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")


def _describe(ch: str) -> str:
    """The character named so the officer can find it, even when it cannot be seen."""
    category = unicodedata.category(ch)
    if category.startswith("C") or category in ("Zl", "Zp"):
        return "a hidden or control character"
    visible = ch.isprintable() and not ch.isspace() and not category.startswith("M")
    if (visible and ch not in _INVISIBLE_LETTERS and category != "So") or ch in "<>()[]{}":
        return f"“{ch}”"
    name = unicodedata.name(ch, "").lower()
    return f"the invisible character “{name}”" if name else "an invisible character"


def _personal_text(raw: str, what: str) -> str:
    """The rule shared by names and typed agency names."""
    # Only plain spaces are tidied; a tab, line break or invisible character is refused below.
    value = re.sub(" {2,}", " ", unicodedata.normalize("NFC", raw or "").strip(" "))
    if not value:
        raise FieldError(f"Enter {what}.")
    for i, ch in enumerate(value):
        category = unicodedata.category(ch)
        if category.startswith("L") and ch not in _INVISIBLE_LETTERS:
            continue
        if category.startswith("M") and i > 0 and value[i - 1] not in " " + _APOSTROPHES + "-.":
            continue  # an accent written as a separate mark after its letter
        if ch in " -." or ch in _APOSTROPHES:
            continue
        raise FieldError(
            "Use letters, spaces, apostrophes, hyphens and periods only; "
            f"{_describe(ch)} is not allowed."
        )
    if not unicodedata.category(value[0]).startswith("L"):
        raise FieldError(f"Start {what} with a letter.")
    if len(value) < NAME_MIN:
        raise FieldError(f"Enter {what} (at least {NAME_MIN} characters).")
    if len(value) > NAME_MAX:
        raise FieldError(f"Shorten {what} to {NAME_MAX} characters or fewer (it has {len(value)}).")
    unprintable = first_unprintable(value)
    if unprintable is not None:
        raise FieldError(
            f"The certificate cannot print {_describe(unprintable)}. Type {what} in the Latin, "
            "Greek or Cyrillic alphabet, as on your ID card."
        )
    return value


def clean_name(raw: str) -> str:
    return _personal_text(raw, "your full name")


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
        return _personal_text(other, "your agency's name")
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
