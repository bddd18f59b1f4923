"""What every study writes and prints the same way: JSON with ``null`` for unknown, problems, exit codes.

A study's JSON is for tools, so a number that has no data is ``null`` (never 0, and
never the non-standard ``NaN`` that ``json.dumps`` would write). Problems met while
reading the logs are printed to stderr and stored in the JSON; ``--strict`` turns them
into exit status 1 for scripts that would otherwise trust the numbers.
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from adaem_tasks.cli_paths import output_dir
from adaem_tasks.rating import Problem
from adaem_tasks.rating.report import print_problems, value_labels

__all__ = [
    "add_output_options",
    "add_settings_option",
    "finish",
    "jsonable",
    "percent",
    "print_problems",
    "value_labels",
    "write_json",
]


def add_output_options(parser: argparse.ArgumentParser, png: bool = True) -> None:
    """``--out``, ``--no-png``, ``--strict``, ``--quiet``: the same on every study."""
    parser.add_argument("--out", type=output_dir, required=True, metavar="DIR", help="output directory")
    if png:
        parser.add_argument("--no-png", action="store_true", help="skip the picture")
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when any problem with the inputs was reported"
    )
    parser.add_argument("--quiet", action="store_true", help="print only the summary and the problem count")


def add_settings_option(parser: argparse.ArgumentParser) -> None:
    """``--allow-mixed-settings``: accept models (or runs) measured under different settings."""
    parser.add_argument(
        "--allow-mixed-settings",
        "--allow-mixed-judging",
        dest="allow_mixed_settings",
        action="store_true",
        help="use logs measured under different settings (grader, judge mode, threshold, log-probabilities, "
        "attempts, key points, words) instead of refusing them; the differences are reported",
    )


def jsonable(obj: Any, digits: int = 6) -> Any:
    """``obj`` with NaN/inf floats as ``None`` and floats to ``digits`` significant digits, recursively.

    Significant digits, not decimals: a p-value of 3e-12 must not be written as 0.
    """
    if isinstance(obj, bool) or obj is None or isinstance(obj, str | int):
        return obj
    if isinstance(obj, float):
        return None if not math.isfinite(obj) else float(f"{obj:.{digits}g}")
    if isinstance(obj, np.generic):
        return jsonable(obj.item(), digits)
    if isinstance(obj, Mapping):
        return {str(k): jsonable(v, digits) for k, v in obj.items()}
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist(), digits)
    if isinstance(obj, Sequence):
        return [jsonable(v, digits) for v in obj]
    raise TypeError(f"cannot write {type(obj).__name__} as JSON")


def write_json(path: Path, document: Mapping[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(jsonable(document), indent=2, ensure_ascii=False, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def percent(x: float, signed: bool = False, width: int = 0) -> str:
    """A rate as percent with one decimal ('n/a' when unknown)."""
    if not math.isfinite(x):
        return f"{'n/a':>{width}}"
    return f"{100 * x:+{width}.1f}" if signed else f"{100 * x:{width}.1f}"


def finish(
    ns: argparse.Namespace, problems: Sequence[Problem], written: Sequence[Path], json_name: str
) -> int:
    """Print the problems and what was written; the exit status of a study that ran."""
    print_problems(problems, ns.quiet, json_name)
    print("wrote " + ", ".join(str(p) for p in written))
    return 1 if ns.strict and problems else 0
