"""What ``adaem-validate judge`` re-judges: key points from existing logs, or a reference-label file.

Key points come from the logs ``adaem-rank`` reads (the same file discovery,
:func:`adaem_tasks.rating.sources.collect_files`): an Inspect log keeps them in the
``value_judge`` score's ``metadata['points']``, an lm-eval ``--log_samples`` line in the
JSON verdict of ``filtered_resps``. Identical texts of one value system are judged once.
Anything unusable becomes a :class:`~adaem_tasks.rating.records.Problem`, never an
exception, except a malformed labels file, which is refused with ``file:line: reason``.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adaem_tasks.rating.inspect_logs import SCORER_NAME, adaem_samples, open_adaem_log
from adaem_tasks.rating.lmeval_logs import LMEVAL_TASKS, SAMPLES_RE
from adaem_tasks.rating.records import Problem
from adaem_tasks.rating.sources import collect_files
from adaem_tasks.value_systems import ValueSystem, available_value_systems, load_value_system

__all__ = ["KeyPoints", "LabelledText", "read_key_points", "read_labels", "sample"]


@dataclass(frozen=True)
class KeyPoints:
    """The distinct key points found, per value system, and how many answers they came from."""

    texts: list[tuple[str, str]]  # (value system, key point text), first-seen order
    answers: int
    files: int
    problems: list[Problem]

    @property
    def points_per_answer(self) -> float:
        return len(self.texts) / self.answers if self.answers else 0.0


@dataclass(frozen=True)
class LabelledText:
    """One line of a reference-label file."""

    system: str
    text: str
    value: str  # value key
    label: int
    line: int


def _has_points(summary: Any) -> bool:
    """Whether a summary carries its key points (a list whose JSON exceeds 1k is dropped from summaries)."""
    if summary.error is not None:
        return True
    score = (summary.scores or {}).get(SCORER_NAME)
    return score is None or isinstance((score.metadata or {}).get("points"), list)


def _inspect_points(path: Path) -> tuple[list[tuple[str, list[str]]], list[Problem]]:
    source = str(path)
    opened = open_adaem_log(path)
    if isinstance(opened, Problem):
        return [], [opened]
    header, system = opened
    log = adaem_samples(path, header, _has_points)
    if isinstance(log, Problem):
        return [], [log]
    answers: list[tuple[str, list[str]]] = []
    missing = 0
    for sample in log.samples:
        score = (sample.scores or {}).get(SCORER_NAME)
        metadata = (score.metadata or {}) if score is not None else {}
        points = metadata.get("points")
        if not isinstance(points, list):
            missing += 1
            continue
        texts = [p for p in points if isinstance(p, str) and p.strip()]
        if texts:
            answers.append((str(metadata.get("value_system") or system), texts))
    problems = []
    if missing:
        problems.append(
            Problem(
                "sample_error",
                source,
                f"{missing} samples carry no {SCORER_NAME} score with key points",
                count=missing,
            )
        )
    return answers, problems


def _lmeval_points(path: Path) -> tuple[list[tuple[str, list[str]]], list[Problem]]:
    source = str(path)
    match = SAMPLES_RE.match(path.name)
    task = match.group("task") if match else ""
    if task not in LMEVAL_TASKS:
        return [], [
            Problem("foreign_task", source, f"lm-eval samples of task {task!r}, not adaem_*: ignored")
        ]
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        return [], [Problem("unreadable", source, f"cannot read ({exc})")]
    answers: list[tuple[str, list[str]]] = []
    bad: list[int] = []
    for lineno, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            line = json.loads(text)
            verdict = json.loads(line["filtered_resps"][0])
            points = verdict.get("points") or []
            system = str(line["doc"].get("value_system") or LMEVAL_TASKS[task])
        except (ValueError, KeyError, TypeError, IndexError, AttributeError):
            bad.append(lineno)
            continue
        texts = [p for p in points if isinstance(p, str) and p.strip()]
        if texts:
            answers.append((system, texts))
    problems = []
    if bad:
        problems.append(
            Problem(
                "bad_record",
                source,
                f"{len(bad)} lines hold no AdAEM verdict with key points (first: line {bad[0]})",
                count=len(bad),
            )
        )
    return answers, problems


def read_key_points(paths: Iterable[str | Path]) -> KeyPoints:
    """Every distinct (value system, key point) in the logs under ``paths``."""
    files, problems = collect_files(paths)
    seen: dict[tuple[str, str], None] = {}
    answers = 0
    for kind, path in files:
        found, file_problems = _inspect_points(path) if kind == "inspect" else _lmeval_points(path)
        problems.extend(file_problems)
        for system, texts in found:
            if system not in available_value_systems():
                problems.append(Problem("bad_record", str(path), f"unknown value system {system!r}"))
                continue
            answers += 1
            for text in texts:
                seen.setdefault((system, text), None)
    return KeyPoints(texts=list(seen), answers=answers, files=len(files), problems=problems)


def sample(items: list[Any], n: int | None, seed: int) -> list[Any]:
    """``n`` items drawn without replacement (seeded), in their original order; all when ``n`` is None."""
    if n is None or n >= len(items):
        return list(items)
    chosen = set(random.Random(seed).sample(range(len(items)), n))
    return [item for i, item in enumerate(items) if i in chosen]


_TRUE = {"1", "true", "yes", "y"}
_FALSE = {"0", "false", "no", "n"}


def _label(raw: object) -> int | None:
    if isinstance(raw, bool):
        return int(raw)
    if isinstance(raw, int | float) and raw in (0, 1):
        return int(raw)
    if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
        return int(raw.strip().lower() in _TRUE)
    return None


def _match_value(name: str, system: str | None) -> tuple[ValueSystem, str] | None:
    names = [system] if system else available_value_systems()
    for candidate in names:
        loaded = load_value_system(candidate)
        value = loaded.match(name)
        if value is not None:
            return loaded, value.key
    return None


def read_labels(path: str | Path, value_system: str | None = None) -> list[LabelledText]:
    """A JSONL file of ``{"text", "value", "label"}`` lines (value: key or name; label: 0/1, yes/no).

    Raises :class:`ValueError` naming the file, the line and the reason for the first bad line.
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: cannot read the labels file: {exc}") from None
    records: list[LabelledText] = []
    for lineno, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{where}: not JSON ({exc.msg})") from None
        if not isinstance(data, dict) or not {"text", "value", "label"} <= set(data):
            raise ValueError(f"{where}: each line needs the keys 'text', 'value' and 'label'")
        text = data["text"]
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"{where}: 'text' must be a non-empty string")
        matched = _match_value(str(data["value"]), value_system)
        if matched is None:
            known = value_system or ", ".join(available_value_systems())
            raise ValueError(f"{where}: {data['value']!r} is not a value of {known}")
        label = _label(data["label"])
        if label is None:
            raise ValueError(f"{where}: 'label' must be 0/1, true/false or yes/no, got {data['label']!r}")
        system, key = matched
        records.append(LabelledText(system=system.name, text=text, value=key, label=label, line=lineno))
    if not records:
        raise ValueError(f"{path}: the labels file holds no labelled text")
    return records
