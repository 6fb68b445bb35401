"""Flesch–Kincaid grade of lesson text, for the plain-language test.

Syllables come from pyphen's hyphenation dictionary (no corpus download needed). Markdown
syntax, statute citations and list markers are removed first; a list item or heading counts as
a sentence of its own, which is how a reader takes it in.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pyphen

_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")
_CITATION = re.compile(r"(?:§+|U\.S\.C\.|USC)\s*[\d\w().,\-–]*")


@lru_cache(maxsize=1)
def _dictionary() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="en_US")


def _syllables(word: str) -> int:
    parts = _dictionary().inserted(word.lower()).split("-")
    count = len(parts)
    # pyphen leaves some endings joined ("-ed", silent "e"); a vowel-group floor keeps it honest.
    groups = len(re.findall(r"[aeiouy]+", word.lower()))
    if word.lower().endswith("e") and groups > 1:
        groups -= 1
    return max(1, count, groups)


def plain_text(markdown: str) -> list[str]:
    """The text as sentences: markdown, citations and numbering stripped."""
    text = _CITATION.sub(" ", markdown)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[*_`>#|]", " ", text)
    sentences: list[str] = []
    for line in text.splitlines():
        line = re.sub(r"^\s*(?:[-+]|\d+[.)])\s+", "", line).strip()
        if not line:
            continue
        for piece in re.split(r"(?<=[.!?:;])\s+", line):
            if _WORD.search(piece):
                sentences.append(piece)
    return sentences


def flesch_kincaid_grade(markdown: str) -> float:
    sentences = plain_text(markdown)
    words = [w for s in sentences for w in _WORD.findall(s)]
    if not words:
        return 0.0
    syllables = sum(_syllables(w) for w in words)
    return 0.39 * len(words) / len(sentences) + 11.8 * syllables / len(words) - 15.59
