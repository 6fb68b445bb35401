"""The printed certificate (`certificate_pdf`): one landscape Letter page with a QR code that
leads to the verify page, tagged for screen readers, its words set in the DejaVu fonts and the
officer's name in the font made for its script (training/certificates/fonts.py); and the drawing
helpers the Who to call card shares.
"""

from __future__ import annotations

import io
from datetime import UTC, date
from typing import Literal
from zoneinfo import ZoneInfo

import segno
from fpdf import FPDF
from fpdf.enums import MethodReturnValue
from fpdf.prefs import ViewerPreferences

from training.certificates.fonts import SANS, SERIF, add_base_fonts, use_for
from training.certificates.tagging import artifact, tagged
from training.content import CourseInfo
from training.dates import local_date, long_date, moment
from training.record_types import CompletionRecord

# --- the printed certificate ------------------------------------------------------------------
#
# One landscape Letter page drawn with fpdf2 in points (792 x 612). Every element is placed at a
# fixed position and automatic page breaks are off, so nothing an officer typed can push the
# certificate onto a second page: long names and agencies shrink to fit their line instead.

Color = tuple[int, int, int]
NAVY: Color = (22, 45, 84)
GOLD: Color = (176, 141, 62)
INK: Color = (33, 37, 41)
MUTED: Color = (98, 106, 116)

#: Distance of the officer's name from the page's left and right edges (the widest line).
NAME_INSET = 66
#: Modules of quiet zone around the QR code (the standard asks for 4).
QR_BORDER = 4
#: Pixels a QR module in the embedded PNG: sharp when printed, small in bytes.
QR_SCALE = 10


def verify_url(public_url: str, code: str) -> str:
    """The address that checks a certificate: the verify page with the code filled in."""
    return f"{public_url.rstrip('/')}/verify?code={code}"


def hours_text(hours: float) -> str:
    """ "2 hours", "0.75 hours", "1 hour"."""
    return f"{hours:g} hour{'' if hours == 1 else 's'}"


def statute_line(statute: str) -> str:
    return f"Designed to satisfy the training requirement of {statute}"


def qr_png(data: str) -> bytes:
    """The QR code for `data` as a black-and-white PNG (quiet zone included)."""
    buffer = io.BytesIO()
    segno.make(data, error="m", micro=False).save(
        buffer, kind="png", scale=QR_SCALE, border=QR_BORDER
    )
    return buffer.getvalue()


def new_pdf(orientation: Literal["portrait", "landscape"]) -> FPDF:
    """A Letter document in points with the vendored DejaVu fonts and no automatic page breaks."""
    pdf = FPDF(orientation=orientation, unit="pt", format="letter")
    add_base_fonts(pdf)
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.set_lang("en-US")
    pdf.set_creator("Mississippi human trafficking training")
    return pdf


def fit_size(pdf: FPDF, text: str, family: str, style: str, largest: float, width: float) -> float:
    """The largest font size up to `largest` at which `text` fits in `width` on one line."""
    pdf.set_font(family, style, 10)
    at_ten = pdf.get_string_width(text)
    if at_ten <= 0:
        return largest
    return min(largest, 10 * width / at_ten * 0.995)


def centered(
    pdf: FPDF,
    text: str,
    y: float,
    *,
    family: str,
    style: str = "",
    size: float,
    color: Color = INK,
    width: float | None = None,
    x: float | None = None,
    spacing: float = 0,
    align: Literal["C", "L", "R"] = "C",
) -> float:
    """Write one line whose text box starts at `y`, shrunk to fit `width` if it would not.

    Without `x` the box is centred on the page (the full width when `width` is None too).
    Returns the font size used.
    """
    span = pdf.w if width is None else width
    left = (pdf.w - span) / 2 if x is None else x
    pdf.set_char_spacing(spacing)
    size = fit_size(pdf, text, family, style, size, span - spacing * len(text))
    pdf.set_font(family, style, size)
    pdf.set_text_color(*color)
    pdf.set_xy(left, y)
    pdf.cell(span, size * 1.25, text, align=align)
    pdf.set_char_spacing(0)
    return size


