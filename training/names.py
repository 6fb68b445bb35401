"""The rule for a person's name (and an agency's name typed at sign-in): any script people write
names in, kept as typed after Unicode NFC, and nothing that is not part of a name.

Accepted: letters of any script, the marks written on them (accents, vowel signs, tone marks),
spaces, and the punctuation names use (hyphens, apostrophes, periods, middle dots, the Hebrew
geresh and gershayim), and a zero-width joiner or non-joiner between two letters of a script
that joins letters (Arabic, Devanagari, ...). Refused, each with a message naming the character:
digits, symbols and markup characters, control characters, bidirectional and other invisible
formatting characters, variation selectors, and a name the certificate's fonts cannot draw.
"""

from __future__ import annotations

import re
import unicodedata

from training.certificates.fonts import (
    JOINED_SCRIPTS,
    ZWJ,
    ZWNJ,
    Role,
    first_unprintable,
    script,
)

NAME_MIN_LETTERS = 2
#: Characters (Unicode code points after NFC), as the sign-in box counts them.
NAME_MAX = 80
#: Marks written on one letter. A Myanmar or pointed Hebrew letter carries up to four or five;
#: more is the stacking that draws over the lines above and below ("Zalgo" text).
MARKS_MAX = 6

#: Punctuation people write inside names, and what it is called in a message.
PUNCTUATION = {
    "-": "hyphens",
    "\u2010": "hyphens",  # hyphen
    "\u05be": "hyphens",  # Hebrew maqaf
    "'": "apostrophes",
    "\u2019": "apostrophes",  # typographic apostrophe
    ".": "periods",
    "\u00b7": "middle dots",  # Catalan l·l
    "\u30fb": "middle dots",  # katakana middle dot between the parts of a foreign name
    "\u05f3": "apostrophes",  # Hebrew geresh
    "\u05f4": "apostrophes",  # Hebrew gershayim
}
ALLOWED = "Use letters, spaces, apostrophes, hyphens and periods only"

#: Letters and marks by Unicode's account that are drawn as nothing at all.
INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u17b4\u17b5\u034f")


def _variation_selector(ch: str) -> bool:
    code = ord(ch)
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF or 0x180B <= code <= 0x180F


def normalize(raw: str | None) -> str:
    """NFC, without spaces at the ends or doubled inside: the form a name is kept in."""
    # Only plain spaces are tidied; a tab, line break or other space is refused with a message.
    return re.sub(" {2,}", " ", unicodedata.normalize("NFC", raw or "").strip(" "))


def describe(ch: str) -> str:
    """The character named so that the officer can find it, even when it cannot be seen."""
    code = f"U+{ord(ch):04X}"
    category = unicodedata.category(ch)
    name = unicodedata.name(ch, "").lower()
    if category == "Cc":
        return f"a control character ({code})"
    if category == "Co":
        return f"a private-use character ({code})"
    if category in ("Cn", "Cs") or not name:
        return f"the unassigned character {code}"
    if category.startswith("M") and ch not in INVISIBLE and not _variation_selector(ch):
        return f"the mark “{name}” ({code})"
    hidden = category in ("Cf", "Zl", "Zp") or (category == "Zs" and ch != " ")
    if hidden or ch in INVISIBLE or _variation_selector(ch) or ch == "\u2800":
        return f"the invisible character “{name}” ({code})"
    return f"“{ch}” ({name})"


def _where(value: str, i: int) -> str:
    """Where an invisible character sits, since the officer cannot see it."""
    before = value[:i].replace(ZWJ, "").replace(ZWNJ, "").rstrip(" ").split(" ")[-1]
    return f" after “{before}”" if before else " at the start"


def _joins(value: str, i: int) -> bool:
    """A joiner between two letters of one script that joins its letters."""
    before, after = value[:i].rstrip(ZWJ + ZWNJ), value[i + 1 :]
    if not before or not after or not unicodedata.category(after[0]).startswith("L"):
        return False
    base = next((c for c in reversed(before) if not unicodedata.category(c).startswith("M")), " ")
    return (
        unicodedata.category(base).startswith("L")
        and script(base) == script(after[0])
        and script(base) in JOINED_SCRIPTS
    )


def _character_problem(value: str) -> str | None:
    marks = 0
    for i, ch in enumerate(value):
        category = unicodedata.category(ch)
        if ch in INVISIBLE or _variation_selector(ch):
            return f"{ALLOWED}; {describe(ch)}{_where(value, i)} is not allowed."
        if category.startswith("M"):
            marks += 1
            follows = i > 0 and unicodedata.category(value[i - 1])[0] in "LM"
            if not follows:
                return f"{ALLOWED}; {describe(ch)} needs a letter before it to sit on."
            if marks > MARKS_MAX:
                return (
                    f"Use at most {MARKS_MAX} accents or marks on one letter; "
                    f"“{value[i - marks]}” has more."
                )
            continue
        marks = 0
        if category.startswith("L") or ch == " " or ch in PUNCTUATION:
            continue
        if ch in (ZWJ, ZWNJ):
            if _joins(value, i):
                continue
            return (
                f"{describe(ch)[0].upper()}{describe(ch)[1:]}{_where(value, i)} is allowed only "
                "between two letters of a script that joins them, such as Arabic or Devanagari."
            )
        if category == "Zs":
            return f"{ALLOWED}; {describe(ch)}{_where(value, i)} is not allowed: type a space."
        place = _where(value, i) if not ch.isprintable() else ""
        return f"{ALLOWED}; {describe(ch)}{place} is not allowed."
    return None


def name_problem(value: str, what: str, role: Role = "serif") -> str | None:
    """What is wrong with a normalized name, in words for the officer; None when it is fine.

    `what` is how the message refers to the field ("your full name"); `role` the face the
    certificate prints it in (names in serif, agencies in sans).
    """
    if not value:
        return f"Enter {what}."
    problem = _character_problem(value)
    if problem:
        return problem
    if not unicodedata.category(value[0]).startswith("L"):
        return f"Start {what} with a letter."
    if sum(unicodedata.category(ch).startswith("L") for ch in value) < NAME_MIN_LETTERS:
        return f"Enter {what} (at least {NAME_MIN_LETTERS} letters)."
    if len(value) > NAME_MAX:
        return f"Shorten {what} to {NAME_MAX} characters or fewer (it has {len(value)})."
    unprintable = first_unprintable(value, role)
    if unprintable is None:
        return None
    if unprintable.belongs_to is not None:
        return (
            f"The certificate cannot print {describe(unprintable.char)} together with "
            f"{describe(unprintable.belongs_to)} before it. Type {what} as on your ID card."
        )
    return (
        f"The certificate cannot print {describe(unprintable.char)}. Type {what} in another "
        "script you write it in, such as the Latin alphabet as on your ID card."
    )
