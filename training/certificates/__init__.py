"""Certificates: codes (`codes`), the printed PDF (`pdf`), and checking a code (`verification`).

The codes' functions are the package's own names (`certificates.new_code(key)`): a completion
gets one, and they need neither the PDF library nor the records.
"""

from training.certificates.codes import (
    ALPHABET,
    CHECK_SYMBOLS,
    RANDOM_SYMBOLS,
    is_genuine_form,
    new_code,
    normalize,
)

__all__ = [
    "ALPHABET",
    "CHECK_SYMBOLS",
    "RANDOM_SYMBOLS",
    "is_genuine_form",
    "new_code",
    "normalize",
]
