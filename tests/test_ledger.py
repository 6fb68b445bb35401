"""The ledger: exact columns, RFC 4180 lines, no row lost or torn, nothing partial on a fault."""

from __future__ import annotations

import csv
import errno
import multiprocessing
import os
from pathlib import Path

import pytest

from tests.factories import attempt, completion
from training import files
from training.content import Course
from training.officers import BADGE_MAX, NAME_MAX, Officer
from training.progress import Progress
from training.storage import csv_files as ledger_module
from training.storage.csv_files import (
    ATTEMPT_COLUMNS,
    COMPLETION_COLUMNS,
    Ledger,
    StoreWriteError,
)

DESIGN_COMPLETIONS = (
    "record_id, completed_at, officer_name, badge_number, agency, course_id, course_version, "
    "score_percent, attempts, seat_time_minutes, certificate_code"
)
DESIGN_ATTEMPTS = (
    "attempt_id, submitted_at, badge_number, agency, course_id, course_version, quiz_id, "
    "score_percent, passed, duration_seconds, answers"
)


def test_columns_are_exactly_the_designs() -> None:
    assert ", ".join(COMPLETION_COLUMNS) == DESIGN_COMPLETIONS
    assert ", ".join(ATTEMPT_COLUMNS) == DESIGN_ATTEMPTS


def test_a_completion_round_trips_with_header_and_crlf_lines(tmp_path: Path) -> None:
    book = Ledger(tmp_path)
    record = completion(officer_name='Ann "Tex" O\'Hara, Jr.')
    book.append_completion(record)
    raw = book.completions_path.read_bytes()
    assert raw.startswith(",".join(COMPLETION_COLUMNS).encode() + b"\r\n")
    assert raw.count(b"\r\n") == 2
    rows = list(csv.DictReader(book.completions_path.open(encoding="utf-8", newline="")))
    assert rows[0]["officer_name"] == 'Ann "Tex" O\'Hara, Jr.'
    assert book.find_certificate("ABCD-EFGH-JKLM-NPQR") == record
    assert book.find_certificate("ZZZZ-ZZZZ-ZZZZ-ZZZZ") is None


def test_attempts_keep_leading_zeros_and_json_answers(tmp_path: Path) -> None:
    book = Ledger(tmp_path)
    book.append_attempt(attempt())
    table = book.read_attempts()
    assert list(table.columns) == list(ATTEMPT_COLUMNS)
    assert table.loc[0, "badge_number"] == "007"
    assert table.loc[0, "answers"] == '{"fin-01":[2],"fin-02":[0,3]}'
    assert table.loc[0, "passed"] == "false"


def test_reading_an_absent_ledger_gives_an_empty_table(tmp_path: Path) -> None:
    table = Ledger(tmp_path / "new").read_completions()
    assert table.empty and list(table.columns) == list(COMPLETION_COLUMNS)


def test_a_line_break_can_never_enter_a_record(tmp_path: Path) -> None:
    book = Ledger(tmp_path)
    with pytest.raises(ValueError, match="officer_name"):
        book.append_completion(completion(officer_name="Ann\r\nBob"))
    assert not book.completions_path.exists()


def _append_many(directory: str, worker: int, count: int, start: multiprocessing.Barrier) -> None:
    book = Ledger(Path(directory))
    start.wait()
    for i in range(count):
        book.append_completion(completion(worker * 100_000 + i))


