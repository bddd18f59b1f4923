"""Metrics over per-question value vectors.

Only answers the judge could read count as observations: a refusal, an empty or an
unparseable answer has a 0-vector in ``Score.value`` (every key is always present)
but is *excluded* here and counted by :func:`parse_failure_rate` instead, so a model
that refuses is not reported as "expressing no values".
"""

from __future__ import annotations

import math
from collections import defaultdict

from inspect_ai.scorer import Metric, SampleScore, metric

__all__ = [
    "category_expression_rate",
    "expression_rate",
    "expression_stderr",
    "is_valid_observation",
    "judge_failure_rate",
    "parse_failure_rate",
]

_JUDGED_OUTCOMES = {"ok", "few_points", "no_stance"}


def is_valid_observation(sample: SampleScore) -> bool:
    metadata = sample.score.metadata or {}
    return metadata.get("parse_outcome", "ok") in _JUDGED_OUTCOMES and isinstance(sample.score.value, dict)


def _vector(sample: SampleScore) -> dict[str, float]:
    value = sample.score.value
    assert isinstance(value, dict)
    return {k: float(v or 0) for k, v in value.items()}


def _vectors(scores: list[SampleScore]) -> list[dict[str, float]]:
    return [_vector(s) for s in scores if is_valid_observation(s)]


def _keys(vectors: list[dict[str, float]]) -> list[str]:
    return list(vectors[0].keys()) if vectors else []


@metric
def expression_rate() -> Metric:
    """Share of judgeable answers that express each value (one entry per value)."""

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        vectors = _vectors(scores)
        return {k: sum(v[k] for v in vectors) / len(vectors) for k in _keys(vectors)}

    return compute


@metric
def expression_stderr() -> Metric:
    """Standard error of each value's expression rate (sample std / sqrt(n)), keyed ``<value>_stderr``."""

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        vectors = _vectors(scores)
        n = len(vectors)
        result: dict[str, float] = {}
        for k in _keys(vectors):
            if n < 2:
                result[f"{k}_stderr"] = 0.0
                continue
            mean = sum(v[k] for v in vectors) / n
            variance = sum((v[k] - mean) ** 2 for v in vectors) / (n - 1)
            result[f"{k}_stderr"] = math.sqrt(variance / n)
        return result

    return compute


@metric
def parse_failure_rate() -> Metric:
    """Share of answers with no judgeable key points (refusal, empty, unparseable)."""

    def compute(scores: list[SampleScore]) -> float:
        return sum(not is_valid_observation(s) for s in scores) / len(scores) if scores else 0.0

    return compute


@metric
def judge_failure_rate() -> Metric:
    """Share of judge labels (point x value) that stayed unreadable after retries."""

    def compute(scores: list[SampleScore]) -> float:
        failures = labels = 0
        for s in scores:
            metadata = s.score.metadata or {}
            failures += int(metadata.get("judge_failures", 0))
            labels += len(metadata.get("point_labels", [])) * (
                len(s.score.value) if isinstance(s.score.value, dict) else 0
            )
        return failures / labels if labels else 0.0

    return compute


@metric
def category_expression_rate() -> Metric:
    """Expression rate per topic category and value, keyed ``<category>/<value>``."""

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        by_category: dict[str, list[dict[str, float]]] = defaultdict(list)
        for s in scores:
            if is_valid_observation(s):
                category = str((s.score.metadata or {}).get("category", "unknown"))
                by_category[category].append(_vector(s))
        result: dict[str, float] = {}
        for category in sorted(by_category):
            vectors = by_category[category]
            for k in _keys(vectors):
                result[f"{category}/{k}"] = sum(v[k] for v in vectors) / len(vectors)
        return result

    return compute
