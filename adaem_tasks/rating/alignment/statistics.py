"""The three alignment statistics, vectorised over bootstrap chains, models and targets.

For a model's win-rate profile ``s`` (one number per value) and a target ``t``:

* **Spearman rho**: Pearson correlation of the ranks (ties get their average rank, as
  :func:`scipy.stats.spearmanr` does). Only the order of the values counts.
* **Pearson r**: correlation of the profiles, each centred on its own mean (Schwartz's
  centring) and scaled by its own spread, so neither the target's scale (PVQ 1-6, 0-100) nor
  its mean level matters; only its shape.
* **weighted score**: ``sum_i w_i s_i / sum_i w_i`` for a weighting ``w`` -- a win rate itself.

Each is computed for every chain at once (``(chains, models, values)`` against ``(targets,
values)``), so a 95 % interval costs one percentile over the chains. A profile without spread
has no correlation: NaN, never 0. The tests check every number against scipy/numpy to 1e-9.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "pearson",
    "pearson_matrix",
    "scaled_down",
    "spearman",
    "spearman_matrix",
    "standardise",
    "weighted",
]


def scaled_down(profiles: NDArray[np.float64]) -> NDArray[np.float64]:
    """Each profile (last axis) divided by its largest magnitude, where that exceeds 1.

    Every statistic here is blind to a positive scale factor (a correlation, a weighted mean), so
    the scale of a target file matters only to floating point: weights of ``1e308`` overflow a
    sum to ``inf`` and made a weighted win rate of 0.0. Profiles within [-1, 1] (win rates) are
    left exactly as they are.
    """
    largest = np.abs(profiles).max(axis=-1, keepdims=True)
    return np.asarray(profiles / np.where(largest > 1.0, largest, 1.0), dtype=np.float64)


def standardise(profiles: NDArray[np.float64]) -> NDArray[np.float64]:
    """Each profile (last axis) centred on its own mean and scaled to unit norm; NaN without spread."""
    profiles = scaled_down(profiles)
    centred = profiles - profiles.mean(axis=-1, keepdims=True)
    norm = np.sqrt((centred**2).sum(axis=-1, keepdims=True))
    with np.errstate(invalid="ignore", divide="ignore"):
        # a spread below rounding noise of the mean is no spread
        flat = norm <= 1e-12 * np.maximum(1.0, np.abs(profiles).max(axis=-1, keepdims=True))
        return np.where(flat, np.nan, centred / np.where(flat, 1.0, norm))


def pearson(profiles: NDArray[np.float64], targets: NDArray[np.float64]) -> NDArray[np.float64]:
    """``(..., targets)``: Pearson r of each profile ``(..., values)`` with each target (a row)."""
    r = np.einsum("...v,tv->...t", standardise(profiles), standardise(targets))
    return np.clip(r, -1.0, 1.0)


def _ranks(profiles: NDArray[np.float64]) -> NDArray[np.float64]:
    """Average ranks along the last axis; a profile with a NaN gets NaN ranks."""
    # imported here, as adaem_tasks.validate.stats does: scipy.stats is slow to import, and
    # adaem-rank without --targets must not pay for it
    from scipy.stats import rankdata

    return np.asarray(rankdata(profiles, axis=-1, nan_policy="propagate"), dtype=np.float64)


def spearman(profiles: NDArray[np.float64], targets: NDArray[np.float64]) -> NDArray[np.float64]:
    """``(..., targets)``: Spearman rho (average ranks for ties); NaN for a profile with a gap."""
    return pearson(_ranks(profiles), _ranks(targets))


def weighted(profiles: NDArray[np.float64], weights: NDArray[np.float64]) -> NDArray[np.float64]:
    """``(..., targets)``: the weighted mean of each profile under each weighting (non-negative weights)."""
    weights = scaled_down(weights)
    return np.einsum("...v,tv->...t", profiles, weights / weights.sum(axis=-1, keepdims=True))


def pearson_matrix(profiles: NDArray[np.float64]) -> NDArray[np.float64]:
    """``(..., models, models)``: Pearson r between every two profiles of ``(..., models, values)``."""
    z = standardise(profiles)
    return np.clip(np.einsum("...mv,...nv->...mn", z, z), -1.0, 1.0)


def spearman_matrix(profiles: NDArray[np.float64]) -> NDArray[np.float64]:
    """``(..., models, models)``: Spearman rho between every two profiles."""
    return pearson_matrix(_ranks(profiles))
