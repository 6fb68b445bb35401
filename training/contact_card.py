"""The "Who to call" card: every contact in course.yaml on one printable portrait Letter page.

The numbers come only from the course's contacts, so a changed number in course.yaml is a
changed card. The page never grows a second page: when many contacts would not fit, they shrink
together, then flow into two or three columns.
"""

from __future__ import annotations

from fpdf import FPDF

from training.certificates.pdf import (
    GOLD,
    INK,
    MUTED,
    NAVY,
    SANS,
    SERIF,
    Color,
    centered,
    new_pdf,
    statute_line,
    wrap,
)
from training.content import Contact, CourseInfo

TITLE = "Who to call — human trafficking"
EMERGENCY = "In an emergency, call 911."

WHITE: Color = (255, 255, 255)
ALERT: Color = (155, 28, 28)
ALERT_FILL: Color = (253, 237, 235)

MARGIN = 54.0
#: Where the contacts start and must end (above the footer), in points from the top.
CONTACTS_TOP = 226.0
CONTACTS_BOTTOM = 792.0 - 86.0
#: The contacts are drawn in one column at the largest scale from LARGEST_SCALE down that fits;
#: below READABLE_SCALE they go into two columns, then three (down to TINIEST_SCALE).
LARGEST_SCALE = 1.2
READABLE_SCALE = 0.75
TINIEST_SCALE = 0.3
COLUMN_GAP = 24.0
#: Space after a contact, at scale 1.
GAP = 24.0
BODY: Color = (62, 68, 76)
#: Sizes of the "CALL"/"TEXT" labels and of the gap between two numbers, relative to a number.
LABEL_RATIO = 0.42
#: A web address's size relative to a number.
WEB_RATIO = 0.7
NUMBER_GAP = 1.2


def contact_card_pdf(course: CourseInfo) -> bytes:
    """One portrait Letter page listing every contact of the course and 911 for emergencies."""
    pdf = new_pdf("portrait")
    pdf.set_title(TITLE)
    pdf.set_subject(course.title)
    pdf.add_page()
    _header(pdf)
    _emergency(pdf)
    _contacts(pdf, list(course.contacts.values()))
    _footer(pdf, course)
    return bytes(pdf.output())


def _header(pdf: FPDF) -> None:
    pdf.set_fill_color(*NAVY)
    pdf.rect(MARGIN, 36, pdf.w - 2 * MARGIN, 104, style="F")
    pdf.set_fill_color(*GOLD)
    pdf.rect(MARGIN, 140, pdf.w - 2 * MARGIN, 4, style="F")
    centered(
        pdf,
        "KEEP THIS PAGE WHERE YOU WORK",
        58,
        family=SANS,
        style="B",
        size=8.5,
        color=GOLD,
        spacing=2,
    )
    centered(
        pdf, TITLE, 76, family=SERIF, style="B", size=28, color=WHITE, width=pdf.w - 2 * MARGIN - 40
    )
    centered(
        pdf,
        "Report, refer and get help: numbers from your training",
        114,
        family=SANS,
        size=10.5,
        color=(214, 222, 235),
    )


def _emergency(pdf: FPDF) -> None:
    top, height = 162.0, 44.0
    pdf.set_fill_color(*ALERT_FILL)
    pdf.rect(MARGIN, top, pdf.w - 2 * MARGIN, height, style="F")
    pdf.set_fill_color(*ALERT)
    pdf.rect(MARGIN, top, 5, height, style="F")
    centered(
        pdf,
        EMERGENCY,
        top + (height - 18 * 1.25) / 2,
        family=SANS,
        style="B",
        size=18,
        color=ALERT,
        x=MARGIN + 5,
        width=pdf.w - 2 * MARGIN - 5,
    )


def _contacts(pdf: FPDF, contacts: list[Contact]) -> None:
    columns, scale, split = _layout(pdf, contacts)
    width = _column_width(pdf, columns)
    for index, column in enumerate(split):
        x = MARGIN + index * (width + COLUMN_GAP)
        heights = [_contact(pdf, c, x, width, 0, scale, draw=False) for c in column]
        # Space left over goes between the contacts (a little), not all at the bottom.
        spare = max(0.0, CONTACTS_BOTTOM - CONTACTS_TOP - sum(heights))
        extra = min(spare / len(column), 18.0) if column else 0.0
        y = CONTACTS_TOP
        for contact in column:
            y += _contact(pdf, contact, x, width, y, scale, draw=True) + extra


def _column_width(pdf: FPDF, columns: int) -> float:
    return (pdf.w - 2 * MARGIN - (columns - 1) * COLUMN_GAP) / columns


def _layout(pdf: FPDF, contacts: list[Contact]) -> tuple[int, float, list[list[Contact]]]:
    """Columns, scale and the contacts of each column: one column at the largest size that
    fits, then two or three columns once one would get too small to read."""
    for columns, floor in ((1, READABLE_SCALE), (2, READABLE_SCALE), (3, TINIEST_SCALE)):
        scale = LARGEST_SCALE if columns == 1 else 1.0
        while scale >= floor - 1e-9:
            split = _split(pdf, contacts, columns, scale)
            if split is not None:
                return columns, scale, split
            scale -= 0.01
    return 3, TINIEST_SCALE, [contacts[i::3] for i in range(3)]  # pragma: no cover


