"""The "Who to call" card: every contact of the course, its numbers and when to use it, and 911,
on one printable page, with the numbers taken only from course.yaml."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from pypdf import PdfReader

from training.contact_card import contact_card_pdf
from training.content import Contact, Course, CourseInfo


def read(info: CourseInfo) -> PdfReader:
    return PdfReader(io.BytesIO(contact_card_pdf(info)))


def flat(reader: PdfReader) -> str:
    """The page's text with every run of white space (line breaks included) as one space."""
    return " ".join(reader.pages[0].extract_text().split())


def fragments(reader: PdfReader) -> list[tuple[str, float, float, float]]:
    """Each piece of text on the page with where it starts (x, y from the bottom) and its size."""
    found: list[tuple[str, float, float, float]] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        if text.strip():
            found.append((text.strip(), float(tm[4]), float(tm[5]), float(size)))

    reader.pages[0].extract_text(visitor_text=visit)
    return found


def many_contacts(course: Course, count: int) -> dict[str, Contact]:
    real = list(course.info.contacts.values())
    return {
        f"line_{i}": Contact(
            name=f"{real[i % len(real)].name} {i}",
            phone=f"1-555-010-{i:04d}",
            text=f"CODE{i} (5550{i:02d})" if i % 2 else None,
            when=real[i % len(real)].when,
        )
        for i in range(count)
    }


def test_card_lists_every_contact_with_its_numbers_and_when_to_use_it(course: Course) -> None:
    reader = read(course.info)
    text = flat(reader)
    assert "Who to call — human trafficking" in text
    assert "In an emergency, call 911." in text
    assert course.info.contacts
    for contact in course.info.contacts.values():
        assert contact.name in text
        assert contact.when in text
        for number in (contact.phone, contact.text):
            if number:
                assert number in text
    assert reader.metadata is not None
    assert reader.metadata.title == "Who to call — human trafficking"


def test_card_is_one_portrait_letter_page(course: Course) -> None:
    reader = read(course.info)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


def test_numbers_come_only_from_the_course_contacts(course: Course) -> None:
    changed = course.info.model_copy(
        update={
            "contacts": {
                "tip_line": Contact(
                    name="Example County Tip Line",
                    phone="1-555-010-0199",
                    text="TIPS (55501)",
                    when="Any time.",
                )
            }
        }
    )
    text = flat(read(changed))
    assert "1-555-010-0199" in text
    assert "TIPS (55501)" in text
    # No number from the real course is printed on a card for another set of contacts.
    for contact in course.info.contacts.values():
        for number in (contact.phone, contact.text):
            if number:
                assert number not in text
    digits = set(re.findall(r"\d{3,}", text))
    assert digits <= {"911", "555", "010", "0199", "55501"} | set(
        re.findall(r"\d{3,}", f"{course.info.title} {course.info.statute}")
    )


def test_numbers_on_the_real_card_are_large_enough_to_read_at_arms_length(course: Course) -> None:
    sizes = {text: size for text, _, _, size in fragments(read(course.info))}
    for contact in course.info.contacts.values():
        for number in (contact.phone, contact.text):
            if number:
                assert sizes[number] >= 18
    assert sizes["In an emergency, call 911."] >= 16


@pytest.mark.parametrize("count", [1, 6, 13, 30])
def test_many_contacts_still_fit_on_one_page_inside_the_margins(course: Course, count: int) -> None:
    contacts = many_contacts(course, count)
    contacts["office"] = Contact(name="An office with no number yet", when="Write to it.")
    reader = read(course.info.model_copy(update={"contacts": contacts}))
    assert len(reader.pages) == 1
    text = flat(reader)
    for contact in contacts.values():
        assert contact.name in text
        for number in (contact.phone, contact.text):
            if number:
                assert number in text
    assert "In an emergency, call 911." in text
    placed = fragments(reader)
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    for _, x, y, _ in placed:
        assert 36 <= x <= width - 36
        assert 36 <= y <= height - 36
    # Nothing runs into the footer (the course title and statute, the last two lines).
    footer_top = max(y for _, _, y, _ in placed[-2:])
    assert all(y > footer_top + 12 for _, _, y, _ in placed[:-2])
