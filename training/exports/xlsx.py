"""Excel workbooks (.xlsx) written with openpyxl's write-only mode, a row at a time.

What a Coordinator opening the file in Excel should find: badge numbers and other identifiers
as text ("007214" keeps its zeros), times and dates as real Excel dates in TRAINING_TIMEZONE
(the header names the zone), numbers as numbers, a bold frozen header row and readable column
widths. Nothing an officer typed becomes a formula: every text cell is written as a string
cell in Text format (openpyxl would otherwise make a formula of any text starting with "="),
and characters that XML cannot hold are replaced, so no record can break the file.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from training.dates import wall_clock
from training.exports.tables import Kind, Table

#: Characters an .xlsx file cannot hold (XML 1.0 forbids them): C0 controls other than tab and
#: line breaks, lone surrogates, U+FFFE and U+FFFF. Each is shown as U+FFFD instead.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
REPLACEMENT = "\ufffd"
#: The most characters an Excel cell holds.
MAX_CELL_CHARS = 32_767
TEXT_FORMAT = "@"
MOMENT_FORMAT = "yyyy-mm-dd hh:mm:ss"
DATE_FORMAT = "yyyy-mm-dd"
MIN_WIDTH, MAX_WIDTH = 8, 60
#: Rows looked at to size a column: enough to see typical values without reading every row.
WIDTH_SAMPLE = 1_000
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_FORMATS: dict[Kind, str] = {
    "text": TEXT_FORMAT,
    "moment": MOMENT_FORMAT,
    "date": DATE_FORMAT,
    "integer": "0",
    "number": "0.0#",
    "boolean": "General",
}


def sheet_text(value: object) -> str:
    """Text as a cell can hold it: characters XML forbids replaced, at most Excel's length."""
    return NOT_XML.sub(REPLACEMENT, str(value))[:MAX_CELL_CHARS]


def header(column: str, kind: Kind, zone: ZoneInfo) -> str:
    """A column's heading; a time column says which zone its times are in."""
    return f"{column} ({zone.key})" if kind == "moment" else column


def workbook(table: Table, zone: ZoneInfo) -> bytes:
    """The table as a one-sheet .xlsx file."""
    book = Workbook(write_only=True)
    sheet: WriteOnlyWorksheet = book.create_sheet(table.sheet)
    frame = table.frame
    kinds = [table.kind(str(c)) for c in frame.columns]
    headings = [header(str(c), k, zone) for c, k in zip(frame.columns, kinds, strict=True)]
    for i, (column, heading) in enumerate(zip(frame.columns, headings, strict=True), start=1):
        sheet.column_dimensions[get_column_letter(i)].width = _width(frame[column], heading)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    head_cells = []
    for heading in headings:
        cell = WriteOnlyCell(sheet)
        _set(cell, heading, "s")
        cell.font = bold
        head_cells.append(cell)
    sheet.append(head_cells)
    # One styled cell a column, filled anew for each row: the writer writes a row's cells
    # before the next row is made, and a cell object per value would cost more than the rest.
    # Every one styled (a format and top alignment, so a name on two lines reads from its
    # row's top): the writer takes a styled cell as it is, where it would reuse a plain one.
    top = Alignment(vertical="top")
    cells = []
    for kind in kinds:
        cell = WriteOnlyCell(sheet)
        cell.number_format = _FORMATS[kind]
        cell.alignment = top
        cells.append(cell)
    for row in frame.itertuples(index=False, name=None):
        for cell, kind, value in zip(cells, kinds, row, strict=True):
            _fill(cell, kind, value, zone)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _set(cell: Cell, value: Any, data_type: str) -> None:
    # Assigned directly: Cell.value would decide the type itself (a formula for "=...").
    cell._value = value
    cell.data_type = data_type


def _fill(cell: Cell, kind: Kind, value: object, zone: ZoneInfo) -> None:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        _set(cell, None, "n")
        return
    if kind == "integer":
        _set(cell, int(value), "n")  # type: ignore[call-overload]
    elif kind == "number":
        _set(cell, float(value), "n")  # type: ignore[arg-type]
    elif kind == "boolean":
        _set(cell, str(value).strip().lower() in ("true", "1"), "b")
    elif kind == "moment" and (moment := _moment(str(value), zone)) is not None:
        _set(cell, moment, "d")
    elif kind == "date" and (day := _day(str(value))) is not None:
        _set(cell, day, "d")
    else:  # text, and a time or date that cannot be read: kept as it is, as text
        text = sheet_text(value)
        _set(cell, text or None, "s")


def _moment(text: str, zone: ZoneInfo) -> datetime | None:
    try:
        return wall_clock(text, zone) if text.strip() else None
    except ValueError:
        return None


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None


def _width(column: pd.Series, heading: str) -> float:
    """Wide enough for the heading and the longest value among the first rows."""
    sample = column.head(WIDTH_SAMPLE).astype("string").fillna("")
    longest = int(sample.str.len().max()) if len(sample) else 0
    return float(min(MAX_WIDTH, max(MIN_WIDTH, len(heading) + 2, longest + 2)))
