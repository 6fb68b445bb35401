"""A ZIP of certificates, one PDF per completion, named `<badge>-<YYYY-MM-DD>-<code>.pdf`.

Built while streaming: each certificate is drawn, written into the archive and let go before
the next is drawn, and the archive itself goes to a file, so thousands of certificates never
sit in memory together.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable
from typing import BinaryIO
from zoneinfo import ZoneInfo

from training.dates import local_date
from training.record_types import CompletionRecord

#: What may stand in a file name on every system the ZIP is opened on (Windows included):
#: anything else in a badge or code becomes "_".
_UNSAFE = re.compile(r"[^A-Za-z0-9-]+")
#: Badges are short; a long one is cut so that the name stays readable.
MAX_BADGE_CHARS = 40
NO_DATE = "undated"

Render = Callable[[CompletionRecord], bytes]


def _safe(text: str, empty: str, limit: int) -> str:
    cleaned = _UNSAFE.sub("_", text.strip())[:limit].strip("_")
    return cleaned or empty


def certificate_name(record: CompletionRecord, zone: ZoneInfo) -> str:
    """`<badge>-<YYYY-MM-DD>-<code>.pdf`, the date the officer's local completion day."""
    try:
        day = local_date(record.completed_at, zone).isoformat()
    except ValueError:
        day = NO_DATE
    badge = _safe(record.badge_number, "no-badge", MAX_BADGE_CHARS)
    code = _safe(record.certificate_code, "no-code", 40)
    return f"{badge}-{day}-{code}.pdf"


def unique_name(name: str, taken: set[str]) -> str:
    """`name`, or `name` with "-2", "-3", ... before ".pdf" when an earlier file has it (case
    aside, as Windows and macOS compare names); `taken` is updated."""
    stem = name.removesuffix(".pdf")
    candidate, n = name, 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{stem}-{n}.pdf"
    taken.add(candidate.casefold())
    return candidate


def write_certificates_zip(
    records: Iterable[CompletionRecord], out: BinaryIO, render: Render, zone: ZoneInfo
) -> int:
    """Write one PDF per record into a ZIP on `out`, a record at a time; return how many."""
    taken: set[str] = set()
    count = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for record in records:
            name = unique_name(certificate_name(record, zone), taken)
            archive.writestr(name, render(record))
            count += 1
    return count
