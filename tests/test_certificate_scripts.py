"""A name in any script, printed right: read back from the certificate PDF by poppler's tools as
people's readers would (pdftotext, pdffonts, pdftoppm, pdfinfo), and the PDF tagged for screen
readers."""

from __future__ import annotations

import io
import re
import unicodedata
from collections import Counter
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from tests import poppler
from tests.factories import completion
from training.certificates import fonts
from training.certificates.pdf import certificate_pdf
from training.names import name_problem, normalize

CHICAGO = ZoneInfo("America/Chicago")
URL = "https://training.example.ms.gov"
COMPLETED = "2026-11-28T05:30:00Z"  # 11:30 pm on November 27 in Mississippi

#: Each name with the font made for its script (None: the certificate's own DejaVu Serif).
NAMES: dict[str, tuple[str, str | None]] = {
    "vietnamese": ("Nguyễn Thị Minh Khai", None),
    "chinese": ("王秀英", "DroidSansFallback"),
    "japanese": ("山田 太郎", "DroidSansFallback"),
    "korean": ("김민준", "NanumMyeongjo"),
    "arabic": ("محمد عبد الله", "NotoNaskhArabic"),
    "hebrew": ("דוד כהן", "NotoSerifHebrew"),
    "devanagari": ("अनुराग शर्मा", "NotoSerifDevanagari"),
    "thai": ("สมชาย ใจดี", "NotoSerifThai"),
    "greek": ("Αλέξανδρος Παπαδόπουλος", None),
    "cyrillic": ("Владимир Петров", None),
    "latin": ("Zoë O’Neil-Núñez", None),
    "latin+arabic": ("Layla Hassan ليلى حسن", "NotoNaskhArabic"),
    "armenian": ("Արամ Խաչատրյան", None),
    "ethiopic": ("ፀሐይ ተስፋዬ", "NotoSerifEthiopic"),
}
#: Names pdftotext cannot give back whole, though they are drawn right (checked by eye in
#: pdftoppm's rendering): it puts a mark HarfBuzz places above or below a letter on a line of
#: its own, or a space before a vowel sign drawn ahead of its consonant. Every other check here
#: holds for them, and their elements carry the name as typed for screen readers.
MARKS_APART: dict[str, tuple[str, str | None]] = {
    "gurmukhi": ("ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ", "NotoSerifGurmukhi"),
    "bengali": ("সৌমিত্র চট্টোপাধ্যায়", "NotoSerifBengali"),
    "tamil": ("தமிழ்செல்வி", "NotoSerifTamil"),
    "khmer": ("សុខ ចាន់ថា", "NotoSerifKhmer"),
    "vowelled arabic": ("مُحَمَّد عَلِي", "NotoNaskhArabic"),
}
ALL = {**NAMES, **MARKS_APART}
IDS = list(NAMES)
ALL_IDS = list(ALL)


@cache
def certificate(name: str, agency: str = "Hinds County Sheriff's Office") -> bytes:
    from training.config import PROJECT_ROOT
    from training.content import load_course

    course = load_course(PROJECT_ROOT)
    record = completion(
        1, officer_name=name, agency=agency, badge_number="MBI-4471", completed_at=COMPLETED
    )
    return certificate_pdf(record, course.info, CHICAGO, URL)


def test_every_test_name_is_one_sign_in_accepts() -> None:
    for name, _ in ALL.values():
        assert normalize(name) == name and name_problem(name, "your full name") is None, name


@pytest.mark.parametrize("key", IDS)
def test_pdftotext_reads_the_name_in_the_order_it_was_typed(key: str) -> None:
    name, _ = NAMES[key]
    lines = poppler.text_lines(certificate(name))
    # The name is its own line, between the words around it: right-to-left names come back
    # right to left (pdftotext reorders what the page shows left to right), shaped scripts
    # with every letter, nothing dropped or changed.
    assert lines[lines.index("This certifies that") + 1] == name
    assert "Hinds County Sheriff's Office" in lines


@pytest.mark.parametrize("key", list(MARKS_APART))
def test_pdftotext_finds_every_character_of_a_name_whose_marks_it_sets_apart(key: str) -> None:
    name, _ = MARKS_APART[key]
    on_page = Counter("".join(poppler.text_lines(certificate(name))))
    wanted = Counter(name.replace(" ", ""))
    assert not wanted - on_page, f"missing: {wanted - on_page}"