def _split(
    pdf: FPDF, contacts: list[Contact], columns: int, scale: float
) -> list[list[Contact]] | None:
    """The contacts, in order, filled into `columns` columns; None when they do not fit."""
    width = _column_width(pdf, columns)
    split: list[list[Contact]] = [[]]
    y = CONTACTS_TOP
    for contact in contacts:
        height = _contact(pdf, contact, 0, width, 0, scale, draw=False)
        if y + height - GAP * scale > CONTACTS_BOTTOM and split[-1]:
            split.append([])
            y = CONTACTS_TOP
        if len(split) > columns or y + height - GAP * scale > CONTACTS_BOTTOM:
            return None
        split[-1].append(contact)
        y += height
    return split


def _contact(
    pdf: FPDF,
    contact: Contact,
    left: float,
    column: float,
    top: float,
    scale: float,
    *,
    draw: bool,
) -> float:
    """Draw one contact in its column at `top` (or only measure it); returns the height it
    takes, the gap after it included.

    A gold bar on the left, the name, the numbers large enough to read at arm's length, and
    when to use them.
    """
    x = left + 16
    width = column - 16
    name_size, number_size, when_size = 13 * scale, 21 * scale, 10.5 * scale
    y = top
    for line in wrap(pdf, contact.name, SANS, "B", name_size, width):
        if draw:
            _text(pdf, line, x, y, width, SANS, "B", name_size, INK)
        y += name_size * 1.3
    y += 3 * scale
    numbers = [("CALL", contact.phone), ("TEXT", contact.text)]
    shown = [(label, value) for label, value in numbers if value]
    # Call and text share a line when both fit at full size; otherwise each gets its own.
    rows = [shown] if _numbers_width(pdf, shown, number_size) <= width else [[n] for n in shown]
    for row in rows:
        if row:
            if draw:
                _numbers(pdf, row, x, y, width, number_size)
            y += number_size * 1.3
    if contact.web:
        # Typed, not dialled: smaller than a number, on a line of its own.
        web_size = number_size * WEB_RATIO
        if draw:
            _numbers(pdf, [("ONLINE", contact.web)], x, y, width, web_size)
        y += web_size * 1.3
    if shown or contact.web:
        y += 4 * scale
    for line in wrap(pdf, contact.when, SANS, "", when_size, width):
        if draw:
            _text(pdf, line, x, y, width, SANS, "", when_size, BODY)
        y += when_size * 1.4
    if draw:
        pdf.set_fill_color(*GOLD)
        pdf.rect(left, top + 1, 3.5, y - top - 2, style="F")
    return y - top + GAP * scale


def _numbers_width(pdf: FPDF, shown: list[tuple[str, str]], size: float) -> float:
    total = 0.0
    for label, value in shown:
        pdf.set_font(SANS, "B", size * LABEL_RATIO)
        pdf.set_char_spacing(1)
        total += pdf.get_string_width(label) + size * LABEL_RATIO * 0.6
        pdf.set_char_spacing(0)
        pdf.set_font(SERIF, "B", size)
        total += pdf.get_string_width(value)
    return total + size * NUMBER_GAP * (len(shown) - 1)


def _numbers(
    pdf: FPDF, shown: list[tuple[str, str]], x: float, y: float, width: float, size: float
) -> None:
    """ "CALL 1-800-…   TEXT BEFREE (…)" on one line, shrunk if it would not fit."""
    size *= min(1.0, width / _numbers_width(pdf, shown, size) * 0.995)
    label_size = size * LABEL_RATIO
    baseline = y + size
    for label, value in shown:
        pdf.set_text_color(*GOLD)
        pdf.set_font(SANS, "B", label_size)
        pdf.set_char_spacing(1)
        pdf.text(x, baseline, label)
        x += pdf.get_string_width(label) + label_size * 0.6
        pdf.set_char_spacing(0)
        pdf.set_text_color(*NAVY)
        pdf.set_font(SERIF, "B", size)
        pdf.text(x, baseline, value)
        x += pdf.get_string_width(value) + size * NUMBER_GAP


def _text(
    pdf: FPDF,
    text: str,
    x: float,
    y: float,
    width: float,
    family: str,
    style: str,
    size: float,
    color: Color,
) -> None:
    pdf.set_font(family, style, size)
    pdf.set_text_color(*color)
    pdf.set_xy(x, y)
    pdf.cell(width, size * 1.25, text)


def _footer(pdf: FPDF, course: CourseInfo) -> None:
    y = pdf.h - 74
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.6)
    pdf.line(MARGIN, y, pdf.w - MARGIN, y)
    width = pdf.w - 2 * MARGIN
    centered(pdf, course.title, y + 10, family=SANS, style="B", size=9, color=INK, width=width)
    centered(
        pdf,
        statute_line(course.statute),
        y + 24,
        family=SANS,
        size=8.5,
        color=MUTED,
        width=width,
    )
