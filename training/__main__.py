"""The command line: python -m training validate | hash-password | verify CODE | demo-data."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence
from pathlib import Path

from training.auth import hash_password
from training.bank_report import report
from training.config import ConfigError, load_settings, secret_key
from training.content import ContentError, check_course, course_version, load_course
from training.demo import DemoDataError, write_demo_ledger
from training.ledger import Ledger
from training.verification import check_certificate, describe


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
    found = check_certificate(
        args.code, Ledger(settings.results_dir), secret_key(settings), course.info, settings.zone
    )
    if found is None:
        print(f"Not a valid certificate: {args.code}")
        return 1
    print(f"Valid certificate {found.certificate_code}: {describe(found)}")
    return 0


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
    demo = commands.add_parser(
        "demo-data", help="fill an empty results folder with made-up records (demos, benchmarks)"
    )
    demo.add_argument("--completions", type=int, default=100_000)
    demo.add_argument("--attempts", type=int, default=500_000)
    demo.add_argument("--seed", type=int, default=2026)
    demo.add_argument("--results-dir", help="where to write (default: TRAINING_RESULTS_DIR)")
    demo.set_defaults(run=_demo_data)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except ConfigError as exc:
        print(f"training: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
