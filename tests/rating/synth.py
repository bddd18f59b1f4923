"""Synthetic AdAEM results with planted value profiles, in every format adaem-rank reads.

Model k "owns" value k: it expresses that value with probability ``p_own`` and every
other value with ``p_other`` (seeded), so the correct leaderboard is known in advance.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
from inspect_ai.log import EvalConfig, EvalDataset, EvalLog, EvalSample, EvalSpec, write_eval_log
from inspect_ai.model import ModelConfig
from inspect_ai.scorer import Score

from adaem_tasks.conditions import Conditions
from adaem_tasks.rating.records import ValueRecord
from adaem_tasks.value_systems import load_value_system

CATEGORIES = ("Economics", "Education", "Health")

DEFAULT_CONDITIONS = Conditions(
    points=3,
    words=250,
    judge_mode="single",
    judge_threshold=0.5,
    judge_logprobs=True,
    judge_max_attempts=3,
)
"""What the real task and the lm-eval bridge record with their default options (unprimed)."""


def planted_records(
    n_models: int = 4,
    n_questions: int = 120,
    value_system: str = "schwartz",
    set_version: str = "test-v1",
    seed: int = 0,
    p_own: float = 0.9,
    p_other: float = 0.2,
    invalid_rate: float = 0.0,
    prefix: str = "model",
    run: str = "run-1",
    created: str = "2026-01-01T00:00:00+00:00",
    content_hash: str | None = "",
    judge: str | None = "mockllm/judge",
    conditions: Conditions | None = None,
) -> list[ValueRecord]:
    """``model-k`` owns value ``k`` of the value system.

    ``content_hash`` defaults to one derived from ``set_version`` (same version, same
    questions); ``None`` makes records like old logs that carry no hash. The records are
    measured under ``conditions`` (default :data:`DEFAULT_CONDITIONS`) by ``judge``.
    """
    conditions = DEFAULT_CONDITIONS if conditions is None else conditions
    digest = f"sha256:planted-{set_version}" if content_hash == "" else content_hash
    values = load_value_system(value_system).keys
    if n_models > len(values):
        raise ValueError("at most one model per value")
    rng = np.random.default_rng(seed)
    records = []
    for k in range(n_models):
        p = np.full(len(values), p_other)
        p[k] = p_own
        for q in range(n_questions):
            invalid = rng.random() < invalid_rate
            expressed = rng.random(len(values)) < p
            records.append(
                ValueRecord(
                    model=f"{prefix}-{k}",
                    question_id=f"q{q:04d}",
                    set_version=set_version,
                    value_system=value_system,
                    category=CATEGORIES[q % len(CATEGORIES)],
                    labels={v: 0 if invalid else int(e) for v, e in zip(values, expressed, strict=True)},
                    valid=not invalid,
                    outcome="refusal" if invalid else "ok",
                    run=run,
                    created=created,
                    content_hash=digest,
                    judge=judge,
                    conditions=conditions,
                )
            )
    return records


def _score_metadata(record: ValueRecord) -> dict[str, object]:
    return {
        "question_id": record.question_id,
        "set_version": record.set_version,
        "value_system": record.value_system,
        "category": record.category,
        "topic": "topic",
        "parse_outcome": record.outcome or ("ok" if record.valid else "refusal"),
        "stance": "yes" if record.valid else None,
        "points": ["a: b"] if record.valid else [],
        "point_labels": [record.labels] if record.valid else [],
        "judge_failures": 0,
    }


def write_inspect_log(
    path: Path,
    records: Sequence[ValueRecord],
    task: str = "adaem_tasks/schwartz",
    status: str = "success",
    errored: Sequence[str] = (),
    judge: str = "mockllm/judge",
    task_args: dict[str, object] | None = None,
    conditions: Conditions | None = DEFAULT_CONDITIONS,
) -> Path:
    """An Inspect log holding ``records`` (all of one model) as value_judge scores.

    ``task_args`` are the task's arguments as Inspect records them (e.g. ``{"prime": "power"}``
    for a primed run). The task metadata records ``conditions`` as the real task does, with
    the prime of ``task_args``; ``conditions=None`` writes a log like those made before the
    settings were recorded (only ``prime`` in the metadata).
    """
    prime = (task_args or {}).get("prime")
    recorded = (
        {"prime": prime}
        if conditions is None
        else replace(conditions, prime=None if prime is None else str(prime)).to_metadata()
    )
    model = records[0].model
    samples = []
    for record in records:
        error = None
        # as the scorer writes it: NaN for an unknown label (Inspect's unscored sentinel)
        value = {k: math.nan if v is None else v for k, v in record.labels.items()}
        scores = {"value_judge": Score(value=value, metadata=_score_metadata(record))}
        if record.question_id in errored:
            from inspect_ai.log import EvalError

            error = EvalError(message="boom", traceback="", traceback_ansi="")
            scores = {}
        samples.append(
            EvalSample(
                id=record.question_id,
                epoch=1,
                input=f"question {record.question_id}?",
                target="",
                metadata={
                    "question_id": record.question_id,
                    "category": record.category,
                    "topic": "topic",
                    "set_version": record.set_version,
                    "value_system": record.value_system,
                },
                scores=scores or None,
                error=error,
            )
        )
    log = EvalLog(
        status=status,
        eval=EvalSpec(
            created=records[0].created or "2026-01-01T00:00:00+00:00",
            task=task,
            dataset=EvalDataset(name="adaem-test"),
            model=model,
            model_roles={"grader": ModelConfig(model=judge)},
            task_args=dict(task_args or {}),
            config=EvalConfig(),
            metadata={
                "set_version": records[0].set_version,
                "value_system": records[0].value_system,
                **({"set_content_hash": records[0].content_hash} if records[0].content_hash else {}),
                **recorded,
            },
        ),
        samples=samples,
    )
    write_eval_log(log, path)
    return path


def _verdict(record: ValueRecord, judge: str, conditions: Conditions | None) -> dict[str, object]:
    verdict: dict[str, object] = {"parse_outcome": record.outcome or ("ok" if record.valid else "refusal")}
    if conditions is not None:
        verdict.update(judge=judge, conditions=conditions.to_metadata())
    return verdict


def settle(root: Path) -> Path:
    """Date ``root`` (or every file under it) an hour back, as logs are when a user re-ranks them.

    The cache of log reads skips files modified in the last seconds (they may still change).
    """
    past = time.time_ns() - 3600 * 10**9
    for path in [root, *(root.rglob("*") if root.is_dir() else [])]:
        if path.is_file():
            os.utime(path, ns=(past, past))
    return root


def sanitize(model: str) -> str:
    """lm-eval's directory name for a model (``sanitize_model_name``)."""
    import re

    return re.sub(r"[\"<>:/|\\?*\[\]]+", "__", model)


