"""Sign-in fields: what is accepted, and a clear message for what is not."""

from __future__ import annotations

from pathlib import Path

import pytest

from training.officers import (
    OTHER_AGENCY,
    FieldError,
    agencies,
    clean_agency,
    clean_badge,
    clean_name,
    sign_in,
)

COUNTIES = [
    line
    for line in (Path(__file__).parent / "data" / "mississippi_counties.txt")
    .read_text(encoding="utf-8")
    .splitlines()
    if line and not line.startswith("#")
]


@pytest.mark.parametrize(
    "typed, kept",
    [
        ("Zoë O'Neil-Brown", "Zoë O'Neil-Brown"),
        ("  Jean-Luc   Picard ", "Jean-Luc Picard"),
        ("J. R. Smith", "J. R. Smith"),
        ("D’Angelo Núñez", "D’Angelo Núñez"),
        ("Владимир Петров", "Владимир Петров"),
        ("Zoe\u0308 Lee", "Zoë Lee"),  # an accent typed as a separate mark is kept, as one letter
        ("Li", "Li"),
        ("محمد عبد الله", "محمد عبد الله"),
        ("山田 太郎", "山田 太郎"),
        ("김민준", "김민준"),
        ("अनुराग शर्मा", "अनुराग शर्मा"),
    ],
)
def test_names_in_any_script_with_accents_apostrophes_hyphens_periods(
    typed: str, kept: str
) -> None:
    assert clean_name(typed) == kept


@pytest.mark.parametrize(
    "typed, message",
    [
        ("", "Enter your full name."),
        ("A", "at least 2 letters"),
        ("A" * 81, "80 characters or fewer"),
        ("=cmd|' /C calc'!A0", "“=” (equals sign) is not allowed"),
        ("<script>alert(1)</script>", "“<” (less-than sign) is not allowed"),
        ("Robert'); DROP TABLE--", "“)” (right parenthesis) is not allowed"),
        ("Agent 007", "“0” (digit zero) is not allowed"),
        ("Ann\nBob", "Use letters, spaces"),
        ("Ann\u202eboB", "the invisible character “right-to-left override” (U+202E) after “Ann”"),
        ("Ann 🙂", "is not allowed"),
        ("-Ann", "Start your full name with a letter."),
        ("[Ann](http://x)", "is not allowed"),
    ],
)
def test_bad_names_get_a_clear_message(typed: str, message: str) -> None:
    with pytest.raises(FieldError, match=None) as caught:
        clean_name(typed)
    assert message in str(caught.value)


@pytest.mark.parametrize("typed, kept", [("ms-1234", "MS-1234"), ("007", "007"), ("A", "A")])
def test_badges_are_letters_digits_hyphens(typed: str, kept: str) -> None:
    assert clean_badge(typed) == kept


@pytest.mark.parametrize("typed", ["", "-12", "12 34", "=1+1", "A" * 21, "ÀB12", "12/34", "1\n2"])
def test_bad_badges_are_refused(typed: str) -> None:
    with pytest.raises(FieldError):
        clean_badge(typed)


def test_the_agency_list_has_every_county_sheriff_and_the_state_agencies() -> None:
    listed = set(agencies())
    sheriffs = [a for a in listed if a.endswith(" County Sheriff's Office")]
    assert len(sheriffs) == 82
    assert len(set(COUNTIES)) == 82
    assert {f"{c} County Sheriff's Office" for c in COUNTIES} == set(sheriffs)
    assert {"Mississippi Highway Patrol", "Mississippi Bureau of Investigation"} <= listed
    for city in ("Jackson", "Gulfport", "Southaven", "Biloxi", "Hattiesburg", "Tupelo"):
        assert f"{city} Police Department" in listed
    assert OTHER_AGENCY not in listed


def test_other_agency_is_typed_and_checked_like_a_name() -> None:
    assert (
        clean_agency(OTHER_AGENCY, "Tribal Police of the Choctaw") == "Tribal Police of the Choctaw"
    )
    with pytest.raises(FieldError, match="agency"):
        clean_agency(OTHER_AGENCY, "")
    with pytest.raises(FieldError, match="is not allowed"):
        clean_agency(OTHER_AGENCY, "=HYPERLINK(1)")
    assert clean_agency(OTHER_AGENCY, "شرطة جامعة ميسيسيبي") == "شرطة جامعة ميسيسيبي"
    with pytest.raises(FieldError, match="“right-to-left override”"):
        clean_agency(OTHER_AGENCY, "Gulf\u202eCoast")
    with pytest.raises(FieldError, match="Choose your agency"):
        clean_agency(None)
    with pytest.raises(FieldError, match="from the list"):
        clean_agency("Gotham City Police Department")


def test_sign_in_reports_every_field_at_once() -> None:
    officer, errors = sign_in("", "", None)
    assert officer is None
    assert set(errors) == {"officer_name", "badge_number", "agency"}
    officer, errors = sign_in("Zoë Lee", "ab-1", "Mississippi Highway Patrol")
    assert errors == {}
    assert officer is not None and officer.badge_number == "AB-1"
    assert officer.key == "AB-1|mississippi highway patrol"


@pytest.mark.parametrize(
    "typed, message",
    [
        ("\u3164\u3164", "the invisible character “hangul filler”"),
        ("ܐܒܓ ܕܗ", "The certificate cannot print “ܐ” (syriac letter alaph)"),
    ],
)
def test_names_the_certificate_could_not_show_are_refused_with_a_reason(
    typed: str, message: str
) -> None:
    with pytest.raises(FieldError) as caught:
        clean_name(typed)
    assert message in str(caught.value)
