"""Reading a PDF as people's tools do: poppler's pdftotext, pdffonts, pdftoppm and pdfinfo
(Debian's poppler-utils; `make poppler` installs it)."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

#: What pdftotext puts around a right-to-left run to show its direction (RLE, LRE ... PDF).
_EMBEDDINGS = re.compile("[\u202a-\u202e]")


def _run(tool: str, *args: str, data: bytes) -> subprocess.CompletedProcess[str]:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is missing: run `make poppler` (Debian's poppler-utils)", False)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(data)
        return subprocess.run(
            [tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])],
            capture_output=True,
            text=True,
            encoding="utf-8",
            cwd=folder,
            timeout=60,
            check=False,
        )


def text_lines(data: bytes) -> list[str]:
    """The page's lines in reading order as pdftotext gives them, without the direction marks
    it adds around right-to-left words."""
    done = _run("pdftotext", "-enc", "UTF-8", data=data)
    assert done.returncode == 0, done.stderr
    return [_EMBEDDINGS.sub("", line) for line in done.stdout.splitlines() if line.strip()]


@dataclass(frozen=True)
class FontRow:
    name: str
    type: str
    embedded: bool


def fonts(data: bytes) -> list[FontRow]:
    """pdffonts' table: every font the document uses and whether its file is in it."""
    done = _run("pdffonts", data=data)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[1].startswith("---"), done.stdout
    columns = lines[0].index("type"), lines[0].index("encoding"), lines[0].index("emb")
    return [
        FontRow(
            name=line[: columns[0]].strip(),
            type=line[columns[0] : columns[1]].strip(),
            embedded=line[columns[2] :].split()[0] == "yes",
        )
        for line in lines[2:]
        if line.strip()
    ]


def render(data: bytes, *, dpi: int = 40) -> tuple[int, str, list[Path]]:
    """pdftoppm's exit status, what it wrote to stderr, and the pages as PNG files (in a folder
    that lasts for the test run)."""
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm is missing: run `make poppler` (Debian's poppler-utils)", False)
    out = Path(tempfile.mkdtemp(prefix="pdftoppm-"))
    (out / "document.pdf").write_bytes(data)
    done = subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", "document.pdf", "page"],
        capture_output=True,
        text=True,
        cwd=out,
        timeout=60,
        check=False,
    )
    return done.returncode, done.stderr, sorted(out.glob("page*.png"))


def structure(data: bytes) -> str:
    """pdfinfo's print of the structure tree with each element's text (a tagged PDF's)."""
    done = _run("pdfinfo", "-struct-text", data=data)
    assert done.returncode == 0, done.stderr
    return done.stdout