@pytest.mark.parametrize(
    "name",
    [
        ("محمد عبد الله " * 7)[:80].strip(),
        ("王秀英" * 27)[:80],
        ("अनुराग शर्मा " * 7)[:80].strip(),
    ],
    ids=["arabic", "chinese", "devanagari"],
)
def test_an_eighty_character_name_in_any_script_stays_whole_on_its_line(name: str) -> None:
    assert len(name) >= 79 and name_problem(name, "your full name") is None
    data = certificate(name)
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    lines = poppler.text_lines(data)
    assert lines[lines.index("This certifies that") + 1] == name
    assert "Hinds County Sheriff's Office" in lines


def test_a_right_to_left_word_inside_a_left_to_right_name_keeps_its_place() -> None:
    """In "Omar محمد Ali" the Arabic word is drawn right to left between the Latin ones. pdftotext
    gives its letters and the words in the order typed; it misplaces the spaces around a
    right-to-left word inside a left-to-right line (a known limit of its reordering), so the
    comparison leaves spaces out."""
    name = "Omar محمد Ali"
    lines = poppler.text_lines(certificate(name))
    line = lines[lines.index("This certifies that") + 1]
    assert re.sub(r"\s", "", line) == re.sub(r"\s", "", name)
    assert line.startswith("Omar") and line.endswith("Ali")


@pytest.mark.parametrize("key", ALL_IDS)
def test_every_font_is_embedded_and_the_name_is_in_the_font_for_its_script(key: str) -> None:
    name, face = ALL[key]
    rows = poppler.fonts(certificate(name))
    assert rows and all(row.embedded for row in rows), rows
    assert all(row.type == "CID TrueType" for row in rows), rows  # no font left to the reader
    base_names = {row.name.split("+")[-1] for row in rows}
    assert "DejaVuSerifBold" in base_names  # the certificate's own words
    if face is not None:
        assert f"{face}Bold" in base_names or face in base_names, base_names
    # Only the fonts the page needs: a Latin name does not carry the Chinese font along.
    assert len(rows) <= 5


@pytest.mark.parametrize("key", ALL_IDS)
def test_pdftoppm_renders_the_page_without_a_complaint_and_the_name_shows(key: str) -> None:
    name, _ = ALL[key]
    status, errors, pages = poppler.render(certificate(name), dpi=40)
    assert status == 0 and errors == "", errors
    assert len(pages) == 1
    with Image.open(pages[0]) as page:
        gray = page.convert("L")
        scale = gray.width / 792  # points to pixels
        # The band of the name's line (176 to 216 pt from the top), inside the frame.
        band = gray.crop(
            (int(66 * scale), int(176 * scale), int((792 - 66) * scale), int(216 * scale))
        )
        dark = sum(band.histogram()[:128])
    assert dark > 0.01 * band.width * band.height, "the name's line is drawn"


# --- shaping: the letters took the forms their neighbours ask for --------------------------------


def glyph_texts(data: bytes, face: str) -> list[str]:
    """The text each glyph of a face in the PDF stands for (its ToUnicode map)."""
    page = PdfReader(io.BytesIO(data)).pages[0]
    fonts_used = page["/Resources"]["/Font"]
    for ref in fonts_used.values():
        font = ref.get_object()
        if face in str(font["/BaseFont"]):
            cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            pairs = re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", cmap.split("beginbfchar")[1])
            return [bytes.fromhex(text).decode("utf-16-be") for _, text in pairs]
    raise AssertionError(
        f"no {face} in {[str(f.get_object()['/BaseFont']) for f in fonts_used.values()]}"
    )


@pytest.mark.parametrize("name", ["محمد عبد الله", "مُحَمَّد عَلِي"])
def test_arabic_letters_are_joined(name: str) -> None:
    """Joined, "م" takes its initial and medial forms: more than one glyph stands for it. Drawn
    unshaped (or cut apart at each vowel sign), every "م" would be the one isolated glyph."""
    texts = glyph_texts(certificate(name), "NotoNaskhArabic")
    assert texts.count("م") >= 2, texts


def test_devanagari_conjuncts_are_formed() -> None:
    """ "शर्मा" puts the "र्" on top of "मा" as a reph: one glyph for two characters."""
    texts = glyph_texts(certificate("अनुराग शर्मा"), "NotoSerifDevanagari")
    assert any(len(text) >= 2 for text in texts), texts


