"""Hostile text in every field an officer or the Coordinator types or uploads.

Each item of the corpus (tests/reliability/hostile.py) is either refused with a message written
for people, or kept exactly and shown and exported as inert text: never a formula in the
Coordinator's spreadsheet, never markup on a page, never a broken CSV line, never a crash.
"""

from __future__ import annotations

import csv
import io
import random
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests import factories, poppler
from tests.apptest_helpers import click, open_app, titles
from tests.reliability.hostile import CORPUS, INVISIBLE_LETTERS, Hostile, ids
from training import auth, certificates
from training.certificates import pdf as certificate_pdf
from training.certificates.verification import check_certificate
from training.content import Course
from training.exports import BOM, FORMULA_START, attempts_csv, completions_csv, safe_csv
from training.officers import NAME_MAX, OTHER_AGENCY, sign_in
from training.progress import ProgressStore
from training.reports import CompletionFilter, completions_table, filter_completions
from training.roster import MAX_ROSTER_BYTES, RosterError, missing_from, read_roster
from training.storage.csv_files import (
    ATTEMPT_COLUMNS,
    COMPLETION_COLUMNS,
    AttemptRecord,
    CompletionRecord,
    Ledger,
)
from training.ui.common import escape_markdown

ZONE = ZoneInfo("America/Chicago")
KEY = b"test-secret-key"  # the key tests/conftest.py puts in TRAINING_SECRET_KEY
HINDS = "Hinds County Sheriff's Office"
GOOD_NAME, GOOD_BADGE = "Zoë O'Neil", "AB-1"
PASSWORD = "the coordinator's long password"
IDS = ids()
MB = 1024 * 1024

#: Characters that make a message unreadable when shown: controls, format characters (bidi,
#: zero-width), unassigned and private code points, line and paragraph separators.
_HIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
#: Printable characters that draw nothing, so quoting one in a message shows empty quotes.
_BLANK_GLYPHS = INVISIBLE_LETTERS | {"\u2800"}


# --- helpers ------------------------------------------------------------------------------------


def completion(record_id: str = "rec-1", **changes: object) -> CompletionRecord:
    defaults: dict[str, object] = dict(
        record_id=record_id, officer_name=GOOD_NAME, badge_number=GOOD_BADGE, agency=HINDS
    )
    return factories.completion(**{**defaults, **changes})


def attempt(attempt_id: str = "att-1", **changes: object) -> AttemptRecord:
    defaults: dict[str, object] = dict(
        attempt_id=attempt_id, badge_number=GOOD_BADGE, agency=HINDS, answers='{"fin-01":[2]}'
    )
    return factories.attempt(**{**defaults, **changes})


def as_table(records: list[CompletionRecord]) -> pd.DataFrame:
    """Completion records as `Ledger.read_completions` types them, without the file (so text
    the ledger would refuse can still be searched)."""
    frame = pd.DataFrame([asdict(r) for r in records], columns=list(COMPLETION_COLUMNS))
    numeric = {"score_percent", "attempts", "seat_time_minutes"}
    return frame.astype({c: "Int64" if c in numeric else "string" for c in COMPLETION_COLUMNS})


def exported_rows(data: bytes) -> list[list[str]]:
    """The cells of an export, parsed as a spreadsheet would: BOM first, then RFC 4180."""
    text = data.decode("utf-8")
    assert text.startswith(BOM), "the export starts with a UTF-8 BOM"
    return list(csv.reader(io.StringIO(text[len(BOM) :], newline=""), strict=True))


def formula_cells(rows: list[list[str]]) -> list[str]:
    return [cell for row in rows for cell in row if cell.startswith(FORMULA_START)]


def as_exported(value: str) -> str:
    """How a text cell must appear in an export: itself, or after an apostrophe when a
    spreadsheet would otherwise run it."""
    return "'" + value if value.startswith(FORMULA_START) else value