def test_eight_processes_appending_at_once_lose_and_tear_nothing(tmp_path: Path) -> None:
    workers, each = 8, 150
    context = multiprocessing.get_context("fork")
    start = context.Barrier(workers)
    processes = [
        context.Process(target=_append_many, args=(str(tmp_path), w, each, start))
        for w in range(workers)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
        assert process.exitcode == 0
    text = Ledger(tmp_path).completions_path.read_text(encoding="utf-8")
    assert text.count("record_id,completed_at") == 1, "one header, even created at once"
    rows = list(csv.reader(text.splitlines()))[1:]
    assert len(rows) == workers * each
    assert all(len(row) == len(COMPLETION_COLUMNS) for row in rows), "no torn lines"
    ids = [row[0] for row in rows]
    assert len(set(ids)) == len(ids) == workers * each
    assert set(ids) == {f"rec-{w * 100_000 + i}" for w in range(workers) for i in range(each)}


def test_a_full_disk_leaves_no_partial_line_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = Ledger(tmp_path)
    book.append_completion(completion(1))
    before = book.completions_path.read_bytes()
    real_write = os.write

    def half_then_full(fd: int, data: bytes) -> int:
        if len(data) > 20:
            real_write(fd, bytes(data)[:20])
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(ledger_module.os, "write", half_then_full)
    with pytest.raises(StoreWriteError) as caught:
        book.append_completion(completion(2))
    assert caught.value.strerror == "the disk is full"
    assert book.completions_path.read_bytes() == before
    monkeypatch.setattr(ledger_module.os, "write", real_write)
    book.append_completion(completion(2))
    assert len(book.read_completions()) == 2


def test_a_read_only_results_folder_is_a_plain_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def read_only(*args: object, **kwargs: object) -> int:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(ledger_module.os, "open", read_only)
    with pytest.raises(StoreWriteError) as caught:
        Ledger(tmp_path).append_attempt(attempt())
    assert caught.value.strerror == "the results folder cannot be written to"


def test_a_torn_last_line_does_not_swallow_the_next_record(tmp_path: Path) -> None:
    book = Ledger(tmp_path)
    book.append_completion(completion(1))
    with book.completions_path.open("ab") as fh:
        fh.write(b"rec-torn,2026-11-28T")
    book.append_completion(completion(2))
    rows = list(csv.reader(book.completions_path.read_text(encoding="utf-8").splitlines()))
    assert rows[-1][0] == "rec-2" and len(rows[-1]) == len(COMPLETION_COLUMNS)


def _fresh_read(book: Ledger) -> list[dict[str, object]]:
    ledger_module.forget_parsed_files()
    return book.read_completions().to_dict("records")


def test_records_appended_after_a_read_are_read_like_a_fresh_parse(tmp_path: Path) -> None:
    book = Ledger(tmp_path)
    book.append_completion(completion(1))
    assert len(book.read_completions()) == 1
    for n in range(2, 6):
        book.append_completion(completion(n, officer_name=f'Zoë "{n}", Jr.'))
        seen = book.read_completions()
        assert list(seen["record_id"]) == [f"rec-{i}" for i in range(1, n + 1)]
        assert list(seen.columns) == list(COMPLETION_COLUMNS)
    assert book.read_completions().to_dict("records") == _fresh_read(book)
    assert book.read_completions()["score_percent"].dtype == "Int64"


def test_a_rewritten_ledger_is_read_afresh_not_appended_to(tmp_path: Path) -> None:
    book = Ledger(tmp_path)
    for n in range(1, 4):
        book.append_completion(completion(n))
    assert len(book.read_completions()) == 3
    # An administrator edits a name in place and a new record arrives: same file, longer.
    text = book.completions_path.read_bytes().replace(b"rec-3", b"rec-X")
    book.completions_path.write_bytes(text)
    book.append_completion(completion(4))
    assert list(book.read_completions()["record_id"]) == ["rec-1", "rec-2", "rec-X", "rec-4"]
    # A backup put in the ledger's place (another file, fewer rows).
    backup = tmp_path / "backup.csv"
    backup.write_bytes(b"\r\n".join(text.split(b"\r\n")[:2]) + b"\r\n")
    os.replace(backup, book.completions_path)
    assert list(book.read_completions()["record_id"]) == ["rec-1"]


def test_completion_since_reads_from_the_offset_and_applies_every_condition(
    tmp_path: Path,
) -> None:
    book = Ledger(tmp_path)
    badge = 'A,"7"'  # a badge that the CSV must quote
    book.append_completion(completion(1, badge_number=badge, completed_at="2026-11-28T01:00:00Z"))
    offset = book.completions_size()
    book.append_completion(completion(2, badge_number=badge, agency="Other PD"))
    book.append_completion(completion(3, badge_number=badge, course_id="another-course"))
    book.append_completion(completion(4, badge_number=badge, completed_at="2026-11-28T05:00:00Z"))
    book.append_completion(completion(5, badge_number=badge, completed_at="2026-11-28T06:00:00Z"))
    since = "2026-11-28T02:00:00Z"

    def found(**kwargs: object) -> str | None:
        record = book.completion_since(
            badge, "Hinds County Sheriff's Office", "ms-ht-le", since, **kwargs
        )
        return None if record is None else record.record_id

    assert found(after=offset) == "rec-4"
    assert found() == "rec-4"
    for n in range(100, 230):  # about 26 KB of other officers' records
        book.append_completion(completion(n))
    later = book.completions_size()
    assert found(after=later) is None  # only what was appended after `later` is read
    assert found(after=offset, excluding=frozenset({"rec-4"})) == "rec-5"
    assert found(after=offset, excluding=frozenset({"rec-4", "rec-5"})) is None
    assert book.completion_since("A", "Hinds County Sheriff's Office", "ms-ht-le", since) is None
    record = book.completion_since(badge, "Hinds County Sheriff's Office", "ms-ht-le", since)
    assert record is not None and record.badge_number == badge and record.score_percent == 90


def test_attempts_since_reads_from_the_offset_one_officers_course_in_order(
    tmp_path: Path,
) -> None:
    book = Ledger(tmp_path)
    badge = 'A,"7"'  # a badge that the CSV must quote
    book.append_attempt(attempt(1, badge_number=badge))
    for n in range(100, 230):  # about 26 KB of this officer's earlier attempts
        book.append_attempt(attempt(n, badge_number=badge))
    offset = book.attempts_size()
    book.append_attempt(attempt(2, badge_number=badge, agency="Other PD"))
    book.append_attempt(attempt(3, badge_number=badge, course_id="another-course"))
    book.append_attempt(attempt(4, badge_number=badge, submitted_at="2026-11-28T06:00:00Z"))
    book.append_attempt(attempt(5, badge_number=badge, submitted_at="2026-11-28T07:00:00Z"))
    book.append_attempt(attempt(6, badge_number=badge, submitted_at="2026-11-27T07:00:00Z"))

    def found(after: int) -> list[str]:
        rows = book.attempts_since(
            badge, "Mississippi Highway Patrol", "ms-ht-le", "2026-11-28T00:00:00Z", after
        )
        return [row["attempt_id"] for row in rows]

    assert found(offset)[-2:] == ["att-4", "att-5"], "in order, without the earlier day's"
    assert "att-1" not in found(offset), "read from a little before the offset, not whole"
    assert found(0)[0] == "att-1"


def test_completion_since_finds_a_record_written_where_a_torn_line_was_taken_back(
    tmp_path: Path,
) -> None:
    book = Ledger(tmp_path)
    book.append_completion(completion(1))
    with book.completions_path.open("ab") as fh:
        fh.write(b"rec-torn,2026-11-28T")  # a writer died mid-line
    offset = book.completions_size()  # the officer began with the torn line in the file
    book.append_completion(completion(2, completed_at="2026-11-28T07:00:00Z"))
    assert book.completions_size() < offset + 200  # the torn bytes were taken back first
    record = book.completion_since(
        "B00002", "Hinds County Sheriff's Office", "ms-ht-le", "2026-11-28T06:00:00Z", after=offset
    )
    assert record is not None and record.record_id == "rec-2"
    missing = Ledger(tmp_path / "none")
    assert missing.completion_since("B1", "x", "y", "2026-01-01", after=10) is None


def test_completion_since_reads_a_replaced_shorter_file_whole(tmp_path: Path) -> None:
    book = Ledger(tmp_path)
    for n in range(40):
        book.append_completion(completion(n, badge_number="OTHER"))
    offset = book.completions_size()  # the officer began against the long file
    book.completions_path.unlink()  # the file is archived and started afresh
    book.append_completion(completion(7, completed_at="2026-11-28T07:00:00Z"))
    record = book.completion_since(
        "B00007", "Hinds County Sheriff's Office", "ms-ht-le", "2026-11-28T06:00:00Z", after=offset
    )
    assert record is not None and record.record_id == "rec-7"


def test_the_longest_completion_a_sign_in_allows_fits_the_duplicate_checks_back_off(
    tmp_path: Path,
) -> None:
    # completion_since reads from a little before its offset, in case a torn line there was
    # taken back; that only works while every record's line is shorter than the step back.
    widest = '𝔷"' * (NAME_MAX // 2)  # 4-byte letters and quotes the CSV must double
    book = Ledger(tmp_path)
    book.append_completion(
        completion(1, officer_name=widest, agency=widest, badge_number="9" * BADGE_MAX)
    )
    line = book.completions_path.read_bytes().split(b"\r\n")[1]
    assert len(line) < ledger_module._LONGEST_LINE


def test_the_longest_final_attempt_fits_the_catch_ups_back_off(
    tmp_path: Path, course: Course
) -> None:
    # The same step back serves catching a saved place up with the attempts file.
    from training.grading import DrawnQuestion, score
    from training.records import attempt_record

    final = course.final
    drawn = [DrawnQuestion(q.id, tuple(range(len(q.options)))) for q in final.questions]
    widest_answers = {  # every option of a multiple-choice question, the last of any other
        q.id: list(range(len(q.options))) if q.type == "multiple" else [len(q.options) - 1]
        for q in final.questions
    }
    marked = score(final, drawn, widest_answers, 80)
    widest = '𝔷"' * (NAME_MAX // 2)
    progress = Progress.start(Officer(widest, "9" * BADGE_MAX, widest), course)
    Ledger(tmp_path).append_attempt(attempt_record(progress, course, final, marked, 1e9))
    line = Ledger(tmp_path).attempts_path.read_bytes().split(b"\r\n")[1]
    assert len(line) < ledger_module._LONGEST_LINE, "every question of the bank answered"


def test_a_folder_without_file_locks_is_reported_before_anyone_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_locks(fd: int, blocking: bool = True) -> bool:
        raise OSError(errno.ENOSYS, "Function not implemented")

    monkeypatch.setattr(files, "lock_descriptor", no_locks)
    assert Ledger(tmp_path).write_problem() is not None
    assert list(tmp_path.iterdir()) == [], "the probe is cleaned up"
    monkeypatch.undo()
    assert Ledger(tmp_path).write_problem() is None
