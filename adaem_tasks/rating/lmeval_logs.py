"""Read lm-evaluation-harness ``--log_samples`` output of the ``adaem_*`` tasks.

lm-eval writes, per model, ``<out>/<model_sanitized>/samples_<task>_<stamp>.jsonl`` and
``results_<stamp>.json`` (same stamp). Each sample line carries the question in ``doc``
(id, set_version, set_content_hash, value_system, category...) and one metric per value key: 1.0 / 0.0,
or NaN when unknown -- the answer could not be judged (``parse_failure`` 1.0) or that
value's judge label could not be read (``judge_failure`` > 0). Its JSON verdict
(``filtered_resps``) names the judge and the run's measurement settings
(:class:`~adaem_tasks.conditions.Conditions`; absent, hence unknown, in older logs).
The model name comes from the results file (``model_name``, else ``config.model_args``),
falling back to the directory name, which is reported.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

from adaem_tasks.conditions import Conditions
from adaem_tasks.rating.records import LogRead, Problem, ValueRecord, judge_failure_problem
from adaem_tasks.value_systems import available_value_systems, load_value_system

__all__ = [
    "LMEVAL_TASKS",
    "is_lmeval_samples_file",
    "lmeval_model_name",
    "read_lmeval_file",
    "read_lmeval_samples",
    "results_file",
]

#: lm-eval task name -> value system.
LMEVAL_TASKS = {"adaem_schwartz": "schwartz", "adaem_mft": "mft"}
_STAMP = r"\d{4}-\d{2}-\d{2}T[0-9.\-]+"
SAMPLES_RE = re.compile(rf"^samples_(?P<task>.+)_(?P<stamp>{_STAMP})\.jsonl$")
_MODEL_ARG_KEYS = ("peft", "delta", "pretrained", "model", "path", "engine")


def is_lmeval_samples_file(path: Path) -> bool:
    return SAMPLES_RE.match(path.name) is not None


def _model_from_args(model_args: object) -> str | None:
    if isinstance(model_args, dict):
        for key in _MODEL_ARG_KEYS:
            if key in model_args:
                return str(model_args[key])
    elif isinstance(model_args, str):
        pairs = dict(part.split("=", 1) for part in model_args.split(",") if "=" in part)
        for key in _MODEL_ARG_KEYS:
            if key in pairs:
                return pairs[key]
    return None


def results_file(samples_file: Path) -> Path:
    """The ``results_<stamp>.json`` of the run a samples file belongs to (it may not exist)."""
    match = SAMPLES_RE.match(samples_file.name)
    stamp = match.group("stamp") if match else ""
    return samples_file.with_name(f"results_{stamp}.json")


def lmeval_model_name(samples_file: Path) -> tuple[str, Problem | None]:
    """The model of a samples file, from its results file when there is one."""
    results_path = results_file(samples_file)
    fallback = samples_file.parent.name
    if not results_path.is_file():
        return fallback, Problem(
            "bad_record",
            str(samples_file),
            f"no {results_path.name} beside it: model named after its directory, {fallback!r}",
            model=fallback,
        )
    try:
        results = json.loads(results_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return fallback, Problem(
            "unreadable",
            str(results_path),
            f"results file unreadable ({exc}): model named after its directory, {fallback!r}",
            model=fallback,
        )
    name = results.get("model_name") if isinstance(results, dict) else None
    if not name and isinstance(results, dict):
        name = _model_from_args((results.get("config") or {}).get("model_args"))
    if not name:
        return fallback, Problem(
            "bad_record",
            str(results_path),
            f"results file names no model: model named after its directory, {fallback!r}",
            model=fallback,
        )
    return str(name), None


def _metric(line: dict[str, Any], key: str) -> float | None:
    raw = line.get(key)
    if isinstance(raw, bool):
        return float(raw)
    if isinstance(raw, int | float):
        return None if math.isnan(raw) else float(raw)
    if isinstance(raw, str):
        try:
            value = float(raw)
        except ValueError:
            return None
        return None if math.isnan(value) else value
    return None


def read_lmeval_file(path: str | Path) -> LogRead:
    """:func:`read_lmeval_samples` as the parallel reader and its cache take it."""
    records, problems = read_lmeval_samples(path)
    if records:
        return LogRead(records, problems, how="lines", why="lm-eval samples", samples=len(records))
    return LogRead(records, problems, how="none", why="; ".join(p.message for p in problems))


def _verdict(line: dict[str, Any]) -> tuple[str | None, Conditions]:
    """The judge and the measurement settings the bridge's JSON verdict records (unknown in older logs)."""
    try:
        verdict = json.loads(line["filtered_resps"][0])
    except (KeyError, IndexError, TypeError, ValueError):
        return None, Conditions()
    if not isinstance(verdict, dict):
        return None, Conditions()
    judge = verdict.get("judge")
    conditions = verdict.get("conditions")
    return (
        str(judge) if judge else None,
        Conditions.from_mapping(conditions if isinstance(conditions, dict) else None),
    )


