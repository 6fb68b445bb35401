"""Who on an agency's roster has not completed the course.

A Coordinator uploads whatever their records system or Excel exported, so reading is lenient
where it is safe (header spellings, UTF-8 or Windows-1252, comma, semicolon or tab) and strict
where guessing would mislead (an Excel workbook, binary data, a row without a badge): then
it says what it expected, in words written for the Coordinator. Cells are read as text and
never interpreted, so "007" stays "007" and "=1+1" stays "=1+1".
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from datetime import date
from zoneinfo import ZoneInfo

import pandas as pd

from training import refresher
from training.dates import local_today

MAX_ROSTER_BYTES = 5 * 1024 * 1024
ROSTER_COLUMNS = ("badge_number", "name", "agency")
#: The list of who has not completed: the roster's columns and why each officer is on it.
OUTSTANDING_COLUMNS = (*ROSTER_COLUMNS, "status")
NOT_COMPLETED = "Not completed"
_MB = 1024 * 1024

# Header spellings, compared after lower-casing and dropping everything but letters and
# digits ("Badge #", "badge_number" and "Badge Number" are all "badgenumber" or "badge").
# Earlier names win when a file has several: "Badge" beats a generic "ID".
_ALIASES: dict[str, tuple[str, ...]] = {
    "badge_number": ("badge", "badgenumber", "badgeorofficerid", "officerid", "id"),
    "name": ("name", "fullname", "officername"),
    "agency": ("agency", "department"),
}
_EXAMPLE_HEADER = "badge_number,name,agency"
_DELIMITERS = (",", ";", "\t")
# Control characters other than tab and line breaks: text files do not have them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SAVE_AS = 'In Excel choose File > Save As > "CSV UTF-8 (Comma delimited)" and upload that file.'
_MAX_LISTED = 5


class RosterError(ValueError):
    """The roster cannot be used; the message is written for the Coordinator and names what
    was expected."""


def read_roster(data: bytes, filename: str = "roster.csv") -> pd.DataFrame:
    """The officers on an uploaded roster: badge_number (as the app stores it: stripped and
    upper-cased), name and agency ("" when the file has no agency column), in file order."""
    text = _decode(data, filename)
    rows = _records(text, filename)
    header_at = next((i for i, row in enumerate(rows) if not _blank(row)), None)
    if header_at is None:
        raise RosterError(f"{filename} is empty. {_needs()}")
    header, columns = _header(rows, header_at, filename)
    badges: list[str] = []
    names: list[str] = []
    agencies: list[str] = []
    no_badge: list[int] = []
    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        if _blank(row):
            continue
        cells = {key: _cell(row, index) for key, index in columns.items()}
        badge = cells["badge_number"].upper()
        if not badge:
            no_badge.append(number)
            continue
        badges.append(badge)
        names.append(cells["name"])
        agencies.append(cells.get("agency", ""))
    if no_badge:
        listed = ", ".join(str(n) for n in no_badge[:_MAX_LISTED])
        more = f" and {len(no_badge) - _MAX_LISTED} more" if len(no_badge) > _MAX_LISTED else ""
        which = "Row" if len(no_badge) == 1 else "Rows"
        raise RosterError(
            f"{which} {listed}{more} of {filename} {'has' if len(no_badge) == 1 else 'have'} "
            f"no badge number in the “{header[columns['badge_number']]}” column. "
            "Fill it in or delete the row, then upload the roster again."
        )
    if not badges:
        raise RosterError(f"{filename} has a header row but no officers under it.")
    return pd.DataFrame({"badge_number": badges, "name": names, "agency": agencies}, dtype="string")


def missing_from(roster: pd.DataFrame, completions: pd.DataFrame) -> pd.DataFrame:
    """The roster rows with no completion in the ledger, in roster order.

    Badges are matched without regard to case. When the roster names an agency, the completion
    must be from that agency too: two agencies may both have a badge "101", and one officer's
    certificate must not hide the other's missing training. The agency is compared as typed
    (case and surrounding spaces aside), so the roster must use the names officers pick in the
    app.
    """
    done_badges = _fold(completions["badge_number"])
    done_pairs = set(done_badges + "\x1f" + _fold(completions["agency"]))
    badges = _fold(roster["badge_number"])
    if "agency" in roster.columns:
        agencies = _fold(roster["agency"])
    else:
        agencies = pd.Series("", index=roster.index, dtype="string")
    by_pair = (badges + "\x1f" + agencies).isin(done_pairs)
    by_badge = badges.isin(set(done_badges))
    done = by_pair.where(agencies != "", by_badge)
    return roster[~done.to_numpy(dtype=bool)].reset_index(drop=True)


def outstanding(
    roster: pd.DataFrame,
    completions: pd.DataFrame,
    zone: ZoneInfo,
    refresher_months: int | None = None,
    today: date | None = None,
) -> pd.DataFrame:
    """The roster rows that still need the course, in roster order, with a `status`: "Not
    completed", or, when course.yaml sets `refresher_months`, "Due again since YYYY-MM-DD" for
    an officer whose latest completion is that old. Officers are matched as in `missing_from`."""
    badges = _fold(roster["badge_number"])
    agencies = (
        _fold(roster["agency"])
        if "agency" in roster.columns
        else pd.Series("", index=roster.index, dtype="string")
    )
    by_pair = refresher.latest_completed_at(
        refresher.officer_keys(completions["badge_number"], completions["agency"]),
        completions["completed_at"],
    )
    by_badge = refresher.latest_completed_at(
        refresher.badge_keys(completions["badge_number"]), completions["completed_at"]
    )
    day_today = today if today is not None else local_today(zone)
    keep: list[int] = []
    statuses: list[str] = []
    for i, (badge, agency) in enumerate(zip(badges, agencies, strict=True)):
        latest = by_pair.get(f"{badge}\x1f{agency}") if agency else by_badge.get(str(badge))
        if latest is None:
            keep.append(i)
            statuses.append(NOT_COMPLETED)
            continue
        day = refresher.day_of(latest, zone)
        if (
            refresher_months is not None
            and day is not None
            and refresher.is_due(day, refresher_months, day_today)
        ):
            keep.append(i)
            statuses.append(refresher.status(day, refresher_months, day_today))
    out = roster.iloc[keep].reset_index(drop=True)
    if "agency" not in out.columns:
        out["agency"] = pd.Series("", index=out.index, dtype="string")
    out = out.loc[:, list(ROSTER_COLUMNS)]
    out["status"] = pd.Series(statuses, index=out.index, dtype="string")
    return out


# --- reading ----------------------------------------------------------------------------------


def _decode(data: bytes, filename: str) -> str:
    if len(data) > MAX_ROSTER_BYTES:
        raise RosterError(
            f"The roster is {len(data) / _MB:.1f} MB; upload at most {MAX_ROSTER_BYTES // _MB} MB."
        )
    if not data.strip():
        raise RosterError(f"{filename} is empty. {_needs()}")
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise RosterError(f"{filename} is an Excel workbook, not a CSV file. {_SAVE_AS}")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise RosterError(
            f"{filename} is saved as UTF-16 (Excel's “Unicode Text”), which this page does not "
            f"read. {_SAVE_AS}"
        )
    if b"\x00" in data:
        raise RosterError(f"{filename} is not a CSV text file (it holds binary data). {_SAVE_AS}")
    if data.startswith(codecs.BOM_UTF8):
        try:
            text = data[len(codecs.BOM_UTF8) :].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RosterError(
                f"{filename} says it is UTF-8 but byte {exc.start + len(codecs.BOM_UTF8) + 1} is "
                f"not UTF-8 text. {_SAVE_AS}"
            ) from exc
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            # Excel's plain "CSV (Comma delimited)" on Windows writes Windows-1252.
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError as exc:
                raise RosterError(
                    f"{filename} is neither UTF-8 nor Windows-1252 text (byte {exc.start + 1} "
                    f"cannot be read). {_SAVE_AS}"
                ) from exc
    text = text.rstrip("\x1a")  # the old DOS end-of-file mark some exports still add
    control = _CONTROL.search(text)
    if control:
        line = text.count("\n", 0, control.start()) + 1
        raise RosterError(
            f"{filename} is not a CSV text file (line {line} holds a control character). {_SAVE_AS}"
        )
    return text


def _records(text: str, filename: str) -> list[list[str]]:
    """The file's rows, split with the delimiter its first line uses most."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(_DELIMITERS, key=first.count)  # ties go to the comma, listed first
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise RosterError(f"{filename} cannot be read as CSV ({exc}). {_SAVE_AS}") from exc


def _header(rows: list[list[str]], at: int, filename: str) -> tuple[list[str], dict[str, int]]:
    header = [cell.strip() for cell in rows[at]]
    keys = [re.sub(r"[^0-9a-z]", "", cell.casefold()) for cell in header]
    columns: dict[str, int] = {}
    for role, aliases in _ALIASES.items():
        for alias in aliases:
            if alias in keys:
                columns[role] = keys.index(alias)
                break
    if "badge_number" not in columns or "name" not in columns:
        found = [cell for cell in header if cell]
        shown = ", ".join(found[:10]) + (", …" if len(found) > 10 else "")
        raise RosterError(f"{_needs()} Found: {shown or 'no column names'}.")
    return header, columns


def _needs() -> str:
    return f"The roster needs a badge column and a name column (for example: {_EXAMPLE_HEADER})."


def _blank(row: list[str]) -> bool:
    return not any(cell.strip() for cell in row)


def _cell(row: list[str], index: int) -> str:
    return row[index].strip() if index < len(row) else ""


def _fold(column: pd.Series) -> pd.Series:
    """Text for matching: missing as "", no surrounding spaces, case folded."""
    return column.astype("string").fillna("").str.strip().str.casefold()
