"""Editing a copy of the course files in a test, and what `validate` then says of them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml

from training.content import check_course


def edit_yaml(root: Path, rel: str, change: Callable[[dict], object]) -> None:
    """Load one content file under root, let `change` alter it, and write it back."""
    path = root / rel
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def problems(root: Path) -> list[str]:
    """Every problem `validate` reports for the course under root, as printed."""
    return [str(p) for p in check_course(root)]
