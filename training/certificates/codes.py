"""Certificate codes: random enough to be unguessable, checkable without the records.

A code is 12 random symbols (60 bits) and 4 check symbols (20 bits of an HMAC under the secret
key), written in four groups of four from an alphabet without look-alikes (no 0/O, no 1/I).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # 32 symbols, 5 bits each
RANDOM_SYMBOLS = 12
CHECK_SYMBOLS = 4
GROUP = 4


def _check(body: str, key: bytes) -> str:
    digest = hmac.new(key, body.encode("ascii"), hashlib.sha256).digest()
    value = int.from_bytes(digest[:4], "big") >> (32 - 5 * CHECK_SYMBOLS)
    return "".join(
        ALPHABET[(value >> (5 * (CHECK_SYMBOLS - 1 - i))) & 31] for i in range(CHECK_SYMBOLS)
    )


def _grouped(raw: str) -> str:
    return "-".join(raw[i : i + GROUP] for i in range(0, len(raw), GROUP))


def new_code(key: bytes) -> str:
    # One draw of 60 bits, 5 a symbol: the alphabet has exactly 32 symbols, so each is uniform.
    value = secrets.randbits(5 * RANDOM_SYMBOLS)
    body = "".join(ALPHABET[(value >> (5 * i)) & 31] for i in range(RANDOM_SYMBOLS))
    return _grouped(body + _check(body, key))


def normalize(code: str) -> str:
    """A typed code as stored: upper case, groups of four, spaces and dashes ignored."""
    raw = "".join(ch for ch in code.upper() if ch not in " -\t")
    return _grouped(raw)


def is_genuine_form(code: str, key: bytes) -> bool:
    """True when the code's check symbols match: made-up or mistyped codes fail here."""
    raw = normalize(code).replace("-", "")
    if len(raw) != RANDOM_SYMBOLS + CHECK_SYMBOLS or any(ch not in ALPHABET for ch in raw):
        return False
    body, check = raw[:RANDOM_SYMBOLS], raw[RANDOM_SYMBOLS:]
    return hmac.compare_digest(check, _check(body, key))