def unreadable(message: str) -> list[str]:
    """What keeps a message from being read by a person; empty when it reads fine."""
    problems = []
    if not message.strip() or not any(ch.isalpha() for ch in message):
        problems.append("no words")
    for i, ch in enumerate(message):
        category = unicodedata.category(ch)
        if category in _HIDDEN_CATEGORIES or (category == "Zs" and ch != " "):
            problems.append(f"hidden character U+{ord(ch):04X}")
        elif ch in _BLANK_GLYPHS:
            problems.append(f"blank character U+{ord(ch):04X} quoted")
        elif category.startswith("M"):
            before = [c for c in message[:i] if not unicodedata.category(c).startswith("M")]
            if not before or not before[-1].isalpha():
                problems.append(f"accent U+{ord(ch):04X} with no letter to sit on")
    return problems


def typed_fields(item: Hostile, field: str) -> dict[str, str]:
    """The sign-in form with `item` typed into `field` and good values elsewhere."""
    typed = {"name": GOOD_NAME, "badge": GOOD_BADGE, "agency_choice": HINDS, "agency_other": ""}
    if field == "officer_name":
        typed["name"] = item.text
    elif field == "badge_number":
        typed["badge"] = item.text
    elif field == "agency_choice":  # a crafted client sending a choice that is not offered
        typed["agency_choice"] = item.text
    else:
        typed["agency_choice"], typed["agency_other"] = OTHER_AGENCY, item.text
    return typed


# --- Markdown: what would become markup on a page -----------------------------------------------

# A backslash before ASCII punctuation is a Markdown escape: that character is plain text.
_ESCAPED = re.compile(r"\\[!-/:-@\[-`{-~]")
_INLINE_MARKUP = {
    "link or image": re.compile(r"!?\[[^\]\n]*\]\s*(?:\([^)\n]*\)|\[[^\]\n]*\])"),
    "raw HTML": re.compile(r"<[A-Za-z/!?][^>\n]*>?"),
    "bare link": re.compile(r"(?i)(?:https?://|www\.)\S+"),
    "Streamlit directive": re.compile(r":[A-Za-z]+\[[^\]\n]*\]|:[A-Za-z0-9_+/-]+:"),
    "math": re.compile(r"\$[^$\n]+\$"),
    "emphasis": re.compile(r"(\*\*|__|~~)\S[^\n]*?\1"),
}
_BLOCK_MARKUP = re.compile(
    r"^ {0,3}(?:#{1,6}(?:\s|$)|>|(?:[*+-]|\d{1,9}[.)])(?:\s|$)|=+\s*$|-{2,}\s*$|```|~~~|\|)"
    r"|^(?: {4,}| {0,3}\t)\S",
    re.MULTILINE,
)


def markup_in(markdown: str) -> set[tuple[str, str]]:
    """Each construct a Markdown renderer (CommonMark + GFM + Streamlit's extensions) would turn
    into something other than plain text, as (kind, source text)."""
    plain = _ESCAPED.sub("§", markdown).replace("\r\n", "\n").replace("\r", "\n")
    found = {(kind, m.group(0)) for kind, rx in _INLINE_MARKUP.items() for m in rx.finditer(plain)}
    lines = plain.splitlines()
    found |= {
        ("block", f"{lines[i - 1] if i else ''}⏎{m.group(0)}")
        for m in _BLOCK_MARKUP.finditer(plain)
        for i in [plain.count("\n", 0, m.start())]
    }
    return found


def page_markup(at: AppTest) -> set[tuple[str, str]]:
    """The markup on every element of the page that Streamlit renders as Markdown."""
    shown = [
        *at.markdown,
        *at.caption,
        *at.error,
        *at.warning,
        *at.info,
        *at.success,
        *at.title,
        *at.header,
        *at.subheader,
    ]
    return {found for element in shown for found in markup_in(str(element.value))}


