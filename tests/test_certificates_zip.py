"""The certificates ZIP: one valid PDF per completion selected, named
`<badge>-<YYYY-MM-DD>-<code>.pdf` (safe, never twice), built a certificate at a time."""

from __future__ import annotations

import io
import os
import tempfile
import tracemalloc
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

from pypdf import PdfReader

from tests.factories import completion
from training.auth import ALL_AGENCIES
from training.content import Course
from training.exports import certificates_file, selection
from training.exports.certificates_zip import (
    certificate_name,
    unique_name,
    write_certificates_zip,
)
from training.record_types import CompletionRecord
from training.storage import CompletionQuery
from training.storage.csv import CsvStore

CHICAGO = ZoneInfo("America/Chicago")
ALL = CompletionQuery(scope=ALL_AGENCIES, zone="America/Chicago")


def test_a_name_is_badge_local_date_and_code() -> None:
    record = completion(1, badge_number="007214", completed_at="2026-11-28T05:59:00Z")
    assert certificate_name(record, CHICAGO) == "007214-2026-11-27-ABCD-EFGH-JKLM-NPQR.pdf"
    assert certificate_name(record, ZoneInfo("UTC")).startswith("007214-2026-11-28-")


def test_characters_a_file_name_cannot_hold_are_replaced() -> None:
    for badge in ("../../etc/passwd", 'A/B\\C:D*E?F"G<H>I|J', "CON 7\x00", "Ünïcode#1"):
        name = certificate_name(completion(1, badge_number=badge), CHICAGO)
        stem = name.removesuffix(".pdf")
        assert set(stem) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        assert not name.startswith((".", "-", "_")), name
    blank = certificate_name(completion(1, badge_number="///"), CHICAGO)
    assert blank.startswith("no-badge-2026-11-27-")
    long = certificate_name(completion(1, badge_number="X" * 300), CHICAGO)
    assert len(long) < 120


def test_the_same_name_twice_gets_a_number_also_when_only_the_case_differs() -> None:
    taken: set[str] = set()
    assert unique_name("A-2026-01-02-C.pdf", taken) == "A-2026-01-02-C.pdf"
    assert unique_name("A-2026-01-02-C.pdf", taken) == "A-2026-01-02-C-2.pdf"
    assert unique_name("a-2026-01-02-c.pdf", taken) == "a-2026-01-02-c-3.pdf"
    assert unique_name("A-2026-01-02-C-2.pdf", taken) == "A-2026-01-02-C-2-2.pdf"


def test_the_zip_holds_one_valid_pdf_per_completion_selected(
    tmp_path: Path, course: Course
) -> None:
    store = CsvStore(tmp_path / "store", b"key")
    store.record_completion(
        completion(1, officer_name="Zoë O'Neil", badge_number="007", certificate_code="AAAA-1")
    )
    store.record_completion(completion(2, badge_number="B/2", certificate_code="BBBB-2"))
    store.record_completion(completion(3, badge_number="B_2", certificate_code="BBBB-2"))
    store.record_completion(completion(4, agency="Mississippi Highway Patrol"))
    query = CompletionQuery(
        scope=ALL_AGENCIES, agencies=("Hinds County Sheriff's Office",), zone="America/Chicago"
    )
    data = certificates_file(store, query, course.info, CHICAGO, "https://training.example")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None, "every entry reads back whole"
        names = archive.namelist()
        assert names == [
            "007-2026-11-27-AAAA-1.pdf",
            "B_2-2026-11-27-BBBB-2.pdf",
            "B_2-2026-11-27-BBBB-2-2.pdf",
        ]
        texts = []
        for name in names:
            pdf = PdfReader(io.BytesIO(archive.read(name)))
            assert len(pdf.pages) == 1
            texts.append(pdf.pages[0].extract_text())
    assert "Zoë O'Neil" in texts[0] and "AAAA-1" in texts[0]
    assert "Badge or officer ID: B/2" in texts[1], "the certificate prints the badge as typed"


def test_an_empty_selection_is_an_empty_zip(tmp_path: Path, course: Course) -> None:
    store = CsvStore(tmp_path / "store", b"key")
    data = certificates_file(store, ALL, course.info, CHICAGO, "http://x")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == []


def test_the_selection_is_read_a_page_at_a_time_each_completion_once(tmp_path: Path) -> None:
    store = CsvStore(tmp_path / "store", b"key")
    for n in range(23):
        store.record_completion(completion(n))
    got = [r.record_id for r in selection.records(store, ALL, page_size=5)]
    assert got == [f"rec-{n}" for n in range(23)]
    assert isinstance(next(selection.records(store, ALL)), CompletionRecord)


#: A stand-in certificate of a realistic size that does not compress (as PDFs barely do).
FAKE_PDF_BYTES = 200_000
CERTIFICATES = 300


def test_building_300_certificates_never_holds_them_together(tmp_path: Path) -> None:
    # Drawing a real certificate takes about 0.15 s (seconds more under tracemalloc): the
    # stand-in measures what this test is about, the archive and the paging around it.
    store = CsvStore(tmp_path / "store", b"key")
    for n in range(CERTIFICATES):
        store.record_completion(completion(n, badge_number=f"B{n:04d}", certificate_code=f"C{n}"))
    store.query_completions(ALL)  # the store's own table, kept between reads, made beforehand

    def render(record: CompletionRecord) -> bytes:
        return b"%PDF-1.7\n" + os.urandom(FAKE_PDF_BYTES)

    with tempfile.TemporaryFile() as out:
        tracemalloc.start()
        try:
            count = write_certificates_zip(selection.records(store, ALL), out, render, CHICAGO)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        size = out.tell()
        out.seek(0)
        with zipfile.ZipFile(out) as archive:
            assert len(archive.namelist()) == CERTIFICATES
            assert archive.testzip() is None
    total = CERTIFICATES * FAKE_PDF_BYTES
    assert count == CERTIFICATES and size > total, "every certificate is in the file"
    assert peak < total / 20, f"peak {peak:,} bytes for {total:,} bytes of certificates"
