"""The baseline/oracle: the paper's rating procedure spelled out with ``trueskill.rate``.

For every value, a Python loop over the questions in ``order`` plays one two-team match
(models that expressed the value beat those that did not, among the models that gave a
judgeable answer) through ``env.rate([winners, losers], ranks=[0, 1], weights=...)``
(unit weights, or 1 / team size for ``team_weights="mean"``). It is slow --
one package call per match -- and exists only to check and time the vectorised
:func:`adaem_tasks.rating.trueskill_vec.rate_chains` against (tests and
``benchmarks/bench_rank.py``); the leaderboard never calls it.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import trueskill
from numpy.typing import NDArray

from adaem_tasks.rating.trueskill_vec import TeamWeights

__all__ = ["ReferenceRatings", "reference_rate_loop"]


class ReferenceRatings(NamedTuple):
    mu: NDArray[np.float64]
    """(V, M) final means."""
    sigma: NDArray[np.float64]
    """(V, M) final standard deviations."""
    matches: int
    """Matches played over all values (questions with both winners and losers)."""


def reference_rate_loop(
    labels: np.ndarray,
    valid: np.ndarray,
    order: np.ndarray,
    env: trueskill.TrueSkill,
    team_weights: TeamWeights = "sum",
) -> ReferenceRatings:
    """Ratings after playing ``order`` (question indices) on ``labels`` (Q, V, M) / ``valid`` (Q, [V,] M)."""
    n_values, n_models = labels.shape[1], labels.shape[2]
    if valid.ndim == 2:
        valid = np.broadcast_to(valid[:, None, :], labels.shape)
    mu = np.zeros((n_values, n_models))
    sigma = np.zeros((n_values, n_models))
    matches = 0
    for v in range(n_values):
        ratings = [env.create_rating() for _ in range(n_models)]
        for q in order:
            answered = [m for m in range(n_models) if valid[q, v, m]]
            winners = [m for m in answered if labels[q, v, m]]
            losers = [m for m in answered if not labels[q, v, m]]
            if not winners or not losers:
                continue
            weights = None
            if team_weights == "mean":
                weights = [[1.0 / len(winners)] * len(winners), [1.0 / len(losers)] * len(losers)]
            new_w, new_l = env.rate(
                [[ratings[m] for m in winners], [ratings[m] for m in losers]], ranks=[0, 1], weights=weights
            )
            for m, rating in zip(winners + losers, list(new_w) + list(new_l), strict=True):
                ratings[m] = rating
            matches += 1
        mu[v] = [r.mu for r in ratings]
        sigma[v] = [r.sigma for r in ratings]
    return ReferenceRatings(mu, sigma, matches)
