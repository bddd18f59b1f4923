"""The statistics the studies share: expression rates, paired tests, Cronbach's alpha, CV, intervals.

Tests come from scipy (``scipy.stats.ttest_rel``); what scipy does not provide as a
function of this shape (Cronbach's alpha, the coefficient of variation across folds,
Cohen's d for paired samples) is a one-line formula here, tested against values
computed by hand in ``tests/validate/test_stats.py``.

Everything takes unknown as unknown: rates are means over the *known* labels only,
and a statistic that has no data (or no variance to speak of) is NaN -- reported as
``null`` -- never 0.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "PairedComparison",
    "coefficient_of_variation",
    "cronbach_alpha",
    "expression_rates",
    "finite_mean",
    "finite_range",
    "paired_comparison",
    "percentile_interval",
    "summarize",
]


def expression_rates(
    labels: NDArray[np.bool_], known: NDArray[np.bool_], weights: NDArray[np.float64] | None = None
) -> NDArray[np.float64]:
    """Share of the known (question, value) labels that are 1, per value and model.

    ``labels`` and ``known`` are ``(questions, values, models)`` (an
    :class:`~adaem_tasks.rating.Alignment`'s arrays); ``weights`` optionally weighs the
    questions: ``(questions,)`` or ``(replicates, questions)`` (bootstrap counts). The
    result is ``(values, models)`` or ``(replicates, values, models)``; NaN where no
    label is known.
    """
    hits = (labels & known).astype(np.float64)
    seen = known.astype(np.float64)
    if weights is None:
        num, den = hits.sum(axis=0), seen.sum(axis=0)
    else:
        num = np.tensordot(weights, hits, axes=([-1], [0]))
        den = np.tensordot(weights, seen, axes=([-1], [0]))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


@dataclass(frozen=True)
class PairedComparison:
    """Two conditions measured on the same items (questions, or target values).

    ``cohens_d`` is Cohen's d for paired samples, d_z = mean(difference) / sd(difference)
    (ddof 1): the effect size whose t statistic is d_z * sqrt(n), as the paper's App.
    C.11 reports it (t = -3.90, d = 1.23 over n = 10 values: 3.90 / sqrt(10) = 1.23).
    ``p_value`` is the two-sided paired t-test, ``scipy.stats.ttest_rel``.
    """

    n: int
    before: float
    after: float
    delta: float
    relative_change: float
    cohens_d: float
    statistic: float
    p_value: float
    note: str | None = None


def paired_comparison(before: ArrayLike, after: ArrayLike) -> PairedComparison:
    """Means, difference, Cohen's d_z and the paired t-test of ``after`` vs ``before``.

    Pairs with a NaN on either side are dropped. With fewer than two pairs, or when every
    pair differs by the same amount (zero variance: the t statistic and d_z are not
    finite), the test and the effect size are NaN and ``note`` says why.
    """
    from scipy.stats import ttest_rel

    x = np.asarray(before, dtype=np.float64)
    y = np.asarray(after, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError(f"paired samples must have the same shape, got {x.shape} and {y.shape}")
    keep = ~(np.isnan(x) | np.isnan(y))
    x, y = x[keep], y[keep]
    n = int(x.size)
    if n == 0:
        nan = math.nan
        return PairedComparison(0, nan, nan, nan, nan, nan, nan, nan, "no pair has both measurements")
    mean_x, mean_y = float(x.mean()), float(y.mean())
    diff = y - x
    delta = float(diff.mean())
    relative = delta / mean_x if mean_x != 0 else math.nan
    note = None
    d = t = p = math.nan
    if n < 2:
        note = "one pair: no test"
    elif float(np.ptp(diff)) == 0.0:
        note = (
            "no pair changed: no effect to test"
            if delta == 0
            else "every pair changed by the same amount (zero variance): d and p are undefined"
        )
    else:
        d = delta / float(diff.std(ddof=1))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # near-constant differences: scipy warns
            result = ttest_rel(y, x)
        t, p = float(result.statistic), float(result.pvalue)
    return PairedComparison(n, mean_x, mean_y, delta, relative, d, t, p, note)


def cronbach_alpha(scores: ArrayLike) -> float:
    """Cronbach's alpha of a ``(subjects, items)`` matrix.

    alpha = k / (k - 1) * (1 - sum_j var(item_j) / var(sum of items)), variances with
    ddof 1. Subjects with a NaN anywhere are left out (listwise). NaN with fewer than 2
    items or 2 subjects, or when the subjects' totals do not vary at all.
    """
    matrix = np.asarray(scores, dtype=np.float64)
    if matrix.ndim != 2:
        raise ValueError(f"expected a (subjects, items) matrix, got shape {matrix.shape}")
    matrix = matrix[~np.isnan(matrix).any(axis=1)]
    n_subjects, k = matrix.shape
    if k < 2 or n_subjects < 2:
        return math.nan
    total_var = float(matrix.sum(axis=1).var(ddof=1))
    if total_var == 0.0:
        return math.nan
    item_var = float(matrix.var(axis=0, ddof=1).sum())
    return k / (k - 1) * (1.0 - item_var / total_var)


def coefficient_of_variation(scores: ArrayLike) -> NDArray[np.float64]:
    """Per subject (row), the sd across items (ddof 1) divided by the mean across items.

    NaN for a row with a NaN, fewer than 2 items, or a mean of 0 (the ratio is undefined).
    """
    matrix = np.asarray(scores, dtype=np.float64)
    if matrix.ndim != 2:
        raise ValueError(f"expected a (subjects, items) matrix, got shape {matrix.shape}")
    if matrix.shape[1] < 2:
        return np.full(matrix.shape[0], np.nan)
    mean = matrix.mean(axis=1)
    sd = matrix.std(axis=1, ddof=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(mean > 0, sd / np.where(mean > 0, mean, 1.0), np.nan)


def finite_mean(values: ArrayLike) -> float:
    """Mean of the finite entries; NaN (without numpy's empty-slice warning) when there are none."""
    array = np.asarray(values, dtype=np.float64)
    finite = array[np.isfinite(array)]
    return float(finite.mean()) if finite.size else math.nan


def finite_range(values: ArrayLike, axis: int) -> NDArray[np.float64]:
    """max - min of the finite entries along ``axis``; NaN where a slice has none."""
    array = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(array)
    high = np.where(finite, array, -np.inf).max(axis=axis)
    low = np.where(finite, array, np.inf).min(axis=axis)
    return np.where(finite.any(axis=axis), high - low, np.nan)


def percentile_interval(samples: ArrayLike, level: float = 0.95) -> tuple[float, float]:
    """Equal-tailed percentile interval of bootstrap samples (NaNs ignored); NaN when none."""
    if not 0.0 < level < 1.0:
        raise ValueError(f"confidence level must be in (0, 1), got {level}")
    values = np.asarray(samples, dtype=np.float64)
    values = values[~np.isnan(values)]
    if values.size == 0:
        return math.nan, math.nan
    tail = (1.0 - level) / 2.0 * 100.0
    low, high = np.percentile(values, [tail, 100.0 - tail])
    return float(low), float(high)


def summarize(values: ArrayLike) -> dict[str, float]:
    """Mean, sd (ddof 1), min and max over the finite values; NaN entries when there are none."""
    array = np.asarray(values, dtype=np.float64)
    array = array[np.isfinite(array)]
    if array.size == 0:
        return {"mean": math.nan, "sd": math.nan, "min": math.nan, "max": math.nan, "n": 0}
    return {
        "mean": float(array.mean()),
        "sd": float(array.std(ddof=1)) if array.size > 1 else math.nan,
        "min": float(array.min()),
        "max": float(array.max()),
        "n": int(array.size),
    }