def html_on_page(at: AppTest) -> list[str]:
    """Everything the page lets the browser run as HTML: st.html and unsafe Markdown."""
    raw = [str(h.proto.body) for h in at.get("html")]
    raw += [m.value for m in at.markdown if m.proto.allow_html]
    return raw


def assert_inert(at: AppTest, baseline: set[tuple[str, str]], item: Hostile) -> None:
    """Nothing on the page became markup that was not there for harmless input, and no
    HTML the page runs holds the hostile text."""
    assert not at.exception, at.exception
    new = page_markup(at) - baseline
    assert not new, f"{item.about}: hostile text became Markdown markup on the page: {new}"
    fragment = item.text[:24]
    if fragment.strip():
        assert not [h for h in html_on_page(at) if fragment in h], (
            f"{item.about}: hostile text inside HTML the page runs"
        )


def flattened(node: object) -> list[object]:
    """The page's elements in the order they are drawn."""
    out: list[object] = []
    for child in getattr(node, "children", {}).values():
        out.append(child)
        out.extend(flattened(child))
    return out


#: Five representative items for the pages (each test drives the real page, so few are used).
def pick(about_prefix: str) -> Hostile:
    return next(h for h in CORPUS if h.about.startswith(about_prefix))


REPRESENTATIVE = [
    pick("formula: DDE"),
    pick("HTML: script"),
    pick("Markdown: javascript: link"),
    pick("right-to-left override"),
    pick("10,000 characters"),
]


# --- the corpus itself ------------------------------------------------------------------------


def test_the_corpus_is_large_described_and_distinct() -> None:
    assert len(CORPUS) >= 40
    assert len({h.text for h in CORPUS}) == len(CORPUS), "no duplicate items"
    assert all(h.about.strip() for h in CORPUS)
    assert not [h for h in CORPUS if any(0xD800 <= ord(c) <= 0xDFFF for c in h.text)]
    assert len(REPRESENTATIVE) == 5 and all(item in CORPUS for item in REPRESENTATIVE)


@pytest.mark.parametrize(
    "text",
    [
        "[x](javascript:alert(1))",
        "![x](http://evil.example/t.png)",
        "<script>alert(1)</script>",
        "**bold**",
        "# Heading",
        "Valid\n===",
        ":red[Valid]",
        ":material/verified:",
        "$x^2$",
        "see www.evil.example",
        "> quoted",
        "text\n\n    code",
    ],
)
def test_the_markup_detector_sees_markup_and_not_escaped_text(text: str) -> None:
    """The oracle the page tests rely on: raw markup is seen, the app's escaping hides it."""
    assert markup_in(text), text
    if "\n" not in text:
        assert not markup_in(escape_markdown(text)), escape_markdown(text)


# --- officer sign-in: name, badge, agency (typed or a crafted choice) ----------------------------


@pytest.mark.parametrize("typed_into", ["officer_name", "badge_number", "agency", "agency_choice"])
@pytest.mark.parametrize("item", CORPUS, ids=IDS)
def test_sign_in_refuses_with_a_readable_message_or_keeps_the_value_exactly(
    item: Hostile, typed_into: str, tmp_path: Path
) -> None:
    officer, errors = sign_in(**typed_fields(item, typed_into))
    field = "agency" if typed_into == "agency_choice" else typed_into  # the column it fills
    if officer is None:
        assert list(errors) == [field], f"only the field typed into is refused: {errors}"
        assert not unreadable(errors[field]), (
            f"message {errors[field]!r} for {item.about}: {unreadable(errors[field])}"
        )
        return
    assert errors == {}
    value = {"officer_name": officer.name, "badge_number": officer.badge_number}.get(
        field, officer.agency
    )
    assert value.strip(), "an accepted value is never blank"
    assert not set(value) <= INVISIBLE_LETTERS | {" "}, (
        f"{item.about}: {value!r} was accepted but shows as blank (on screen, on the "
        "certificate and in the Coordinator's table); it should be refused with a message"
    )

    book = Ledger(tmp_path / "ledger")
    book.append_completion(
        completion(
            officer_name=officer.name, badge_number=officer.badge_number, agency=officer.agency
        )
    )
    table = book.read_completions()
    assert len(table) == 1
    assert table.loc[0, field] == value, "the stored value reads back exactly"

    data = completions_csv(table, ZONE)
    rows = exported_rows(data)
    assert len(rows) == 2, "header and one record"
    assert {len(r) for r in rows} == {len(COMPLETION_COLUMNS) + 1}, "every row has every column"
    assert not formula_cells(rows)
    assert rows[1][COMPLETION_COLUMNS.index(field)] == as_exported(value)
    reread = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert reread.shape == (1, len(COMPLETION_COLUMNS) + 1)


