"""Which font draws which character of a certificate, and whether a typed name can be drawn.

The certificate's own words are set in DejaVu Sans and Serif. A typed name (and a typed agency)
may be in any script: each is drawn by the first vendored font, in `FACES` order, that has its
characters, so Latin, Greek and Cyrillic stay in DejaVu (Noto Serif for the letters it lacks),
and every other script has a font made for it (Noto for most, Droid Sans Fallback for Chinese
and Japanese, Nanum Myeongjo for Korean). Every file is in training/data/fonts with its licence
(README.md there says where each comes from); nothing depends on the fonts of the machine.

fpdf2 draws a run of text in one font and shapes it with HarfBuzz; where the font changes, the
run is cut and each part is shaped on its own. `plan` works out the runs exactly as fpdf2 will
(the text's main font first, then fpdf2's fallback list, first font with the character wins), so
`first_unprintable` can refuse at sign-in a name whose letters would be drawn apart: a character
no font has, or a mark, joiner or joined letter cut off from the letter it belongs to.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Literal

import fpdf.fpdf as fpdf_module
from fpdf import FPDF
from fpdf.unicode_script import UnicodeScript, get_unicode_script

FONTS_DIR = Path(__file__).resolve().parent.parent / "data" / "fonts"
SANS = "DejaVuSans"
SERIF = "DejaVuSerif"

#: The faces the certificate's own words use, with their files.
BASE_FILES = {
    (SANS, ""): "DejaVuSans.ttf",
    (SANS, "B"): "DejaVuSans-Bold.ttf",
    (SERIF, ""): "DejaVuSerif.ttf",
    (SERIF, "B"): "DejaVuSerif-Bold.ttf",
}

Role = Literal["serif", "sans"]
#: The bold face typed text is set in: names in serif, a typed agency in sans.
ROLE_FAMILY: dict[Role, str] = {"serif": SERIF, "sans": SANS}

ZWNJ, ZWJ = "\u200c", "\u200d"


@dataclass(frozen=True)
class Face:
    """A bold font file for typed text."""

    family: str
    filename: str


#: The faces for typed text, all bold (a name and a typed agency are the only typed text, and
#: both are set in bold): the role's DejaVu face, Noto Serif for the Latin, Greek and Cyrillic
#: letters DejaVu lacks, then a face made for each other script.
FACES: tuple[Face, ...] = (
    Face(SERIF, "DejaVuSerif-Bold.ttf"),
    Face(SANS, "DejaVuSans-Bold.ttf"),
    Face("NotoSerif", "NotoSerif-Bold.ttf"),
    Face("NotoSerifArmenian", "NotoSerifArmenian-Bold.ttf"),
    Face("NotoSerifGeorgian", "NotoSerifGeorgian-Bold.ttf"),
    Face("NotoNaskhArabic", "NotoNaskhArabic-Bold.ttf"),
    Face("NotoSerifHebrew", "NotoSerifHebrew-Bold.ttf"),
    Face("NotoSerifDevanagari", "NotoSerifDevanagari-Bold.ttf"),
    Face("NotoSerifBengali", "NotoSerifBengali-Bold.ttf"),
    Face("NotoSerifGurmukhi", "NotoSerifGurmukhi-Bold.ttf"),
    Face("NotoSerifGujarati", "NotoSerifGujarati-Bold.ttf"),
    Face("NotoSerifTamil", "NotoSerifTamil-Bold.ttf"),
    Face("NotoSerifTelugu", "NotoSerifTelugu-Bold.ttf"),
    Face("NotoSerifKannada", "NotoSerifKannada-Bold.ttf"),
    Face("NotoSerifMalayalam", "NotoSerifMalayalam-Bold.ttf"),
    Face("NotoSerifThai", "NotoSerifThai-Bold.ttf"),
    Face("NotoSerifLao", "NotoSerifLao-Bold.ttf"),
    Face("NotoSerifKhmer", "NotoSerifKhmer-Bold.ttf"),
    Face("NotoSerifMyanmar", "NotoSerifMyanmar-Bold.ttf"),
    Face("NotoSerifEthiopic", "NotoSerifEthiopic-Bold.ttf"),
    Face("DroidSansFallback", "DroidSansFallbackFull.ttf"),  # Chinese, Japanese kana and kanji
    Face("NanumMyeongjo", "NanumMyeongjoBold.ttf"),  # Korean
)
#: The scripts the DejaVu faces are for; every other script is drawn by its own face even where
#: DejaVu has some of its letters (DejaVu Sans has Arabic and Hebrew).
DEJAVU_SCRIPTS = frozenset({UnicodeScript.LATIN, UnicodeScript.GREEK, UnicodeScript.CYRILLIC})
_FACE_BY_FAMILY = {face.family: face for face in FACES}

#: Scripts whose letters HarfBuzz shapes together (joining, conjuncts, stacked clusters): two
#: neighbouring letters of one of them drawn by different fonts would come apart.
JOINED_SCRIPTS = frozenset(
    {
        UnicodeScript.ARABIC,
        UnicodeScript.SYRIAC,
        UnicodeScript.NKO,
        UnicodeScript.MONGOLIAN,
        UnicodeScript.DEVANAGARI,
        UnicodeScript.BENGALI,
        UnicodeScript.GURMUKHI,
        UnicodeScript.GUJARATI,
        UnicodeScript.ORIYA,
        UnicodeScript.TAMIL,
        UnicodeScript.TELUGU,
        UnicodeScript.KANNADA,
        UnicodeScript.MALAYALAM,
        UnicodeScript.SINHALA,
        UnicodeScript.KHMER,
        UnicodeScript.MYANMAR,
        UnicodeScript.TIBETAN,
    }
)
_NO_SCRIPT = frozenset({UnicodeScript.COMMON, UnicodeScript.INHERITED, UnicodeScript.UNKNOWN})


@cache
def cmap(family: str) -> frozenset[int]:
    """The code points a face has a glyph for (read once, from its file's cmap)."""
    from fontTools.ttLib import TTFont  # fpdf2's own dependency; loaded only when needed

    with TTFont(FONTS_DIR / _FACE_BY_FAMILY[family].filename, lazy=True) as font:
        return frozenset(font.getBestCmap())


def script(ch: str) -> UnicodeScript:
    return get_unicode_script(ch)


def sticks(ch: str) -> bool:
    """A character drawn as part of the one before it: a combining mark or a joiner."""
    return unicodedata.category(ch).startswith("M") or ch in (ZWJ, ZWNJ)


@dataclass(frozen=True)
class Plan:
    """How fpdf2 will draw a text: its main font, the fallback fonts in order, and each
    character's font (None: no vendored font has it)."""

    primary: str
    fallbacks: tuple[str, ...]
    faces: tuple[str | None, ...]


def _order(role: Role) -> tuple[str, ...]:
    """The faces typed text may use in this role, its own DejaVu face first."""
    other = SANS if role == "serif" else SERIF
    return tuple(f.family for f in FACES if f.family != other)


def _main_script(text: str) -> UnicodeScript | None:
    return next((s for s in map(script, text) if s not in _NO_SCRIPT), None)


def _primary(text: str, role: Role) -> str:
    """The first face that has every character of the text's first script (its letters and
    the marks on them), so that script is drawn in one font: DejaVu for most Latin names,
    Noto Serif for a Cyrillic name with a letter DejaVu lacks, Noto Naskh for an Arabic one."""
    main = _main_script(text)
    order = _order(role)
    if main is None:
        return order[0]
    if main not in DEJAVU_SCRIPTS:
        order = (*order[2:], *order[:2])
    wanted: set[int] = set()
    current: UnicodeScript | None = None
    for ch in text:
        found = script(ch)
        if found not in _NO_SCRIPT:
            current = found
        if current == main and (found == main or sticks(ch)):
            wanted.add(ord(ch))
    return next((family for family in order if wanted <= cmap(family)), order[0])


@lru_cache(maxsize=256)
def plan(text: str, role: Role) -> Plan:
    primary = _primary(text, role)
    order = tuple(family for family in _order(role) if family != primary)
    faces: list[str | None] = []
    for ch in text:
        if ch == " " or ord(ch) in cmap(primary):
            faces.append(primary)  # fpdf2 keeps the main font whenever it has the character
        else:
            faces.append(next((f for f in order if ord(ch) in cmap(f)), None))
    used = {face for face in faces if face is not None and face != primary}
    return Plan(primary, tuple(f for f in order if f in used), tuple(faces))


@dataclass(frozen=True)
class Unprintable:
    """A character the certificate cannot draw as typed, and the one it belongs with (when it
    could be drawn, but not together with that one)."""

    char: str
    belongs_to: str | None = None


def first_unprintable(text: str, role: Role = "serif") -> Unprintable | None:
    """The first character of `text` the certificate could not draw as typed, if any."""
    drawn = plan(text, role).faces
    for i, (ch, face) in enumerate(zip(text, drawn, strict=True)):
        if face is None:
            return Unprintable(ch)
        if i == 0 or text[i - 1] == " ":
            continue
        before = text[i - 1]
        if face == drawn[i - 1]:
            continue
        if sticks(ch) or before in (ZWJ, ZWNJ):
            return Unprintable(ch, before)
        joined = script(ch)
        if joined in JOINED_SCRIPTS and script(before) == joined:
            return Unprintable(ch, before)
    return None


def add_base_fonts(pdf: FPDF) -> None:
    for (family, style), filename in BASE_FILES.items():
        pdf.add_font(family, style, FONTS_DIR / filename)


def use_for(pdf: FPDF, text: str, role: Role) -> str:
    """Ready `pdf` to draw typed `text`: add the fonts it needs and set fpdf2's fallback fonts
    to the plan's. Returns the family to set it in (bold)."""
    planned = plan(text, role)
    for family in (planned.primary, *planned.fallbacks):
        if f"{family.lower()}B" not in pdf.fonts:
            pdf.add_font(family, "B", FONTS_DIR / _FACE_BY_FAMILY[family].filename)
    pdf.set_fallback_fonts(list(planned.fallbacks), exact_match=False)
    return planned.primary


def families_used(texts: Iterable[tuple[str, Role]]) -> set[str]:
    """Every face drawing any of the texts."""
    used: set[str] = set()
    for text, role in texts:
        planned = plan(text, role)
        used |= {planned.primary, *planned.fallbacks}
    return used


def _inherit_marks() -> None:
    """fpdf2 (2.8.9, the newest) cuts a run of text at every character of Unicode's
    "Inherited" script (combining marks such as the Arabic vowel signs, and the joiners) and
    shapes the parts apart, so "مُحَمَّد" comes out as unjoined letters. Unicode (UAX #24) says
    such a character takes the script of the one before it; fpdf2 treats "Common" characters
    that way, so it is told those are "Common". fpdf2 clears this function's cache on output."""
    original = get_unicode_script

    @cache
    def inheriting(char: str) -> UnicodeScript:
        found = original(char)
        return UnicodeScript.COMMON if found is UnicodeScript.INHERITED else found

    fpdf_module.get_unicode_script = inheriting


_inherit_marks()
