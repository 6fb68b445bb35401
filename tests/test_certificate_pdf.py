"""The printed certificate: one landscape page with the officer's details, the local date, the
statute, the hours, the code and a QR code that leads to the verify page."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import segno
from pypdf import PdfReader

from training.certificates import fonts
from training.certificates import pdf as certificates
from training.certificates.pdf import (
    QR_BORDER,
    certificate_pdf,
    hours_text,
    verify_url,
)
from training.content import Course
from training.dates import local_date
from training.record_types import CompletionRecord

CHICAGO = ZoneInfo("America/Chicago")
PUBLIC_URL = "https://training.example.ms.gov/"
CODE = "ABCD-EFGH-JKLM-NPQR"
LONG_NAME = "Marie-Thérèse D’Arcy Łukasz Żółć Alexandrina Wilhelmina Bartholomew-Montgomery N"
#: Wide letters only: the hardest 80 characters to fit.
WIDE_NAME = ("MWAWEMBWE-WOMMWANGI " * 5)[:80]


def record(
    course: Course,
    *,
    name: str = "Zoë O'Neil-Núñez",
    completed_at: str = "2026-11-28T05:30:00Z",
) -> CompletionRecord:
    return CompletionRecord(
        record_id="r-1",
        completed_at=completed_at,
        officer_name=name,
        badge_number="MBI-4471",
        agency="Hinds County Sheriff's Office",
        course_id=course.info.id,
        course_version=course.version,
        score_percent=95,
        attempts=1,
        seat_time_minutes=130,
        certificate_code=CODE,
    )


def render(
    course: Course, *, name: str = "Zoë O'Neil-Núñez", completed_at: str = "2026-11-28T05:30:00Z"
) -> PdfReader:
    done = record(course, name=name, completed_at=completed_at)
    return PdfReader(io.BytesIO(certificate_pdf(done, course.info, CHICAGO, PUBLIC_URL)))


def page_text(reader: PdfReader) -> str:
    return reader.pages[0].extract_text()


def flat(text: str) -> str:
    """Text with every run of white space (line breaks included) as one space."""
    return " ".join(text.split())


def test_verify_url_joins_the_public_address_and_the_code() -> None:
    assert verify_url("https://x.example/", CODE) == f"https://x.example/verify?code={CODE}"
    assert verify_url("http://localhost:8501", CODE) == f"http://localhost:8501/verify?code={CODE}"


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("2026-11-28T05:59:00Z", date(2026, 11, 27)),  # 11:59 pm CST
        ("2026-11-28T05:30:00Z", date(2026, 11, 27)),
        ("2026-11-28T06:00:00Z", date(2026, 11, 28)),  # midnight CST
        ("2026-07-01T04:59:00Z", date(2026, 6, 30)),  # 11:59 pm CDT
        ("2026-07-01T05:00:00+00:00", date(2026, 7, 1)),
        ("2026-07-01T04:00:00", date(2026, 6, 30)),  # no zone written: stored times are UTC
    ],
)
def test_local_date_is_the_day_in_the_zone_not_in_utc(stamp: str, expected: date) -> None:
    assert local_date(stamp, CHICAGO) == expected


def test_hours_are_written_as_people_say_them() -> None:
    assert hours_text(2.0) == "2 hours"
    assert hours_text(0.75) == "0.75 hours"
    assert hours_text(1.0) == "1 hour"
    assert hours_text(1.5) == "1.5 hours"


@pytest.mark.parametrize(
    "name", ["Zoë O'Neil-Núñez", "Marie-Thérèse D’Arcy", "Łukasz Żółć", "Øyvind Ødegård-Çelik"]
)
def test_certificate_prints_every_detail_and_accented_names_intact(
    course: Course, name: str
) -> None:
    reader = render(course, name=name)
    text = page_text(reader)
    lines = text.splitlines()
    assert "Certificate of Completion" in text
    assert name in lines
    assert "Hinds County Sheriff's Office" in text
    assert "Badge or officer ID: MBI-4471" in text
    assert course.info.title in flat(text)
    assert "November 27, 2026" in text
    assert "2 hours" in text
    assert f"Designed to satisfy the training requirement of {course.info.statute}" in text
    assert "Miss. Code § 45-6-7(b)" in text
    assert "Final assessment score: 95%" in text
    assert CODE in text
    assert f"Verify at https://training.example.ms.gov/verify?code={CODE}" in text
    assert reader.metadata is not None
    assert reader.metadata.title == f"Certificate of Completion — {name}"


def test_a_completion_late_at_night_is_dated_the_local_day(course: Course) -> None:
    # 05:30 UTC on November 28 is 11:30 pm Central on November 27.
    text = page_text(render(course, completed_at="2026-11-28T05:30:00Z"))
    assert "November 27, 2026" in text
    assert "November 28" not in text


def test_fractional_credit_hours_are_printed(course: Course) -> None:
    info = course.info.model_copy(update={"credit_hours": 0.75})
    pdf = certificate_pdf(record(course), info, CHICAGO, PUBLIC_URL)
    text = page_text(PdfReader(io.BytesIO(pdf)))
    assert "0.75 hours" in text
    assert "2 hours" not in text


def test_certificate_is_one_landscape_letter_page(course: Course) -> None:
    reader = render(course)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)
    assert (round(float(box.width)), round(float(box.height))) == (792, 612)


@pytest.mark.parametrize("name", [LONG_NAME, WIDE_NAME.strip()])
def test_an_eighty_character_name_shrinks_onto_one_line_of_one_page(
    course: Course, name: str
) -> None:
    assert len(name) >= 79
    reader = render(course, name=name)
    assert len(reader.pages) == 1
    lines = page_text(reader).splitlines()
    assert name in lines  # whole, on one line: neither wrapped nor cut
    # Everything else still fits on the page below it.
    assert "Final assessment score: 95%" in lines
    assert any(line.startswith("Verify at ") for line in lines)


def test_long_names_are_set_smaller_but_never_wider_than_the_text_column(course: Course) -> None:
    pdf = certificates.new_pdf("landscape")
    width = pdf.w - 2 * certificates.NAME_INSET
    for name in (LONG_NAME, WIDE_NAME):
        size = certificates.fit_size(pdf, name, certificates.SERIF, "B", 32, width)
        assert 8 < size < 32
        pdf.set_font(certificates.SERIF, "B", size)
        assert pdf.get_string_width(name) <= width
    assert certificates.fit_size(pdf, "Li Na", certificates.SERIF, "B", 32, width) == 32


def test_the_qr_code_on_the_page_is_segnos_code_for_the_verify_address(course: Course) -> None:
    images = render(course).pages[0].images
    assert len(images) == 1
    picture = images[0].image
    assert picture is not None
    picture = picture.convert("L")
    expected = segno.make(verify_url(PUBLIC_URL, CODE), error="m", micro=False)
    matrix = [list(row) for row in expected.matrix]
    modules = len(matrix) + 2 * QR_BORDER
    assert picture.width == picture.height
    step = picture.width / modules

    # Read the embedded picture back module by module, at each module's centre.
    def dark(row: int, column: int) -> int:
        x, y = int((QR_BORDER + column + 0.5) * step), int((QR_BORDER + row + 0.5) * step)
        return int(picture.getpixel((x, y)) == 0)

    read = [[dark(r, c) for c in range(len(matrix))] for r in range(len(matrix))]
    assert read == matrix
    # And the quiet zone around it is white.
    assert all(picture.getpixel((x, 1)) == 255 for x in range(picture.width))


@pytest.mark.parametrize("name", ["Li Na", LONG_NAME, WIDE_NAME.strip()])
def test_all_text_sits_inside_the_frame(course: Course, name: str) -> None:
    reader = render(course, name=name)
    placed: list[tuple[str, float, float]] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        if text.strip():
            placed.append((text.strip(), float(tm[4]), float(tm[5])))

    reader.pages[0].extract_text(visitor_text=visit)
    assert any(text == name for text, _, _ in placed)
    for _, x, y in placed:
        # The gold inner frame is 30 pt inside the page edge.
        assert 40 <= x <= 792 - 40
        assert 40 <= y <= 612 - 40


def test_the_same_record_gives_the_same_bytes(course: Course) -> None:
    a = certificate_pdf(record(course), course.info, CHICAGO, PUBLIC_URL)
    b = certificate_pdf(record(course), course.info, CHICAGO, PUBLIC_URL)
    assert a == b


def test_fonts_are_the_vendored_dejavu_faces_embedded_in_the_pdf(course: Course) -> None:
    # In the training package (certificates/fonts.py sits one level down).
    assert fonts.FONTS_DIR.is_relative_to(Path(fonts.__file__).parents[1])
    for filename in ("DejaVuSans.ttf", "DejaVuSerif-Bold.ttf", "LICENSE-DejaVu.txt"):
        assert (fonts.FONTS_DIR / filename).is_file()
    used = render(course).pages[0]["/Resources"]["/Font"]
    names = {str(font.get_object()["/BaseFont"]) for font in used.values()}
    assert names and all("DejaVu" in n for n in names)  # a Latin name needs no other font
    for font in used.values():
        descendant = font.get_object()["/DescendantFonts"][0].get_object()
        assert "/FontFile2" in descendant["/FontDescriptor"]  # embedded, not referenced
