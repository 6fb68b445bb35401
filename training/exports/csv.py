"""CSV that opens cleanly in Excel: UTF-8 with a BOM (accents survive), RFC 4180 quoting, and
no text cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io

import pandas as pd

#: A spreadsheet treats a cell starting with one of these as a formula (or strips it into one).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def neutralize(value: str) -> str:
    """Text that a spreadsheet will show as text: a leading apostrophe before formula starts."""
    return "'" + value if value.startswith(FORMULA_START) else value


def safe_csv(table: pd.DataFrame) -> bytes:
    """CSV bytes that open cleanly in Excel: UTF-8 with a BOM (accents survive), RFC 4180
    quoting, and no text cell that a spreadsheet would run as a formula."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([neutralize(str(c)) for c in table.columns])
    text_columns = [
        i
        for i, dtype in enumerate(table.dtypes)
        if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
    ]
    for row in table.itertuples(index=False, name=None):
        cells = ["" if pd.isna(v) else v for v in row]
        for i in text_columns:
            cells[i] = neutralize(str(cells[i]))
        writer.writerow(cells)
    return buffer.getvalue().encode("utf-8")
