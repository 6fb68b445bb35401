"""The command line: python -m training validate | hash-password | verify CODE | migrate |
import-csv DIR | export --out FILE [--format completions|records|certificates] | send-xapi |
demo-data."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import psycopg

from training.auth import ALL_AGENCIES, hash_password
from training.bank_report import report
from training.certificates.verification import check_certificate, describe
from training.config import ConfigError, load_settings, secret_key
from training.content import ContentError, check_course, course_version, load_course
from training.demo import DemoDataError, write_demo_ledger
from training.exports import EXPORTS
from training.storage import StoreWriteError, open_store


def _validate(args: argparse.Namespace) -> int:
    root = Path(args.root) if args.root else load_settings().content_root
    if not (root / "course.yaml").exists() and not (root / "modules").is_dir():
        print(
            f"training validate: {root} holds no course (no course.yaml, no modules/)",
            file=sys.stderr,
        )
        return 1
    if args.report:
        print(report(root))
        print()
    problems = check_course(root)
    for problem in problems:
        print(problem)
    if problems:
        count = len(problems)
        print(f"{count} problem{'s' if count != 1 else ''} found in {root}", file=sys.stderr)
        return 1
    print(f"The course is valid (version {course_version(root)}).")
    return 0


def _hash_password(args: argparse.Namespace) -> int:
    if sys.stdin.isatty():
        password = getpass.getpass("Coordinator password: ")
        if getpass.getpass("Again: ") != password:
            print("training hash-password: the two passwords differ", file=sys.stderr)
            return 1
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        print(hash_password(password))
    except ValueError as exc:
        print(f"training hash-password: {exc}", file=sys.stderr)
        return 1
    return 0


def _verify(args: argparse.Namespace) -> int:
    settings = load_settings()
    try:
        course = load_course(settings.content_root)
    except ContentError as exc:
        print(
            f"training verify: the course files have {len(exc.problems)} problems", file=sys.stderr
        )
        return 1
    try:
        found = check_certificate(
            args.code, open_store(settings), secret_key(settings), course.info, settings.zone
        )
    except (OSError, psycopg.Error) as exc:
        print(f"training verify: {_store_problem(exc)}", file=sys.stderr)
        return 1
    if found is None:
        print(f"Not a valid certificate: {args.code}")
        return 1
    print(f"Valid certificate {found.certificate_code}: {describe(found)}")
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from training.storage.migrate import MigrationError, migrate

    settings = load_settings()
    if not settings.database_url:
        print(
            "training migrate: no database is configured (set TRAINING_DATABASE_URL or "
            "[database] url); the CSV store needs no schema",
            file=sys.stderr,
        )
        return 1
    try:
        before, after = migrate(settings.database_url)
    except MigrationError as exc:
        print(f"training migrate: {exc}", file=sys.stderr)
        return 1
    except psycopg.Error as exc:
        print(f"training migrate: the database refused: {_one_line(exc)}", file=sys.stderr)
        return 1
    if before == after:
        print(f"The schema is up to date (version {after}).")
    else:
        print(f"The schema was upgraded from version {before} to {after}.")
    return 0


def _database_url(command: str) -> str | None:
    url = load_settings().database_url
    if not url:
        print(
            f"training {command}: no database is configured (set TRAINING_DATABASE_URL or "
            "[database] url)",
            file=sys.stderr,
        )
    return url


def _import_csv(args: argparse.Namespace) -> int:
    from training.storage.importer import ImportProblem, import_csv

    url = _database_url("import-csv")
    if not url:
        return 1
    try:
        done = import_csv(Path(args.dir), url, secret_key(load_settings()))
    except ImportProblem as exc:
        print(f"training import-csv: {exc} (nothing was imported)", file=sys.stderr)
        return 1
    except (OSError, psycopg.Error) as exc:
        print(f"training import-csv: {_one_line(exc)} (nothing was imported)", file=sys.stderr)
        return 1
    print(
        f"Imported {done.completions} completions, {done.attempts} attempts and {done.places} "
        f"saved places; {done.skipped} records were already in the database."
    )
    return 0


def _export(args: argparse.Namespace) -> int:
    from training.exports import export_query, export_to

    try:
        since = date.fromisoformat(args.since) if args.since else None
    except ValueError:
        print(f"training export: --since {args.since!r} is not YYYY-MM-DD", file=sys.stderr)
        return 1
    settings = load_settings()
    try:
        course = load_course(settings.content_root)
    except ContentError as exc:
        print(
            f"training export: the course files have {len(exc.problems)} problems "
            "(run python -m training validate)",
            file=sys.stderr,
        )
        return 1
    out = Path(args.out)
    try:
        count = export_to(
            out,
            args.format,
            open_store(settings),
            # Whoever runs commands on the server reads the records themselves: every agency.
            export_query(ALL_AGENCIES, settings.zone, args.agency, since),
            course.info,
            settings.zone,
            settings.public_url,
        )
    except (OSError, psycopg.Error) as exc:
        print(f"training export: {_store_problem(exc)}", file=sys.stderr)
        return 1
    what = {"certificates": "certificates", "records": "training records"}.get(
        args.format, "completions"
    )
    print(f"Wrote {count} {what} to {out}")
    return 0


def _send_xapi(args: argparse.Namespace) -> int:
    from training.xapi import LrsClient, send_waiting

    settings = load_settings()
    if settings.lrs is None:
        print(
            "training send-xapi: no learning record store is configured (set "
            "TRAINING_LRS_ENDPOINT, TRAINING_LRS_USERNAME and TRAINING_LRS_PASSWORD, or the "
            "[lrs] table of secrets.toml)",
            file=sys.stderr,
        )
        return 1
    try:
        load_course(settings.content_root)  # statements name the course
    except ContentError as exc:
        print(
            f"training send-xapi: the course files have {len(exc.problems)} problems",
            file=sys.stderr,
        )
        return 1
    try:
        result = send_waiting(open_store(settings), LrsClient(settings.lrs))
    except (OSError, psycopg.Error) as exc:
        print(f"training send-xapi: {_store_problem(exc)}", file=sys.stderr)
        return 1
    done = (
        f"Sent {result.sent} statement{'s' if result.sent != 1 else ''}; {result.waiting} waiting"
    )
    if result.problem:
        print(f"{done}.")
        print(
            f"training send-xapi: {result.problem}. The {result.waiting} waiting statements "
            "are kept: run send-xapi again later.",
            file=sys.stderr,
        )
        return 1
    if result.refused:
        print(f"{done}.")
        for refused in result.refused:
            print(f"training send-xapi: the store refused statement {refused}", file=sys.stderr)
        return 1
    print(f"{done}.")
    return 0


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _store_problem(exc: BaseException) -> str:
    """Why the records could not be read, in one line (never a traceback)."""
    if isinstance(exc, (psycopg.errors.UndefinedTable, psycopg.errors.InsufficientPrivilege)):
        return (
            "the database has no schema or grants for the app yet: run "
            f"`python -m training migrate` ({_one_line(exc)})"
        )
    if isinstance(exc, StoreWriteError) and exc.strerror:
        return exc.strerror  # the database is away: "the database cannot be reached"
    return _one_line(exc)


def _demo_data(args: argparse.Namespace) -> int:
    settings = load_settings()
    target = Path(args.results_dir) if args.results_dir else settings.results_dir
    try:
        course = load_course(settings.content_root)
        write_demo_ledger(
            target, course, secret_key(settings), args.completions, args.attempts, args.seed
        )
    except ContentError as exc:
        print(
            f"training demo-data: the course files have {len(exc.problems)} problems",
            file=sys.stderr,
        )
        return 1
    except DemoDataError as exc:
        print(f"training demo-data: {exc}", file=sys.stderr)
        return 1
    print(f"Wrote {args.completions} completions and {args.attempts} attempts to {target}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser("validate", help="check course.yaml, modules/ and quizzes/")
    validate.add_argument("--root", help="the folder holding course.yaml (default: the project)")
    validate.add_argument(
        "--report",
        action="store_true",
        help="also print the question bank's figures and the final's questions per module",
    )
    validate.set_defaults(run=_validate)
    hashing = commands.add_parser(
        "hash-password",
        help="read the Coordinator's password on stdin and print the hash for the configuration",
    )
    hashing.set_defaults(run=_hash_password)
    verify = commands.add_parser("verify", help="say whether a certificate code is genuine")
    verify.add_argument("code", help="the code printed on the certificate")
    verify.set_defaults(run=_verify)
    migrating = commands.add_parser(
        "migrate", help="create or upgrade the PostgreSQL schema (run as the database's owner)"
    )
    migrating.set_defaults(run=_migrate)
    importing = commands.add_parser(
        "import-csv", help="load a CSV results folder into the database (twice adds nothing)"
    )
    importing.add_argument("dir", help="the results folder (completions.csv, attempts.csv)")
    importing.set_defaults(run=_import_csv)
    exporting = commands.add_parser(
        "export", help="write the completions, the training-records file or the certificates"
    )
    exporting.add_argument(
        "--out", required=True, help="the file to write (.xlsx: an Excel workbook; else CSV)"
    )
    exporting.add_argument(
        "--format",
        choices=EXPORTS,
        default="completions",
        help="completions (the default), records (the training-records file) or "
        "certificates (a ZIP of PDFs)",
    )
    exporting.add_argument("--agency", help="only this agency (as officers chose it)")
    exporting.add_argument("--since", help="only completions on or after this local date")
    exporting.set_defaults(run=_export)
    sending = commands.add_parser(
        "send-xapi",
        help="send the waiting xAPI statements to the configured learning record store",
    )
    sending.set_defaults(run=_send_xapi)
    demo = commands.add_parser(
        "demo-data", help="fill an empty results folder with made-up records (demos, benchmarks)"
    )
    demo.add_argument("--completions", type=int, default=100_000)
    demo.add_argument("--attempts", type=int, default=500_000)
    demo.add_argument("--seed", type=int, default=2026)
    demo.add_argument("--results-dir", help="where to write (default: TRAINING_RESULTS_DIR)")
    demo.set_defaults(run=_demo_data)
    args = parser.parse_args(argv)
    if not logging.getLogger().handlers:
        # A command says what went wrong in its own one line: no log lines from the database
        # pool (its retries while the database is away) on the terminal besides it.
        logging.getLogger().addHandler(logging.NullHandler())
    try:
        return args.run(args)
    except ConfigError as exc:
        print(f"training: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