def wrap(pdf: FPDF, text: str, family: str, style: str, size: float, width: float) -> list[str]:
    """The lines `text` breaks into at this font and width (fpdf2's own line breaking)."""
    pdf.set_font(family, style, size)
    lines = pdf.multi_cell(width, size, text, dry_run=True, output=MethodReturnValue.LINES)
    if not isinstance(lines, list):  # pragma: no cover - fpdf2 returns a list for LINES
        raise TypeError(f"unexpected multi_cell result {lines!r}")
    return [str(line) for line in lines]


def _wrapped_lines(
    pdf: FPDF, text: str, family: str, style: str, largest: float, width: float, max_lines: int
) -> tuple[float, list[str]]:
    """The largest size up to `largest` (down to 6) at which `text` takes `max_lines` lines."""
    size = largest
    while True:
        lines = wrap(pdf, text, family, style, size, width)
        if len(lines) <= max_lines or size <= 6:
            return size, lines
        size -= 0.5


def _rule(pdf: FPDF, x1: float, x2: float, y: float, color: Color, weight: float) -> None:
    pdf.set_draw_color(*color)
    pdf.set_line_width(weight)
    pdf.line(x1, y, x2, y)


def _diamond(pdf: FPDF, cx: float, cy: float, r: float, color: Color) -> None:
    pdf.set_fill_color(*color)
    pdf.polygon([(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)], style="F")


def _frame(pdf: FPDF) -> None:
    """A navy outer frame, a thin gold inner frame, and gold corner ornaments."""
    w, h = pdf.w, pdf.h
    pdf.set_draw_color(*NAVY)
    pdf.set_line_width(5)
    pdf.rect(20, 20, w - 40, h - 40)
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.9)
    pdf.rect(30, 30, w - 60, h - 60)
    for cx, cy in ((30, 30), (w - 30, 30), (30, h - 30), (w - 30, h - 30)):
        _diamond(pdf, cx, cy, 6, GOLD)


def _ornament(pdf: FPDF, y: float, half_width: float) -> None:
    """A short gold rule broken by a diamond, centred on the page."""
    cx = pdf.w / 2
    _rule(pdf, cx - half_width, cx - 9, y, GOLD, 0.8)
    _rule(pdf, cx + 9, cx + half_width, y, GOLD, 0.8)
    _diamond(pdf, cx, y, 4, GOLD)


