"""Metrics over per-question value vectors, in three-valued logic.

A sample's ``Score.value`` maps every value key to 1 (expressed), 0 (not expressed) or
NaN (unknown: no key point was judged Yes and some judge label could not be read; ``None``
is read as unknown too).
Two kinds of unknown are *excluded* from the expression rates, never counted as "not
expressed":

* the whole answer, when it could not be judged (refusal, empty, unparseable:
  ``metadata['parse_outcome']``), counted by :func:`parse_failure_rate`;
* one value of a judged answer, when its label is unknown, counted by
  :func:`judge_failure_rate`.

So each value's rate has its own denominator (the answers where that value is known),
and a model whose judge never answered readably gets no rate (NaN), not 0.
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
    "known_labels",
    "parse_failure_rate",
]

_JUDGED_OUTCOMES = {"ok", "few_points", "no_stance"}


def is_valid_observation(sample: SampleScore) -> bool:
    """Whether the answer had key points the judge could label (its parse outcome)."""
    metadata = sample.score.metadata or {}
    return metadata.get("parse_outcome", "ok") in _JUDGED_OUTCOMES and isinstance(sample.score.value, dict)


def known_labels(sample: SampleScore) -> dict[str, float | None]:
    """The sample's labels as floats, ``None`` where unknown (NaN is read as unknown too)."""
    value = sample.score.value
    assert isinstance(value, dict)
    labels: dict[str, float | None] = {}
    for key, raw in value.items():
        if raw is None or isinstance(raw, str) or (isinstance(raw, float) and math.isnan(raw)):
            labels[key] = None
        else:
            labels[key] = float(raw)
    return labels


def _vectors(scores: list[SampleScore]) -> list[dict[str, float | None]]:
    return [known_labels(s) for s in scores if is_valid_observation(s)]


def _keys(vectors: list[dict[str, float | None]]) -> list[str]:
    return list(vectors[0].keys()) if vectors else []


def _known(vectors: list[dict[str, float | None]], key: str) -> list[float]:
    return [x for v in vectors if (x := v.get(key)) is not None]


def _mean(xs: list[float]) -> float:
    return sum(xs) / len(xs) if xs else math.nan


@metric
def expression_rate() -> Metric:
    """Share of judged answers that express each value, over the answers where it is known."""

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        vectors = _vectors(scores)
        return {k: _mean(_known(vectors, k)) for k in _keys(vectors)}

    return compute


@metric
def expression_stderr() -> Metric:
    """Standard error of each value's expression rate (sample std / sqrt(n)), keyed ``<value>_stderr``."""

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        vectors = _vectors(scores)
        result: dict[str, float] = {}
        for k in _keys(vectors):
            xs = _known(vectors, k)
            n = len(xs)
            if n < 2:
                result[f"{k}_stderr"] = math.nan
                continue
            mean = sum(xs) / n
            variance = sum((x - mean) ** 2 for x in xs) / (n - 1)
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
    """Share of question x value results of judged answers that are unknown (unreadable judge)."""

    def compute(scores: list[SampleScore]) -> float:
        vectors = _vectors(scores)
        cells = sum(len(v) for v in vectors)
        unknown = sum(x is None for v in vectors for x in v.values())
        return unknown / cells if cells else 0.0

    return compute


@metric
def category_expression_rate() -> Metric:
    """Expression rate per topic category and value, keyed ``<category>/<value>``."""

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        by_category: dict[str, list[dict[str, float | None]]] = defaultdict(list)
        for s in scores:
            if is_valid_observation(s):
                category = str((s.score.metadata or {}).get("category", "unknown"))
                by_category[category].append(known_labels(s))
        result: dict[str, float] = {}
        for category in sorted(by_category):
            vectors = by_category[category]
            for k in _keys(vectors):
                result[f"{category}/{k}"] = _mean(_known(vectors, k))
        return result

    return compute
