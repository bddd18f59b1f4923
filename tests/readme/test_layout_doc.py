"""docs/layout.md draws the package tree; this keeps the drawing and the tree in step.

Every package directory that holds Python code at the top level of the repository, inside
``adaem_tasks/`` and inside ``adaem_gen/`` must appear in the drawing, and nothing may be drawn
there that no longer exists.
"""

from __future__ import annotations

import re
from pathlib import Path

from dry_runs import REPO

LAYOUT = REPO / "docs" / "layout.md"
_TOP = ("adaem_tasks", "adaem_gen", "solvers", "scorers", "task_configs", "benchmarks", "tests", "examples")


def _drawing() -> str:
    text = LAYOUT.read_text(encoding="utf-8")
    return text.split("```", 2)[1]


def _drawn_entries(drawing: str, parent: str) -> set[str]:
    """Names drawn (indented by two) under ``parent/`` in the tree drawing."""
    entries: set[str] = set()
    inside = False
    for line in drawing.splitlines():
        if re.match(r"^\S", line):
            inside = line.startswith(f"{parent}/")
            continue
        if inside and re.match(r"^  \S", line):
            first = line.split()[0]  # "bandit/", "data/question_sets/", "tasks.py"
            entries.add(first.split("/")[0] + "/" if "/" in first else first)
    return entries


def _packages(parent: Path) -> set[str]:
    return {
        f"{child.name}/"
        for child in parent.iterdir()
        if child.is_dir() and (child / "__init__.py").is_file() and child.name != "__pycache__"
    }


def test_every_top_level_directory_is_drawn() -> None:
    drawing = _drawing()
    missing = [name for name in _TOP if not re.search(rf"^{name}/", drawing, re.M)]
    assert not missing, f"docs/layout.md does not draw {missing}"


def test_the_sub_packages_drawn_are_the_sub_packages_that_exist() -> None:
    drawing = _drawing()
    for parent in ("adaem_tasks", "adaem_gen"):
        drawn = {e for e in _drawn_entries(drawing, parent) if e.endswith("/")}
        real = _packages(REPO / parent) | {
            f"{d.name}/" for d in (REPO / parent).iterdir() if d.is_dir() and d.name == "data"
        }
        assert real - drawn == set(), f"docs/layout.md leaves out {sorted(real - drawn)} of {parent}/"
        gone = {e for e in drawn if not (REPO / parent / e.split("/")[0]).exists()}
        assert not gone, f"docs/layout.md draws {sorted(gone)} under {parent}/, which do not exist"