@pytest.mark.parametrize("field", ["officer_name", "agency"])
@pytest.mark.parametrize("item", CORPUS, ids=IDS)
def test_a_name_sign_in_accepts_is_printed_whole_on_the_certificate(
    item: Hostile, field: str, course: Course
) -> None:
    """What sign-in accepts reaches the certificate: every character drawn by an embedded font
    (a character without a glyph would be a blank box), read back as typed."""
    officer, _ = sign_in(**typed_fields(item, field))
    if officer is None:
        return  # refused at sign-in: it never reaches a certificate
    value = officer.name if field == "officer_name" else officer.agency
    record = completion(officer_name=officer.name, agency=officer.agency)
    pdf = certificate_pdf.certificate_pdf(record, course.info, ZONE, "http://localhost:8501")
    assert all(row.embedded for row in poppler.fonts(pdf))
    assert value in poppler.text_lines(pdf), f"{item.about}: {value!r} is not on the certificate"


@pytest.mark.parametrize("item", CORPUS, ids=IDS)
def test_a_hostile_resume_link_resumes_nothing(item: Hostile, tmp_path: Path) -> None:
    """?resume=... is how an officer comes back after a refresh; anyone can edit the link."""
    assert ProgressStore(tmp_path, KEY).load(item.text) is None


# --- the Coordinator's search box --------------------------------------------------------------

_SEARCH_ROWS = [
    completion("rec-zoe", officer_name="Zoë O'Neil", badge_number="AB-1"),
    completion("rec-sam", officer_name="Sam Lee", badge_number="MHP-2"),
    completion("rec-formula", officer_name="=HYPERLINK(1)", badge_number="X-3"),
    completion("rec-regex", officer_name="Dot .* Star (x)", badge_number="RE-4"),
]


@pytest.mark.parametrize("item", CORPUS, ids=IDS)
def test_search_is_plain_text_and_returns_a_subset(item: Hostile) -> None:
    records = [
        *_SEARCH_ROWS,
        completion("rec-hostile-name", officer_name=item.text, badge_number="H-9"),
        completion("rec-hostile-badge", officer_name="Pat Doe", badge_number=item.text),
    ]
    table = completions_table(as_table(records), ZONE)
    found = filter_completions(table, CompletionFilter(search=item.text))

    term = item.text.strip()
    name_term, badge_term = term.casefold(), "".join(term.split()).casefold()
    expected = [
        r.record_id
        for r in records
        if not term
        or name_term in r.officer_name.casefold()
        or badge_term in r.badge_number.casefold()
    ]
    assert list(found["record_id"]) == expected
    assert set(found["record_id"]) <= {r.record_id for r in records}
    if term:
        assert "rec-hostile-name" in set(found["record_id"]), "the text itself is found"


# --- certificate codes ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certified(tmp_path_factory: pytest.TempPathFactory) -> Ledger:
    """A ledger holding one genuine certificate, so that a lookup has something to find."""
    book = Ledger(tmp_path_factory.mktemp("certified"))
    book.append_completion(completion(certificate_code=certificates.new_code(KEY)))
    return book


