"""Optional backend: the same two-team matches rated with an ``openskill`` model.

OpenSkill's Weng-Lin models (Plackett-Luce by default) replace TrueSkill's factor graph
with closed-form Bayesian approximations; they give the same kind of (mu, sigma) per
model, so win rates and intervals are computed the same way. This backend is a plain
loop over ``model.rate`` (about 0.2 ms a match), so it suits small runs or few
replicates; the default TrueSkill backend is vectorised.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from adaem_tasks.rating.trueskill_vec import ChainResult

__all__ = ["OPENSKILL_MODELS", "openskill_beta", "rate_chains_openskill"]

OPENSKILL_MODELS = (
    "PlackettLuce",
    "BradleyTerryFull",
    "BradleyTerryPart",
    "ThurstoneMostellerFull",
    "ThurstoneMostellerPart",
)


def _model(name: str) -> Any:
    from openskill import models

    if name not in OPENSKILL_MODELS:
        raise ValueError(f"unknown openskill model {name!r}; choose from {', '.join(OPENSKILL_MODELS)}")
    return getattr(models, name)()


def openskill_beta(name: str = "PlackettLuce") -> float:
    """The performance noise of the model, used as gamma in the win-probability formula."""
    return float(_model(name).beta)


def rate_chains_openskill(
    labels: NDArray[np.bool_],
    valid: NDArray[np.bool_],
    orders: NDArray[np.integer],
    model_name: str = "PlackettLuce",
) -> ChainResult:
    """Same contract as :func:`adaem_tasks.rating.trueskill_vec.rate_chains`."""
    model = _model(model_name)
    if valid.ndim == 2:
        valid = np.broadcast_to(valid[:, None, :], labels.shape)
    n_chains = orders.shape[0]
    _, n_values, n_models = labels.shape
    shape = (n_chains, n_values, n_models)
    mu = np.empty(shape)
    sigma = np.empty(shape)
    games = np.zeros(shape, dtype=np.int64)
    no_contrast = np.zeros((n_chains, n_values), dtype=np.int64)
    too_few = np.zeros((n_chains, n_values), dtype=np.int64)
    for c in range(n_chains):
        for v in range(n_values):
            ratings = [model.rating() for _ in range(n_models)]
            for q in orders[c]:
                players = np.flatnonzero(valid[q, v])
                winners = [int(i) for i in players if labels[q, v, i]]
                losers = [int(i) for i in players if not labels[q, v, i]]
                if len(players) < 2:
                    too_few[c, v] += 1
                    continue
                if not winners or not losers:
                    no_contrast[c, v] += 1
                    continue
                new_w, new_l = model.rate(
                    [[ratings[i] for i in winners], [ratings[i] for i in losers]], ranks=[0, 1]
                )
                for i, rating in zip(winners + losers, list(new_w) + list(new_l), strict=True):
                    ratings[i] = rating
                games[c, v, players] += 1
            mu[c, v] = [r.mu for r in ratings]
            sigma[c, v] = [r.sigma for r in ratings]
    return ChainResult(mu=mu, sigma=sigma, games=games, no_contrast=no_contrast, too_few=too_few)