def read_lmeval_samples(path: str | Path) -> tuple[list[ValueRecord], list[Problem]]:
    """Value records of one ``samples_adaem_<system>_<stamp>.jsonl`` file."""
    path = Path(path)
    source = str(path)
    match = SAMPLES_RE.match(path.name)
    if match is None:
        return [], [
            Problem("unknown_file", source, "not an lm-eval samples file (samples_<task>_<stamp>.jsonl)")
        ]
    task = match.group("task")
    if task not in LMEVAL_TASKS:
        return [], [
            Problem("foreign_task", source, f"lm-eval samples of task {task!r}, not adaem_*: ignored")
        ]
    model, model_problem = lmeval_model_name(path)
    problems = [model_problem] if model_problem else []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem("unreadable", source, f"cannot read ({exc})", model=model))
        return [], problems

    records: dict[str, ValueRecord] = {}
    bad_lines: list[int] = []
    invalid = 0
    unknown_cells = 0
    duplicates = 0
    # looked up once per file, not per line: listing the value systems reads a directory
    known_systems = set(available_value_systems())
    keys_of: dict[str, list[str]] = {}
    for lineno, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            line = json.loads(text)
            doc = line["doc"]
            question_id = str(doc["id"])
            set_version = str(doc["set_version"])
            system_name = str(doc.get("value_system") or LMEVAL_TASKS[task])
        except (ValueError, KeyError, TypeError):
            bad_lines.append(lineno)
            continue
        if system_name not in known_systems:
            bad_lines.append(lineno)
            continue
        if system_name not in keys_of:
            keys_of[system_name] = list(load_value_system(system_name).keys)
        keys = keys_of[system_name]
        metrics = {k: _metric(line, k) for k in keys}
        if all(k not in line for k in keys):
            bad_lines.append(lineno)
            continue
        judge, conditions = _verdict(line)
        parse_failure = _metric(line, "parse_failure")
        # NaN values of a judged answer are unknown labels; older logs marked an answer
        # the judge errored on with NaN everywhere and parse_failure 0: unknown too.
        valid = not parse_failure
        invalid += not valid
        if valid:
            unknown_cells += sum(v is None for v in metrics.values())
        record = ValueRecord(
            model=model,
            question_id=question_id,
            set_version=set_version,
            value_system=system_name,
            category=doc.get("category"),
            labels={k: None if v is None else int(v >= 0.5) for k, v in metrics.items()},
            valid=valid,
            outcome=None if valid else "not_judged",
            source=source,
            run=match.group("stamp"),
            created=match.group("stamp"),
            content_hash=str(doc.get("set_content_hash") or "") or None,  # absent in older logs
            judge=judge,
            conditions=conditions,
        )
        if question_id in records:
            duplicates += 1
            if records[question_id].valid or not valid:
                continue
        records[question_id] = record

    if bad_lines:
        problems.append(
            Problem(
                "unreadable" if not records else "bad_record",
                source,
                f"{len(bad_lines)} lines are not AdAEM sample records (first: line {bad_lines[0]})",
                model=model,
                count=len(bad_lines),
            )
        )
    if invalid:
        problems.append(
            Problem(
                "not_judgeable",
                source,
                f"{invalid} of {len(records)} answers not judgeable: excluded from both teams",
                model=model,
                count=invalid,
            )
        )
    if unknown_cells:
        problems.append(judge_failure_problem(source, model, unknown_cells))
    if duplicates:
        problems.append(
            Problem(
                "duplicate",
                source,
                f"{duplicates} repeated question ids ignored (the first judgeable line is used)",
                model=model,
                count=duplicates,
            )
        )
    return list(records.values()), problems
