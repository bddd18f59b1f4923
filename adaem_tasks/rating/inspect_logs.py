"""Read Inspect eval logs of ``adaem_tasks/schwartz`` / ``adaem_tasks/mft`` into value records.

One log holds one model's answers (``eval.model``); the value vector of a question is
the ``value_judge`` score's value dict, and its metadata says whether the answer could
be judged at all (``parse_outcome``). The reader never raises on a bad log: a corrupt
file or a log of another task comes back as a :class:`Problem`.

Records come from the log's sample summaries where those hold everything a record needs,
else from its samples (:mod:`adaem_tasks.rating._sample_source` says when and why); either
way :func:`_log_context` builds what the header gives every record and :func:`_records`
builds the records, so the two paths cannot drift apart.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adaem_tasks.conditions import Conditions
from adaem_tasks.rating._sample_source import SampleSource, adaem_samples, read_adaem_samples
from adaem_tasks.rating.records import INVALID_OUTCOMES, LogRead, Problem, ValueRecord, judge_failure_problem

if TYPE_CHECKING:
    from inspect_ai.log import EvalLog, EvalSpec

__all__ = [
    "SCORER_NAME",
    "TASK_NAMES",
    "SampleSource",
    "adaem_samples",
    "log_conditions",
    "open_adaem_log",
    "read_adaem_samples",
    "read_inspect_file",
    "read_inspect_log",
    "read_inspect_log_full",
    "task_value_system",
]

#: Inspect task name (without registry prefix) -> value system.
TASK_NAMES = {"schwartz": "schwartz", "mft": "mft"}
REGISTRY_PREFIX = "adaem_tasks"
SCORER_NAME = "value_judge"


def task_value_system(task: str, scorers: list[str] | None = None) -> str | None:
    """The value system of an AdAEM task name, or None for another task.

    ``adaem_tasks/schwartz`` is what the registry writes; a task run from a file path
    (``inspect eval tasks.py@schwartz``) logs the bare ``schwartz``, which is accepted only
    when its scorer is ``value_judge``.
    """
    prefix, _, name = task.rpartition("/")
    if name not in TASK_NAMES:
        return None
    if prefix == REGISTRY_PREFIX:
        return TASK_NAMES[name]
    if prefix == "" and scorers is not None and SCORER_NAME in scorers:
        return TASK_NAMES[name]
    return None


_PLAIN_NUMBERS = (int, float)


def _labels(value: object) -> dict[str, int | None] | None:
    """The value vector of a score (1 / 0 / None = unknown), or None when it is not a dict of labels.

    ``None`` and NaN entries are unknown labels (an unreadable judge); anything else that
    is not a number makes the whole record malformed.
    """
    if not isinstance(value, dict) or not value:
        return None
    labels: dict[str, int | None] = {}
    for key, raw in value.items():
        if type(raw) in _PLAIN_NUMBERS and raw == raw:  # the usual 0/1 (not bool, not NaN): one test
            labels[key if type(key) is str else str(key)] = int(raw >= 0.5)
        elif raw is None or (isinstance(raw, float) and math.isnan(raw)):
            labels[str(key)] = None
        elif isinstance(raw, bool):
            labels[str(key)] = int(raw)
        elif isinstance(raw, int | float):
            labels[str(key)] = int(raw >= 0.5)
        else:
            return None
    return labels


def open_adaem_log(path: str | Path) -> tuple[EvalLog, str] | Problem:
    """An AdAEM Inspect log's header and value system, or the problem that makes the file unusable.

    Shared by every reader of our logs (``adaem-rank``, ``adaem-validate judge``), so a corrupt
    file or a log of another task is described the same way everywhere.
    """
    from inspect_ai.log import read_eval_log

    source = str(path)
    try:
        header = read_eval_log(path, header_only=True)
    except Exception as exc:  # corrupt zip, bad JSON, schema mismatch: all mean "cannot use this file"
        return Problem("unreadable", source, f"not a readable Inspect log ({type(exc).__name__}: {exc})")
    spec = header.eval
    system = task_value_system(spec.task, [s.name for s in (spec.scorers or [])])
    if system is None:
        return Problem(
            "foreign_task",
            source,
            f"log of task {spec.task!r}, not adaem_tasks/schwartz or adaem_tasks/mft: ignored",
            model=spec.model,
        )
    return header, system


def read_inspect_log(path: str | Path) -> tuple[list[ValueRecord], list[Problem]]:
    """Value records of one Inspect log (``.eval`` or ``.json``) and what was wrong with it.

    Reads the sample summaries where they hold everything a record needs, else the samples
    (see :mod:`adaem_tasks.rating._sample_source`); both give the same records.
    """
    read = read_inspect_file(path)
    return read.records, read.problems


def read_inspect_log_full(path: str | Path) -> tuple[list[ValueRecord], list[Problem]]:
    """As :func:`read_inspect_log`, always from the full samples: the reference the fast path is held to."""
    read = read_inspect_file(path, summaries=False)
    return read.records, read.problems


def read_inspect_file(path: str | Path, summaries: bool = True) -> LogRead:
    """Records and problems of one Inspect log, with how they were read and whether the run had finished."""
    path = Path(path)
    source = str(path)
    opened = open_adaem_log(path)
    if isinstance(opened, Problem):
        return LogRead.failed(opened)
    header, system = opened
    spec = header.eval
    problems: list[Problem] = []
    if header.status != "success":
        problems.append(
            Problem(
                "incomplete_run",
                source,
                f"run status is {header.status!r}; its finished samples are used",
                model=spec.model,
            )
        )
    if summaries:
        got = adaem_samples(path, header, _summary_is_complete)
    else:
        log = read_adaem_samples(path)
        asked = "the full read was asked for"
        got = log if isinstance(log, Problem) else SampleSource(log.samples or [], "samples", asked)
    if isinstance(got, Problem):
        return LogRead([], [*problems, got], status=header.status, how="none", why=got.message)

    context = _log_context(header, system, source)
    records, sample_problems = _records(got.samples, context)
    problems.extend(sample_problems)
    if not got.samples:
        problems.append(Problem("sample_error", source, "the log holds no samples", model=spec.model))
    return LogRead(
        records, problems, status=header.status, how=got.how, why=got.why, samples=len(got.samples)
    )


def _log_context(header: EvalLog, system: str, source: str) -> _LogContext:
    """What every record of one log takes from its header: the one place for header-derived context.

    Both sample sources (summaries and full samples) feed :func:`_records` with this.
    """
    spec = header.eval
    eval_meta: dict[str, Any] = spec.metadata or {}
    grader = spec.model_roles.get("grader") if spec.model_roles else None
    graders = grader if isinstance(grader, list) else [grader] if grader is not None else []
    return _LogContext(
        model=spec.model,
        source=source,
        run=spec.eval_id,
        created=str(spec.created),
        value_system=str(eval_meta.get("value_system") or system),
        set_version=eval_meta.get("set_version"),
        judge=", ".join(g.model for g in graders) or None,
        content_hash=str(eval_meta.get("set_content_hash") or "") or None,
        conditions=log_conditions(spec),
    )


#: Sample metadata keys the AdAEM dataset always writes (adaem_tasks.dataset) and the records read.
_SAMPLE_KEYS = ("question_id", "category", "set_version", "value_system")
#: value_judge score metadata keys the scorer always writes and the records read.
_SCORE_KEYS = ("question_id", "set_version", "value_system", "category", "parse_outcome")


def _summary_is_complete(summary: Any) -> bool:
    """Whether a summary of a sample that did not fail carries its score and every key a record reads.

    The task writes them all for every sample, so one that is missing was dropped from the
    summary (older Inspect versions kept less in summaries); that sample is then read itself.
    """
    if summary.error is not None:
        return True
    score = (summary.scores or {}).get(SCORER_NAME)
    if score is None:
        return False
    sample_meta, score_meta = summary.metadata or {}, score.metadata or {}
    return all(k in sample_meta for k in _SAMPLE_KEYS) and all(k in score_meta for k in _SCORE_KEYS)


@dataclass(frozen=True)
class _LogContext:
    """What every record of one log shares."""

    model: str
    source: str
    run: str
    created: str
    value_system: str
    set_version: object
    judge: str | None
    content_hash: str | None
    conditions: Conditions


def log_conditions(spec: EvalSpec) -> Conditions:
    """The measurement settings of a log: its eval metadata, else its ``task_args`` (older logs)."""
    return Conditions.from_mapping(spec.metadata, spec.task_args)


def _records(samples: list[Any], ctx: _LogContext) -> tuple[list[ValueRecord], list[Problem]]:
    records: dict[str, ValueRecord] = {}
    errors = 0
    no_score = 0
    malformed: list[str] = []
    outcomes: Counter[str] = Counter()
    unknown_cells = 0
    extra_epochs = 0
    for sample in samples:
        if sample.error is not None:
            errors += 1
            continue
        score = (sample.scores or {}).get(SCORER_NAME)
        if score is None:
            no_score += 1
            continue
        meta: dict[str, Any] = {**(sample.metadata or {}), **(score.metadata or {})}
        question_id = str(meta.get("question_id") or sample.id)
        set_version = meta.get("set_version") or ctx.set_version
        labels = _labels(score.value)
        if labels is None or not set_version:
            malformed.append(question_id)
            continue
        outcome = meta.get("parse_outcome")
        valid = outcome not in INVALID_OUTCOMES
        if not valid:
            outcomes[str(outcome)] += 1
        if valid:
            unknown_cells += sum(v is None for v in labels.values())
        record = ValueRecord(
            model=ctx.model,
            question_id=question_id,
            set_version=str(set_version),
            value_system=str(meta.get("value_system") or ctx.value_system),
            category=meta.get("category"),
            labels=labels,
            valid=valid,
            outcome=None if outcome is None else str(outcome),
            source=ctx.source,
            run=ctx.run,
            created=ctx.created,
            judge=ctx.judge,
            content_hash=ctx.content_hash,
            conditions=ctx.conditions,
        )
        previous = records.get(question_id)
        if previous is not None:
            extra_epochs += 1
            if previous.valid or not valid:
                continue  # keep the first judgeable epoch
        records[question_id] = record

    problems: list[Problem] = []
    src, model = ctx.source, ctx.model
    if errors or no_score:
        problems.append(
            Problem(
                "sample_error",
                src,
                f"{errors} samples errored and {no_score} have no {SCORER_NAME} score: counted as unanswered",
                model=model,
                count=errors + no_score,
            )
        )
    if malformed:
        problems.append(
            Problem(
                "bad_record",
                src,
                f"{len(malformed)} samples lack a value dict or set version (e.g. {malformed[0]!r}): "
                "counted as unanswered",
                model=model,
                count=len(malformed),
            )
        )
    if outcomes:
        total = sum(outcomes.values())
        parts = ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
        problems.append(
            Problem(
                "not_judgeable",
                src,
                f"{total} of {len(records)} answers not judgeable ({parts}): excluded from both teams",
                model=model,
                count=total,
                details=dict(outcomes),
            )
        )
    if unknown_cells:
        problems.append(judge_failure_problem(src, model, unknown_cells))
    if extra_epochs:
        problems.append(
            Problem(
                "duplicate",
                src,
                f"{extra_epochs} extra epoch answers ignored "
                "(the first judgeable epoch of each question is used)",
                model=model,
                count=extra_epochs,
            )
        )
    return list(records.values()), problems
