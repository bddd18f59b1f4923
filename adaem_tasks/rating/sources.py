"""Find and read every log under the paths given to ``adaem-rank``.

Paths may be Inspect log files (``.eval``/``.json``), lm-eval samples files, or
directories holding any mix of them (searched recursively). Each file goes to the
reader of its format; whatever cannot be used is reported, never raised.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from adaem_tasks.rating.lmeval_logs import SAMPLES_RE, is_lmeval_samples_file
from adaem_tasks.rating.log_reading import ReadOptions, read_files
from adaem_tasks.rating.records import PANEL_FILE, Problem, ValueRecord, read_panel

__all__ = ["collect_files", "load_panel", "load_records"]

_RESULTS_PREFIX = "results_"
#: Inspect's log-directory index and eval_set's manifest: JSON files in a log directory that are not logs.
_INSPECT_SIDECARS = frozenset({"logs.json", "eval-set.json"})


def _kind(path: Path, explicit: bool) -> str | None:
    name = path.name
    if path.suffix == ".eval":
        return "inspect"
    if is_lmeval_samples_file(path):
        return "lmeval"
    if path.suffix == ".json":
        if name.startswith(_RESULTS_PREFIX):
            return "lmeval_results"
        if name in _INSPECT_SIDECARS and not explicit:
            return None
        return "inspect"
    return "unknown" if explicit else None


def collect_files(paths: Iterable[str | Path]) -> tuple[list[tuple[str, Path]], list[Problem]]:
    """(format, file) pairs in a stable order, and problems with the paths themselves."""
    found: dict[Path, str] = {}
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not any(
                    part.startswith(".") for part in child.relative_to(path).parts
                ):
                    kind = _kind(child, explicit=False)
                    if kind and kind != "lmeval_results":
                        found.setdefault(child.resolve(), kind)
        elif path.is_file():
            kind = _kind(path, explicit=True)
            if kind == "lmeval_results":
                # a results file stands for the samples files of the same run
                stamp = path.stem.removeprefix(_RESULTS_PREFIX)
                siblings = [
                    p
                    for p in sorted(path.parent.glob(f"samples_*_{stamp}.jsonl"))
                    if (m := SAMPLES_RE.match(p.name)) and m.group("stamp") == stamp
                ]
                if not siblings:
                    problems.append(
                        Problem("unknown_file", str(path), "an lm-eval results file without samples")
                    )
                for sibling in siblings:
                    found.setdefault(sibling.resolve(), "lmeval")
            elif kind == "unknown":
                problems.append(
                    Problem(
                        "unknown_file", str(path), "neither an Inspect log (.eval/.json) nor lm-eval samples"
                    )
                )
            elif kind:
                found.setdefault(path.resolve(), kind)
        else:
            problems.append(Problem("unknown_file", str(path), "no such file or directory"))
    return [(kind, path) for path, kind in found.items()], problems


def load_records(
    paths: Iterable[str | Path], options: ReadOptions | None = None
) -> tuple[list[ValueRecord], list[Problem]]:
    """Read every usable log under ``paths``, in parallel and cached (see :mod:`.log_reading`).

    ``options`` default to those set by :func:`~adaem_tasks.rating.log_reading.reading_options`.
    """
    paths = list(paths)
    files, problems = collect_files(paths)
    records: list[ValueRecord] = []
    for read in read_files(files, options).reads:
        records.extend(read.records)
        problems.extend(read.problems)
    if not files:
        problems.append(Problem("unknown_file", ", ".join(map(str, paths)), "no logs found"))
    return records, problems


def load_panel(spec: str | Path) -> tuple[list[ValueRecord], list[Problem]]:
    """A reference panel from a JSONL file, a question-set directory, or a set version.

    A question set may ship ``panel.jsonl`` beside ``questions.jsonl``: value vectors of
    a fixed panel of models on that set, so a single-model run can be placed among them.
    """
    path = Path(spec)
    if path.is_file():
        return read_panel(path)
    if path.is_dir():
        if (path / PANEL_FILE).is_file():
            return read_panel(path / PANEL_FILE)
        return [], [Problem("unknown_file", str(path), f"the directory has no {PANEL_FILE}")]
    from adaem_tasks.questions import find_question_set

    try:
        directory = find_question_set(str(spec))
    except ValueError as exc:
        return [], [
            Problem("unknown_file", str(spec), f"not a panel file, set directory or set version ({exc})")
        ]
    if not (directory / PANEL_FILE).is_file():
        return [], [Problem("unknown_file", str(directory), f"question set {spec!r} carries no {PANEL_FILE}")]
    return read_panel(directory / PANEL_FILE)
