"""Tags for a PDF page: a structure tree (Document > H1, P, Figure) over marked content, and the
decoration marked as artifact, so a screen reader reads the words in order and skips the frame.

fpdf2 builds the tree and the catalog's /MarkInfo itself, but tags only images (alt text) and
outline headings; its `_add_marked_content` and `_out` are what those use, and are used here the
same way. tests/test_certificate_scripts.py reads the tree back with poppler's pdfinfo, so a
change in fpdf2 that breaks this fails there.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from fpdf import FPDF
from fpdf.syntax import PDFString

Role = Literal["H1", "P"]


@contextmanager
def tagged(pdf: FPDF, role: Role, *, actual_text: str | None = None) -> Iterator[None]:
    """Everything drawn inside is one structure element of the page, in reading order.

    `actual_text` is what the element says, in reading (logical) order. A right-to-left name is
    drawn in visual order, so a reader taking the drawn characters in turn would say it
    backwards; /ActualText gives it the name as typed.
    """
    mcid = pdf.struct_builder.next_mcid_for_page(pdf.page)
    element = pdf._add_marked_content(struct_type=f"/{role}", mcid=mcid)
    if actual_text is not None:
        # Serialized as /ActualText (fpdf2 writes every public attribute, CamelCased).
        setattr(element, "actual_text", PDFString(actual_text))  # noqa: B010
    pdf._out(f"/{role} <</MCID {mcid}>> BDC")
    yield
    pdf._out("EMC")


@contextmanager
def artifact(pdf: FPDF) -> Iterator[None]:
    """Drawing that carries no words (frames, rules, ornaments): not read out."""
    pdf._out("/Artifact BMC")
    yield
    pdf._out("EMC")