@pytest.mark.parametrize("item", CORPUS, ids=IDS)
def test_a_hostile_code_is_not_a_certificate(
    item: Hostile, certified: Ledger, course: Course
) -> None:
    book = certified
    assert isinstance(certificates.normalize(item.text), str)
    assert certificates.is_genuine_form(item.text, KEY) is False
    assert check_certificate(item.text, book, KEY, course.info, ZONE) is None


# --- the Coordinator's password ------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_hash() -> str:
    """A hash made by `hash_password` itself, at the cheapest cost `verify_password` accepts
    (scrypt N=2**14, r=1), so that checking every corpus item takes about a second; the code
    path under test is the same."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(auth, "SCRYPT_N", 2**14)
        patch.setattr(auth, "SCRYPT_R", 1)
        stored = auth.hash_password(PASSWORD)
    auth.check_hash(stored)
    assert auth.verify_password(PASSWORD, stored)
    return stored


@pytest.mark.parametrize("item", CORPUS, ids=IDS)
def test_a_hostile_password_is_refused(item: Hostile, real_hash: str) -> None:
    assert auth.verify_password(item.text, real_hash) is False
    # Nothing is stripped or normalized away: the right password with anything added is wrong.
    assert auth.verify_password(PASSWORD + item.text, real_hash) is (item.text == "")


# --- roster upload -------------------------------------------------------------------------------

ROSTER_HEADER = ["badge_number", "name", "agency"]


def roster_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


VALID_ROSTER = roster_bytes([ROSTER_HEADER, ["H-1", "Pat Doe", HINDS], ["B-2", "Sam Lee", HINDS]])


@pytest.mark.parametrize("cell", ["name", "badge_number"])
@pytest.mark.parametrize("item", CORPUS, ids=IDS)
def test_a_roster_cell_is_refused_with_a_message_or_read_as_text(item: Hostile, cell: str) -> None:
    hostile = {"badge_number": "H-1", "name": "Pat Doe", "agency": HINDS, cell: item.text}
    data = roster_bytes(
        [ROSTER_HEADER, [hostile[c] for c in ROSTER_HEADER], ["B-2", "Sam Lee", HINDS]]
    )
    try:
        roster = read_roster(data, "roster.csv")
    except RosterError as exc:
        assert not unreadable(str(exc)), f"{str(exc)!r}: {unreadable(str(exc))}"
        return
    assert len(roster) == 2, "one row per officer, whatever a cell holds"
    expected = item.text.strip()
    assert roster.loc[0, cell] == (expected.upper() if cell == "badge_number" else expected)

    done = as_table([completion(badge_number="B-2", agency=HINDS)])
    missing = missing_from(roster, done)
    assert list(missing["badge_number"]) == [roster.loc[0, "badge_number"]]
    rows = exported_rows(safe_csv(missing))
    assert len(rows) == 2 and {len(r) for r in rows} == {3}
    assert not formula_cells(rows)
    assert rows[1][ROSTER_HEADER.index(cell)] == as_exported(roster.loc[0, cell])


@pytest.mark.parametrize("item", CORPUS, ids=IDS)
def test_a_hostile_file_name_does_not_change_how_a_roster_is_read(item: Hostile) -> None:
    roster = read_roster(VALID_ROSTER, item.text)
    assert list(roster["badge_number"]) == ["H-1", "B-2"]
    with pytest.raises(RosterError) as caught:
        read_roster(b"", item.text)
    assert "is empty" in str(caught.value)


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
NOT_CSV = {
    "png": PNG,
    "xlsx": b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml",
    "zip": b"PK\x03\x04\n\x00\x00\x00\x00\x00roster.csv",
    "xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64),
    "pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
    "gzip": b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + bytes(20),
    "utf16": "badge_number,name\r\n1,Bob\r\n".encode("utf-16"),
    "random": random.Random(20261128).randbytes(4096),
    "random-no-nul": bytes(b or 1 for b in random.Random(7).randbytes(4096)),
}


@pytest.mark.parametrize("kind", list(NOT_CSV))
def test_a_file_that_is_not_csv_is_refused_with_a_message(kind: str) -> None:
    with pytest.raises(RosterError) as caught:
        read_roster(NOT_CSV[kind], f"upload.{kind}")
    message = str(caught.value)
    assert not unreadable(message), f"{message!r}: {unreadable(message)}"
    assert "CSV" in message or "badge column" in message, message


def test_a_50_mb_roster_is_refused_quickly_with_its_size() -> None:
    row = b"A-1,Officer Name,Hinds County Sheriff's Office\r\n"
    data = b"badge_number,name,agency\r\n" + row * (50 * MB // len(row) + 1)
    assert len(data) > 50 * MB
    started = time.perf_counter()
    with pytest.raises(RosterError) as caught:
        read_roster(data, "everyone.csv")
    elapsed = time.perf_counter() - started
    assert elapsed < 0.5, f"refusing took {elapsed:.2f} s"
    assert "50.0 MB" in str(caught.value)
    assert f"at most {MAX_ROSTER_BYTES // MB} MB" in str(caught.value)


# --- what the Coordinator downloads ----------------------------------------------------------


def _append_or_refusal(
    path: Path, append: Callable[[Any], None], record: CompletionRecord | AttemptRecord, field: str
) -> bool:
    """Append; True when stored. A refusal must be a ValueError naming the field that leaves
    the file exactly as it was."""
    before = path.read_bytes() if path.exists() else b""
    try:
        append(record)
    except ValueError as exc:
        assert field in str(exc), f"the refusal names the field: {exc}"
        after = path.read_bytes() if path.exists() else b""
        assert after == before, "a refused record leaves nothing behind"
        return False
    return True


def test_exports_of_a_ledger_holding_every_item_have_no_formula_and_no_broken_line(
    results_dir: Path,
) -> None:
    book = Ledger(results_dir)
    kept: dict[str, dict[str, tuple[str, str]]] = {"c": {}, "a": {}}  # id -> (field, text)
    refused: set[str] = set()
    for i, item in enumerate(CORPUS):
        for field in ("officer_name", "badge_number", "agency"):
            record = completion(f"c{i}-{field}", **{field: item.text})
            if _append_or_refusal(book.completions_path, book.append_completion, record, field):
                kept["c"][record.record_id] = (field, item.text)
            else:
                refused.add(item.text)
        for field in ("badge_number", "agency", "answers"):
            record = attempt(f"a{i}-{field}", **{field: item.text})
            if _append_or_refusal(book.attempts_path, book.append_attempt, record, field):
                kept["a"][record.attempt_id] = (field, item.text)
            else:
                refused.add(item.text)
    assert refused, "the ledger refuses control characters"
    assert all(
        any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in text) for text in refused
    ), "only text holding a control character or a line/paragraph separator is refused"

    exports = (
        (book.read_completions(), completions_csv, COMPLETION_COLUMNS, kept["c"]),
        (book.read_attempts(), attempts_csv, ATTEMPT_COLUMNS, kept["a"]),
    )
    for table, export, columns, ours in exports:
        id_column = columns[0]
        assert len(table) == len(ours)
        for _, row in table.iterrows():
            field, text = ours[row[id_column]]
            assert row[field] == text, f"{field} {text!r} reads back exactly"
        rows = exported_rows(export(table, ZONE))
        assert len(rows) == 1 + len(ours), "one line per record"
        assert {len(r) for r in rows} == {len(columns) + 1}
        assert not formula_cells(rows), formula_cells(rows)[:5]
        for cells in rows[1:]:
            field, text = ours[cells[0]]
            assert cells[columns.index(field)] == as_exported(text)


# --- the real pages (AppTest) ------------------------------------------------------------------


@pytest.fixture
def _fresh_throttles() -> None:
    st.cache_resource.clear()  # login and verify throttles: each test is a new server


@pytest.fixture
def _gate_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAINING_SEAT_TIME_SCALE", "0")


def _type_sign_in(at: AppTest, name: str) -> AppTest:
    # set_value, not input(): a crafted client is not held to the box's 80-character limit.
    at.text_input(key="officer_name").set_value(name)
    at.text_input(key="badge_number").set_value(GOOD_BADGE)
    at.selectbox(key="agency").select(HINDS)
    return click(at, "Start training")


@pytest.mark.usefixtures("_gate_off", "_fresh_throttles")
def test_sign_in_page_shows_a_message_under_the_name_and_starts_nothing(
    results_dir: Path, course: Course
) -> None:
    at = _type_sign_in(open_app(), "J")  # harmless but refused: the page's own markup
    baseline = page_markup(at)
    for item in REPRESENTATIVE:
        if len(item.text) > NAME_MAX:
            continue  # the next test: Streamlit cuts it to the box's limit first
        _type_sign_in(at, item.text)
        assert_inert(at, baseline, item)
        drawn = flattened(at.main)
        box = next(i for i, e in enumerate(drawn) if getattr(e, "key", None) == "officer_name")
        under = drawn[box + 1]
        assert type(under).__name__ == "Error", f"{item.about}: no message under the name"
        # The page shows the message as escaped Markdown: the same words, no markup.
        shown = under.value.replace("\\", "")
        assert shown == " ".join(at.session_state["sign_in_errors"]["officer_name"].split())
        assert not unreadable(under.value), under.value
        assert titles(at) == [course.info.title], "the course did not start"
        assert "progress" not in at.session_state
        assert "resume" not in at.query_params
    assert not (results_dir / "progress").exists()


@pytest.mark.usefixtures("_gate_off", "_fresh_throttles")
def test_a_10000_character_name_is_cut_to_the_boxs_limit_before_the_app_sees_it() -> None:
    """The box allows 80 characters; a crafted client sending 10,000 has them cut to 80 by
    Streamlit (as the browser's maxlength does), so 80 letters are a valid name."""
    item = pick("10,000 characters")
    at = _type_sign_in(open_app(), item.text)
    assert not at.exception, at.exception
    progress = at.session_state.get("progress")
    if progress is None:
        assert at.session_state["sign_in_errors"].get("officer_name")
    else:
        assert progress.name == item.text[:NAME_MAX]


def _console(monkeypatch: pytest.MonkeyPatch, password_hash: str) -> AppTest:
    monkeypatch.setenv("TRAINING_COORDINATOR_PASSWORD_HASH", password_hash)
    at = open_app()
    at.switch_page("training/ui/pages/coordinator.py").run()
    at.text_input(key="coordinator_password").input(PASSWORD)
    click(at, "Sign in")
    assert titles(at) == ["Coordinator"] and at.dataframe, "signed in"
    return at


@pytest.mark.usefixtures("_fresh_throttles")
def test_coordinator_search_box_takes_hostile_text_as_plain_text(
    monkeypatch: pytest.MonkeyPatch, real_hash: str, results_dir: Path
) -> None:
    book = Ledger(results_dir)
    book.append_completion(completion("rec-good"))
    for i, item in enumerate(REPRESENTATIVE):
        book.append_completion(
            completion(f"rec-{i}", officer_name=item.text, badge_number=f"H-{i}")
        )
    at = _console(monkeypatch, real_hash)
    baseline = page_markup(at)
    for item in REPRESENTATIVE:
        at.text_input(key="filter_search").input(item.text).run()
        assert_inert(at, baseline, item)
        names = list(at.dataframe[0].value["Name"])
        assert item.text in names, f"{item.about}: the officer with that name is found"
        assert all(item.text.strip().casefold() in n.casefold() for n in names)


def _open_roster_tab(at: AppTest) -> AppTest:
    at.session_state["coordinator_tab"] = "Who has not completed"
    at.run()
    assert not at.exception, at.exception
    assert at.file_uploader(key="roster_upload")
    return at


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="roster_upload").set_value((name, data, "text/csv"))
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.usefixtures("_fresh_throttles")
def test_a_roster_with_hostile_cells_is_listed_as_text(
    monkeypatch: pytest.MonkeyPatch, real_hash: str
) -> None:
    at = _open_roster_tab(_console(monkeypatch, real_hash))
    baseline = page_markup(at)
    rows = [ROSTER_HEADER] + [[f"H-{i}", h.text, HINDS] for i, h in enumerate(REPRESENTATIVE)]
    _upload(at, "roster.csv", roster_bytes(rows))
    assert not at.error, [e.value for e in at.error]
    assert list(at.dataframe[0].value["name"]) == [h.text for h in REPRESENTATIVE]
    assert not page_markup(at) - baseline