def test_an_arabic_agency_is_shaped_in_the_arabic_face_too() -> None:
    data = certificate("Zoë Lee", agency="شرطة جامعة ميسيسيبي")
    lines = poppler.text_lines(data)
    assert "شرطة جامعة ميسيسيبي" in lines
    assert glyph_texts(data, "NotoNaskhArabic").count("ي") >= 2


# --- tagged for screen readers -----------------------------------------------------------------


def struct_elements(data: bytes) -> list[DictionaryObject]:
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    tree = root["/StructTreeRoot"].get_object()
    kids = tree["/K"]
    document = (kids[0] if isinstance(kids, list) else kids).get_object()
    assert document["/S"] == "/Document"
    return [kid.get_object() for kid in document["/K"]]


def test_the_certificate_is_tagged_with_its_language_and_title() -> None:
    name = "Zoë O’Neil-Núñez"
    data = certificate(name)
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-US"
    assert bool(root["/MarkInfo"]["/Marked"])  # a pypdf BooleanObject
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata is not None
    assert reader.metadata.title == f"Certificate of Completion — {name}"

    tree = poppler.structure(data)
    assert tree.startswith("Document\n")
    # Each element and its text, as pdfinfo prints them (two lines an element).
    shown = re.findall(r'^  (\S+)(?: \(block\))?\n    "(.*)"$', tree, flags=re.MULTILINE)
    roles = [role for role, _ in shown]
    texts = [text for _, text in shown]
    assert roles[:4] == ["P", "H1", "P", "P"]
    assert texts[1] == "Certificate of Completion"
    assert texts[3] == name
    flat = " ".join(texts)
    for expected in (
        "Hinds County Sheriff's Office",
        "Badge or officer ID: MBI-4471",
        "Mississippi Law Enforcement",
        "November 27, 2026",
        "2 hours",
        "ABCD-EFGH-JKLM-NPQR",
        "Final assessment score: 90%",
    ):
        assert expected in flat, expected
    assert "Figure" in roles, "the QR code is a figure with its alternate text"
    figure = next(e for e in struct_elements(data) if e["/S"] == "/Figure")
    assert figure["/Alt"].startswith("QR code: https://training.example.ms.gov/verify?code=")


@pytest.mark.parametrize("key", ALL_IDS)
def test_the_names_element_says_the_name_as_typed(key: str) -> None:
    """A screen reader takes an element's /ActualText over the drawn characters, which for a
    right-to-left name are in visual order."""
    name, _ = ALL[key]
    elements = struct_elements(certificate(name))
    assert elements[3]["/S"] == "/P"
    assert elements[3]["/ActualText"] == name
    assert unicodedata.is_normalized("NFC", elements[3]["/ActualText"])


def test_decoration_is_an_artifact_and_every_word_is_tagged() -> None:
    """Text drawn outside a tagged element would be skipped or read out of order."""
    reader = PdfReader(io.BytesIO(certificate("Zoë Lee")))
    content = reader.pages[0].get_contents()
    assert content is not None
    stream = content.get_data().decode("latin-1")
    depth = 0
    for token in re.finditer(r"BDC|BMC|EMC|\bBT\b", stream):
        if token.group() in ("BDC", "BMC"):
            depth += 1
        elif token.group() == "EMC":
            depth -= 1
        else:
            assert depth > 0, f"text outside any tag at offset {token.start()}"
    assert depth == 0
    assert stream.count("/Artifact BMC") >= 4


def test_only_the_vendored_fonts_are_used_and_each_has_its_licence() -> None:
    for face in fonts.FACES:
        assert (fonts.FONTS_DIR / face.filename).is_file(), face
    for licence in ("LICENSE-DejaVu.txt", "LICENSE-Noto.txt", "LICENSE-Nanum.txt"):
        assert "Font" in (fonts.FONTS_DIR / licence).read_text(encoding="utf-8")
    assert "Apache License" in (fonts.FONTS_DIR / "LICENSE-DroidSansFallback.txt").read_text(
        encoding="utf-8"
    )
    readme = (fonts.FONTS_DIR / "README.md").read_text(encoding="utf-8")
    for face in fonts.FACES:
        assert face.filename in readme, f"README.md says where {face.filename} comes from"