def write_lmeval_run(
    root: Path,
    records: Sequence[ValueRecord],
    task: str = "adaem_schwartz",
    stamp: str = "2026-01-01T00-00-00.000001",
    with_results: bool = True,
    judge: str = "mockllm/judge",
    conditions: Conditions | None = DEFAULT_CONDITIONS,
) -> Path:
    """``root/<model>/samples_<task>_<stamp>.jsonl`` (+ results json) as ``--log_samples`` writes it.

    ``filtered_resps`` holds the bridge's JSON verdict with the judge and ``conditions``
    (``None``: a verdict of an older bridge, which recorded neither).
    """
    model = records[0].model
    directory = root / sanitize(model)
    directory.mkdir(parents=True, exist_ok=True)
    keys = load_value_system(records[0].value_system).keys
    lines = []
    for i, record in enumerate(records):
        line: dict[str, object] = {
            "doc_id": i,
            "doc": {
                "id": record.question_id,
                "question": f"question {record.question_id}?",
                "category": record.category,
                "topic": "topic",
                "set_version": record.set_version,
                "value_system": record.value_system,
                **({"set_content_hash": record.content_hash} if record.content_hash else {}),
            },
            "target": "",
            "arguments": {},
            "resps": [["..."]],
            "filtered_resps": [json.dumps(_verdict(record, judge, conditions))],
            "filter": "none",
            "metrics": [*keys, "parse_failure"],
        }
        for key in keys:
            label = record.labels[key]
            line[key] = float(label) if record.valid and label is not None else math.nan
        line["parse_failure"] = 0.0 if record.valid else 1.0
        lines.append(json.dumps(line))  # NaN written as NaN, like lm-eval's json.dumps
    samples = directory / f"samples_{task}_{stamp}.jsonl"
    samples.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if with_results:
        results = {
            "results": {task: {"alias": task}},
            "config": {"model": "local-chat-completions", "model_args": f"model={model},base_url=x"},
            "model_name": model,
            "model_name_sanitized": sanitize(model),
            "date": 0.0,
        }
        (directory / f"results_{stamp}.json").write_text(json.dumps(results), encoding="utf-8")
    return samples


def by_model(records: Sequence[ValueRecord]) -> dict[str, list[ValueRecord]]:
    grouped: dict[str, list[ValueRecord]] = {}
    for record in records:
        grouped.setdefault(record.model, []).append(record)
    return grouped
