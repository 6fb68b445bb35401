"""Certificate codes: at least 50 random bits, grouped, no look-alikes, checkable by key."""

from __future__ import annotations

import random
import re

from training.certificates import ALPHABET, RANDOM_SYMBOLS, is_genuine_form, new_code, normalize

KEY = b"test-key"


def test_codes_are_grouped_and_free_of_look_alike_characters() -> None:
    codes = {new_code(KEY) for _ in range(2000)}
    assert len(codes) == 2000
    for code in codes:
        assert re.fullmatch(r"[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){3}", code)
    assert not set("01IO") & set(ALPHABET)
    assert RANDOM_SYMBOLS * 5 >= 50


def test_genuine_codes_check_and_altered_or_made_up_ones_do_not() -> None:
    rng = random.Random(0)
    code = new_code(KEY)
    assert is_genuine_form(code, KEY)
    assert is_genuine_form(code.lower().replace("-", " "), KEY)
    assert not is_genuine_form(code, b"another-key")
    raw = code.replace("-", "")
    altered = 0
    for position in range(len(raw)):
        for symbol in ALPHABET:
            if symbol != raw[position]:
                changed = raw[:position] + symbol + raw[position + 1 :]
                altered += is_genuine_form(changed, KEY)
    assert altered == 0
    made_up = sum(
        is_genuine_form("".join(rng.choice(ALPHABET) for _ in range(16)), KEY) for _ in range(2000)
    )
    assert made_up <= 1
    assert normalize("abcd efgh-jkLM npqr") == "ABCD-EFGH-JKLM-NPQR"
