"""Win rates from TrueSkill ratings: the number AdAEM reports per model and value.

Paper App. C.8 scores model i on a value by its mean probability of beating each other
model, with both skills Gaussian, ``N(mu, sigma^2)``::

    paper:     P(i > j) = Phi((mu_i - mu_j) / sqrt(2 (gamma^2 + sigma_i^2 + sigma_j^2)))
    textbook:  P(i > j) = Phi((mu_i - mu_j) / sqrt(2 beta^2 + sigma_i^2 + sigma_j^2))

    win_rate_i = 1 / (M - 1) * sum_{j != i} P(i > j)

The textbook form (Herbrich et al., 2006; trueskill.org's ``win_probability``) is the
exact probability that i's performance ``N(mu_i, sigma_i^2 + beta^2)`` exceeds j's. The
paper's denominator doubles the skill variances as well as the performance noise: it is
the textbook form with every sigma^2 counted twice, so it pulls uncertain comparisons a
little more toward 1/2. The two coincide when sigma -> 0 (with gamma = beta); both are
monotone in mu_i - mu_j for fixed sigmas. We read the paper's gamma ("the expected
variation in performance") as TrueSkill's beta, and default to the paper's formula.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtr

__all__ = ["WinFormula", "pairwise_win_probability", "win_rates"]

WinFormula = Literal["paper", "textbook"]


def pairwise_win_probability(
    mu: NDArray[np.float64], sigma: NDArray[np.float64], gamma: float, formula: WinFormula = "paper"
) -> NDArray[np.float64]:
    """``P[..., i, j]`` = probability that model i beats model j (last axis of mu/sigma = models)."""
    diff = mu[..., :, None] - mu[..., None, :]
    var = sigma[..., :, None] ** 2 + sigma[..., None, :] ** 2
    if formula == "paper":
        denom = np.sqrt(2.0 * (gamma**2 + var))
    elif formula == "textbook":
        denom = np.sqrt(2.0 * gamma**2 + var)
    else:
        raise ValueError(f"unknown win-probability formula {formula!r} (use 'paper' or 'textbook')")
    return ndtr(diff / denom)


def win_rates(
    mu: NDArray[np.float64],
    sigma: NDArray[np.float64],
    gamma: float,
    formula: WinFormula = "paper",
    mask: NDArray[np.bool_] | None = None,
) -> NDArray[np.float64]:
    """Mean win probability of each model against every other one; NaN with fewer than 2 models.

    ``mask`` (broadcastable to ``mu``, True = compared) restricts the opponents to the
    compared models and makes the others' own win rates NaN: a model that was not compared
    must neither get a number nor move anyone else's mean over opponents.
    """
    if mask is None:
        mask = np.ones(mu.shape[-1], dtype=bool)
    mask = np.broadcast_to(np.asarray(mask, dtype=bool), mu.shape)
    n_opponents = mask.sum(-1, keepdims=True) - 1  # compared opponents of a compared model
    prob = pairwise_win_probability(mu, sigma, gamma, formula)
    # P(i > i) = 1/2 exactly: drop it from the mean over opponents
    total = np.einsum("...ij,...j->...i", prob, mask.astype(np.float64)) - 0.5
    with np.errstate(divide="ignore", invalid="ignore"):
        rates = total / n_opponents
    return np.where(mask & (n_opponents >= 1), rates, np.nan)
