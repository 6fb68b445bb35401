"""The rule for a person's name: any script people write names in, kept as typed after NFC, and
a message naming the character for anything that is not part of a name."""

from __future__ import annotations

import unicodedata

import pytest

from training.names import NAME_MAX, name_problem, normalize

#: Names as people write them, one a script (and a few that mix).
NAMES = [
    "Zoë O’Neil-Núñez",
    "Nguyễn Thị Minh Khai",
    "王秀英",
    "山田 太郎",
    "김민준",
    "محمد عبد الله",
    "דוד כהן",
    "अनुराग शर्मा",
    "สมชาย ใจดี",
    "Αλέξανδρος Παπαδόπουλος",
    "Владимир Петров",
    "Omar محمد Ali",
    "Layla Hassan ليلى حسن",
    "مُحَمَّد عَلِي",  # with its vowel signs
    "ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ",  # Gurmukhi (Punjabi)
    "সৌমিত্র চট্টোপাধ্যায়",  # Bengali
    "தமிழ்செல்வி",  # Tamil
    "ፀሐይ ተስፋዬ",  # Ethiopic (Amharic)
    "ສົມພອນ ວົງສາ",  # Lao
    "សុខ ចាន់ថា",  # Khmer
    "အောင်ဆန်း",  # Myanmar
    "Արամ Խաչատրյան",  # Armenian
    "ნინო ბერიძე",  # Georgian
    "ジョン・スミス",  # katakana middle dot between the parts of a foreign name
    "ישראל בן־גוריון",  # Hebrew maqaf
    "ז׳אק",  # Hebrew geresh
    "Martí Puig·Roca",  # Catalan middle dot
    "Ọ̀ṣun Adéwálé",  # Yoruba: a tone mark NFC has no single letter for
    "Ѡѡ Ԁԁ Petrov",  # Cyrillic letters DejaVu lacks (Noto Serif draws them)
    "نیک\u200cنام",  # Persian: a zero-width non-joiner keeps two letters apart
    "क्\u200dष राम",  # Devanagari: a zero-width joiner asks for the half form
]


@pytest.mark.parametrize("name", NAMES)
def test_a_name_in_any_script_is_kept_exactly(name: str) -> None:
    assert name_problem(normalize(name), "your full name") is None
    assert normalize(name) == name
    assert unicodedata.is_normalized("NFC", name)


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        (unicodedata.normalize("NFD", "Nguyễn Thị Minh Khai"), "Nguyễn Thị Minh Khai"),
        (unicodedata.normalize("NFD", "김민준"), "김민준"),  # Hangul typed as jamo
        ("Zoe\u0308 Lee", "Zoë Lee"),
        ("  Jean-Luc   Picard ", "Jean-Luc Picard"),
    ],
)
def test_a_name_is_kept_in_nfc_with_plain_spaces_tidied(typed: str, kept: str) -> None:
    assert typed != kept
    assert normalize(typed) == kept
    assert name_problem(kept, "your full name") is None


def problem(typed: str) -> str:
    found = name_problem(normalize(typed), "your full name")
    assert found is not None, f"{typed!r} was accepted"
    return found


@pytest.mark.parametrize(
    "ch",
    [
        "\u202a",  # left-to-right embedding
        "\u202b",
        "\u202c",
        "\u202d",
        "\u202e",  # right-to-left override
        "\u2066",  # left-to-right isolate
        "\u2067",
        "\u2068",
        "\u2069",
        "\u200e",  # left-to-right mark
        "\u200f",
        "\u061c",  # Arabic letter mark
        "\u200b",  # zero width space
        "\u2060",  # word joiner
        "\ufeff",  # byte order mark
        "\u00ad",  # soft hyphen
        "\u180e",  # Mongolian vowel separator
        "\U000e0041",  # tag latin capital letter a
        "\ufe0f",  # variation selector-16
        "\ufe00",
        "\U000e0100",  # an ideographic variation selector
        "\u034f",  # combining grapheme joiner
    ],
)
def test_invisible_formatting_is_refused_by_name_and_place(ch: str) -> None:
    for typed, place in ((f"Ann{ch}Lee", "after “Ann”"), (f"{ch}Ann", "at the start")):
        message = problem(typed)
        assert f"“{unicodedata.name(ch).lower()}” (U+{ord(ch):04X})" in message
        assert place in message
        assert "is not allowed" in message


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("<script>alert(1)</script>", "“<” (less-than sign) is not allowed"),
        ("Ann & Bob", "“&” (ampersand) is not allowed"),
        ('Ann "Bo" Lee', '“"” (quotation mark) is not allowed'),
        ("=cmd|' /C calc'!A0", "“=” (equals sign) is not allowed"),
        ("Robert'); DROP TABLE--", "“)” (right parenthesis) is not allowed"),
        ("[Ann](http://x)", "“[” (left square bracket) is not allowed"),
        ("Ann 🙂", "“🙂” (slightly smiling face) is not allowed"),
        ("Agent 007", "“0” (digit zero) is not allowed"),
        ("محمد ٣", "“٣” (arabic-indic digit three) is not allowed"),
        ("Ann\nBob", "a control character (U+000A) after “Ann” is not allowed"),
        ("Ann\tBob", "a control character (U+0009) after “Ann” is not allowed"),
        ("Smith\x00", "a control character (U+0000) after “Smith” is not allowed"),
        ("Smith\x85Jones", "a control character (U+0085) after “Smith” is not allowed"),
        ("Ann\u00a0Lee", "“no-break space” (U+00A0) after “Ann” is not allowed: type a space"),
        (
            "山田\u3000太郎",
            "“ideographic space” (U+3000) after “山田” is not allowed: type a space",
        ),
        ("Ann\u2028Lee", "“line separator” (U+2028) after “Ann” is not allowed"),
        ("\u3164\u3164", "the invisible character “hangul filler” (U+3164) at the start"),
        ("Ann\ue000", "a private-use character (U+E000)"),
        ("Ann\u0378", "the unassigned character U+0378"),
    ],
)
def test_what_is_not_part_of_a_name_is_refused_by_name(typed: str, shown: str) -> None:
    message = problem(typed)
    assert message.startswith("Use letters, spaces, apostrophes, hyphens and periods only; ")
    assert shown in message


