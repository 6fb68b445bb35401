"""`python -m training validate`: exit codes and `path: field: message` lines."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.isolation import outside_project


def _validate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "training", "validate", *args],
        capture_output=True,
        text=True,
        cwd=outside_project(),  # no secrets.toml of the project
        timeout=60,
    )


def test_the_real_course_is_valid() -> None:
    done = _validate()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "The course is valid" in done.stdout


def test_a_broken_course_lists_every_problem_and_exits_1(course_copy: Path) -> None:
    final = course_copy / "quizzes" / "final.yaml"
    final.write_text(re.sub(r"(?m)^draw: \d+", "draw: 99", final.read_text("utf-8")), "utf-8")
    module = course_copy / "modules" / "02-labor-trafficking.yaml"
    text = module.read_text(encoding="utf-8")
    module.write_text(re.sub(r"(?m)^quiz: .*$", "quiz: missing-check", text), "utf-8")
    done = _validate("--root", str(course_copy))
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert any(line.startswith("quizzes/final.yaml: draw: draws 99 questions") for line in lines)
    assert any(
        line.startswith("modules/02-labor-trafficking.yaml: quiz: names quiz") for line in lines
    )
    assert "Traceback" not in done.stderr
    assert "problems found" in done.stderr


def test_a_folder_without_a_course_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    done = _validate("--root", str(tmp_path))
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "holds no course" in done.stderr


def test_a_bad_setting_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "training", "validate"],
        capture_output=True,
        text=True,
        cwd=outside_project(),  # no secrets.toml of the project
        env={
            "TRAINING_PASS_MARK": "eighty",
            "PATH": "/usr/bin:/bin",
            "HOME": str(outside_project()),
        },
        timeout=60,
    )
    assert done.returncode == 1
    assert "TRAINING_PASS_MARK must be a whole number" in done.stderr
    assert "Traceback" not in done.stderr