@pytest.mark.usefixtures("_fresh_throttles")
@pytest.mark.parametrize(
    ("file_name", "data", "about"),
    [
        ("**URGENT** [Sign in again](evil.example).csv", b"", "file name"),
        (
            "roster.csv",
            b"[Session expired - sign in again](https://evil.example/login),"
            b"![x](https://evil.example/pixel.png),<img src=x onerror=alert(1)>\r\nA-1,B,C\r\n",
            "header cells",
        ),
    ],
    ids=["file-name", "header-cells"],
)
def test_a_roster_error_shows_hostile_file_names_and_headers_as_text(
    monkeypatch: pytest.MonkeyPatch, real_hash: str, file_name: str, data: bytes, about: str
) -> None:
    at = _open_roster_tab(_console(monkeypatch, real_hash))
    _upload(at, "roster.csv", b"")  # harmless but refused: the page's own markup
    baseline = page_markup(at)
    assert at.error, "an empty roster is refused"
    _upload(at, file_name, data)
    assert at.error, "the roster is refused"
    new = page_markup(at) - baseline
    assert not new, (
        f"the roster's {about} became Markdown on the Coordinator's page "
        f"(st.error(str(exc)) in training/ui/coordinator.py shows RosterError unescaped): {new}"
    )


def _verify_page(query_code: str | None = None) -> AppTest:
    at = AppTest.from_file(str(Path(__file__).parents[2] / "app.py"), default_timeout=30)
    at.run()
    if query_code is not None:
        at.query_params["code"] = query_code
    at.switch_page("training/ui/pages/verify.py").run()
    assert not at.exception, at.exception
    assert titles(at) == ["Verify certificate"]
    return at