def certificate_pdf(
    record: CompletionRecord, course: CourseInfo, zone: ZoneInfo, public_url: str
) -> bytes:
    """The officer's certificate of completion: one landscape Letter page, ready to print."""
    day = local_date(record.completed_at, zone)
    url = verify_url(public_url, record.certificate_code)
    pdf = new_pdf("landscape")
    # HarfBuzz shapes every run (Arabic joining, Devanagari conjuncts, Thai marks), and fpdf2 puts
    # right-to-left runs in visual order. The page is an English document, so a name that mixes
    # scripts reads left to right as a whole, its right-to-left words each right to left.
    # Ligatures ("liga") stay off: a ligature glyph stands for several letters, and PDF readers
    # give those back in the wrong order in right-to-left text (the name "عبد الله" among them).
    pdf.set_text_shaping(True, features={"liga": False}, direction="ltr")
    pdf.set_title(f"Certificate of Completion — {record.officer_name}")
    pdf.set_subject(f"{course.title} ({hours_text(course.credit_hours)})")
    pdf.set_keywords(f"certificate {record.certificate_code}")
    pdf.viewer_preferences = ViewerPreferences(display_doc_title=True)
    # The completion time, not the time of printing: the same record gives the same bytes.
    pdf.set_creation_date(moment(record.completed_at).astimezone(UTC))
    pdf.add_page()
    with artifact(pdf):
        _frame(pdf)

    text_width = pdf.w - 2 * 96
    name_width = pdf.w - 2 * NAME_INSET
    with tagged(pdf, "P"):
        centered(
            pdf,
            "HUMAN TRAFFICKING TRAINING",
            62,
            family=SANS,
            style="B",
            size=9,
            color=GOLD,
            spacing=2.5,
        )
    with tagged(pdf, "H1"):
        centered(pdf, "Certificate of Completion", 80, family=SERIF, style="B", size=38, color=NAVY)
    with artifact(pdf):
        _ornament(pdf, 139, 120)
    with tagged(pdf, "P"):
        centered(pdf, "This certifies that", 156, family=SANS, size=12, color=MUTED)

    # The name's line keeps its height whatever the size, so a long name does not pull the rest
    # of the page up: it shrinks to fit the width and sits in the middle of its line.
    name = record.officer_name
    name_family = use_for(pdf, name, "serif")
    name_box = 32 * 1.25
    size = fit_size(pdf, name, name_family, "B", 32, name_width)
    with tagged(pdf, "P", actual_text=name):
        centered(
            pdf,
            name,
            176 + (name_box - size * 1.25) / 2,
            family=name_family,
            style="B",
            size=size,
            color=INK,
            width=name_width,
        )
    name_bottom = 176 + name_box + 6
    half_rule = min(max(230, pdf.get_string_width(name) / 2 + 24), name_width / 2)
    with artifact(pdf):
        _rule(pdf, pdf.w / 2 - half_rule, pdf.w / 2 + half_rule, name_bottom, GOLD, 0.8)

    with tagged(pdf, "P", actual_text=record.agency):
        centered(
            pdf,
            record.agency,
            name_bottom + 10,
            family=use_for(pdf, record.agency, "sans"),
            style="B",
            size=13,
            color=INK,
            width=text_width,
        )
    with tagged(pdf, "P"):
        centered(
            pdf,
            f"Badge or officer ID: {record.badge_number}",
            name_bottom + 29,
            family=SANS,
            size=11,
            color=MUTED,
            width=text_width,
        )

    y = name_bottom + 62
    with tagged(pdf, "P"):
        centered(pdf, "has successfully completed the course", y, family=SANS, size=12, color=MUTED)
    title_size, lines = _wrapped_lines(pdf, course.title, SERIF, "B", 19, text_width, 2)
    y += 22
    with tagged(pdf, "P", actual_text=course.title):
        for line in lines:
            centered(
                pdf, line, y, family=SERIF, style="B", size=title_size, color=NAVY, width=text_width
            )
            y += title_size * 1.3
    with tagged(pdf, "P"):
        centered(
            pdf,
            statute_line(course.statute),
            y + 8,
            family=SANS,
            size=11,
            color=INK,
            width=text_width,
        )
    with tagged(pdf, "P"):
        centered(
            pdf,
            f"Final assessment score: {record.score_percent}%",
            y + 26,
            family=SANS,
            size=11,
            color=INK,
            width=text_width,
        )

    _bottom(pdf, record, course, day, url)
    return bytes(pdf.output())


def _labelled(pdf: FPDF, x: float, y: float, width: float, label: str, value: str) -> None:
    """A small gold caps label over a value, centred in a column: read as one paragraph."""
    with tagged(pdf, "P", actual_text=f"{label}: {value}"):
        centered(
            pdf,
            label.upper(),
            y,
            family=SANS,
            style="B",
            size=7.5,
            color=GOLD,
            x=x,
            width=width,
            spacing=1.2,
        )
        centered(pdf, value, y + 13, family=SERIF, style="B", size=13, color=INK, x=x, width=width)


def _bottom(pdf: FPDF, record: CompletionRecord, course: CourseInfo, day: date, url: str) -> None:
    """Date, hours and code in columns on the left; the QR code and its address on the right."""
    png = qr_png(url)
    qr_size = 100.0
    modules = segno.make(url, error="m", micro=False).symbol_size(border=QR_BORDER)[0]
    quiet = qr_size * QR_BORDER / modules  # white margin inside the image
    qr_right = pdf.w - 58  # the visible right edge of the code
    qr_x = qr_right + quiet - qr_size
    qr_y = 440.0
    top = qr_y + quiet + 14
    left, right = 72.0, qr_x - 20
    with artifact(pdf):
        _rule(pdf, left, right, top - 12, GOLD, 0.6)
    column = (right - left) / 3
    _labelled(pdf, left, top, column, "Date completed", long_date(day))
    _labelled(pdf, left + column, top, column, "Credit", hours_text(course.credit_hours))
    _labelled(pdf, left + 2 * column, top, column, "Certificate code", record.certificate_code)
    pdf.image(io.BytesIO(png), x=qr_x, y=qr_y, w=qr_size, h=qr_size, alt_text=f"QR code: {url}")
    with tagged(pdf, "P"):
        centered(
            pdf,
            f"Verify at {url}",
            qr_y + qr_size - quiet + 5,
            family=SANS,
            size=8,
            color=MUTED,
            x=left,
            width=qr_right - left,
            align="R",
        )