@pytest.mark.parametrize(
    "typed",
    [
        "Jo\u200dhn",  # Latin does not join its letters
        "Jo\u200chn",
        "דו\u200dד",  # nor does Hebrew
        "\u200dمحمد",
        "محمد\u200d",
        "محمد \u200dعلي",
        "محمد\u200dAli",  # between two scripts
        "क\u200d\u200dष",
    ],
)
def test_a_joiner_is_refused_outside_a_word_of_a_joining_script(typed: str) -> None:
    message = problem(typed)
    assert "zero width" in message
    assert "is allowed only between two letters of a script that joins them" in message


def test_a_mark_needs_a_letter_and_a_letter_carries_few() -> None:
    assert "the mark “combining acute accent” (U+0301) needs a letter before it" in problem(
        "\u0301Abc"
    )
    assert "needs a letter before it" in problem("Ann -\u0301Lee")
    # "n" with a circumflex first: NFC has no single letter for it, so all six stay marks.
    six = "\u0302\u0303\u0304\u0306\u0307\u0308"
    assert normalize("Ann" + six) == "Ann" + six
    assert name_problem("Ann" + six, "x") is None
    assert "at most 6 accents or marks on one letter; “n” has more" in problem(
        "Ann" + six + "\u0309"
    )


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter your full name."),
        ("   ", "Enter your full name."),
        ("A", "Enter your full name (at least 2 letters)."),
        ("Ă", "at least 2 letters"),
        ("王", "at least 2 letters"),
        ("-Ann", "Start your full name with a letter."),
        ("'Ann", "Start your full name with a letter."),
        (
            "A" * (NAME_MAX + 1),
            f"Shorten your full name to {NAME_MAX} characters or fewer (it has 81)",
        ),
    ],
)
def test_length_is_counted_in_letters_and_characters(typed: str, message: str) -> None:
    assert message in problem(typed)


def test_eighty_characters_of_any_script_are_enough() -> None:
    for name in ("A" * NAME_MAX, "王" * NAME_MAX, ("अनुराग " * 12)[:NAME_MAX].strip()):
        assert name_problem(name, "your full name") is None, name


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("ܐܒܓ ܕܗ", "“ܐ” (syriac letter alaph)"),  # Syriac: no vendored font
        ("𓀀𓀁 Ann", "“𓀀” (egyptian hieroglyph a001)"),
        ("Ann 𠀋", "“𠀋” (cjk unified ideograph-2000b)"),  # beyond Droid Sans Fallback's kanji
    ],
)
def test_a_name_no_font_can_draw_is_refused_before_the_certificate(typed: str, shown: str) -> None:
    message = problem(typed)
    assert f"The certificate cannot print {shown}." in message
    assert "such as the Latin alphabet" in message


def test_a_mark_that_cannot_sit_on_its_letter_is_refused() -> None:
    # The Arabic face has no acute accent, and the Latin face that has one cannot draw it on
    # an Arabic letter: drawn apart, it would float after the letter.
    message = problem("بَ\u0301ب")
    assert "The certificate cannot print the mark “combining acute accent” (U+0301)" in message
    assert "together with" in message


def test_the_agency_is_checked_against_the_face_it_is_printed_in() -> None:
    assert name_problem("شرطة جامعة", "your agency's name", "sans") is None
    assert name_problem("Tribal Police of the Choctaw", "your agency's name", "sans") is None
    message = name_problem("Police ܐܒܓ", "your agency's name", "sans")
    assert message is not None and "Type your agency's name" in message