def _check(at: AppTest, typed: str) -> AppTest:
    # set_value, not input(): a crafted client is not held to the box's 40-character limit.
    at.text_input(key="verify_code").set_value(typed)
    return click(at, "Check")


@pytest.mark.usefixtures("_fresh_throttles")
def test_verify_page_shows_a_hostile_code_as_text(results_dir: Path) -> None:
    Ledger(results_dir).append_completion(completion(certificate_code=certificates.new_code(KEY)))
    at = _check(_verify_page(), "ABCD-EFGH-JKLM-NPQR")  # harmless but not valid
    baseline = page_markup(at)
    for item in REPRESENTATIVE:
        _check(at, item.text)
        assert_inert(at, baseline, item)
        assert not at.success
        assert any("Not a valid certificate" in e.value for e in at.error), item.about
        assert not any("Too many codes" in e.value for e in at.error)


@pytest.mark.usefixtures("_fresh_throttles")
def test_a_verify_link_cannot_turn_the_message_into_a_heading(results_dir: Path) -> None:
    """/verify?code=... is a link anyone can send; the code in it is shown on the page."""
    baseline = page_markup(_verify_page("ABCD-EFGH-JKLM-NPQR"))
    item = pick("Markdown: setext heading")
    at = _verify_page(item.text)
    assert any("Not a valid certificate" in e.value for e in at.error)
    assert_inert(at, baseline, item)
